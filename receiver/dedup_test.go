package receiver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/validate"
)

// dedupKeyOf is the dedup key hookscope finds in a framed PolicyCortex event.
func dedupKeyOf(t *testing.T, w fixtures.Wire) string {
	t.Helper()
	p, err := fixtures.Lookup("policycortex")
	if err != nil {
		t.Fatal(err)
	}
	k := p.Inspect(w.Header.HTTP(), w.Body, time.Now()).DedupKey
	if k == "" {
		t.Fatal("the event has no dedup key")
	}
	return k
}

// writeOther inserts a request as another process sharing the file would,
// through a second handle on it, bypassing the receiver: a genuine one,
// whose signature that process found valid.
func writeOther(t *testing.T, path, vendor, key string) int64 {
	t.Helper()
	other, err := db.Open(context.Background(), path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	r := &db.Request{ReceivedAt: time.Now(), Route: vendor, Method: http.MethodPost, Path: validate.HookPrefix + vendor, Vendor: vendor, DedupKey: key, Body: []byte("{}"),
		Signature: db.Signature{Status: string(fixtures.Valid)}}
	if err := other.Write(context.Background(), func(tx db.Handle) error {
		return db.NewRequestStore().CreateRequest(context.Background(), tx, r)
	}); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func wantDuplicate(t *testing.T, r *db.Request, of int64) {
	t.Helper()
	if !r.Duplicate || r.DuplicateOf != of {
		t.Fatalf("request %d: duplicate=%v of %d, want a duplicate of %d", r.ID, r.Duplicate, r.DuplicateOf, of)
	}
}

// TestDedupSeesOtherWriters: a copy of a message another process
// recorded is a duplicate, and so is a copy of one this receiver recorded.
func TestDedupSeesOtherWriters(t *testing.T) {
	h := newHarness(t, Options{})
	creds := testkit.CredsOf(h.Route("policycortex"))
	w1 := testkit.Frame(t, "policycortex", "scan.completed", creds, 1)
	w2 := testkit.Frame(t, "policycortex", "scan.completed", creds, 2)

	h.Send("policycortex", w1)
	first := h.Last()
	if first.Duplicate {
		t.Fatal("a fresh message was flagged duplicate")
	}
	h.Send("policycortex", w1)
	wantDuplicate(t, h.Last(), first.ID)

	otherID := writeOther(t, h.DB.Path(), "policycortex", dedupKeyOf(t, w2))
	h.Send("policycortex", w2)
	wantDuplicate(t, h.Last(), otherID)

	// Interleaved: the receiver writes, the other process writes, the
	// receiver again.
	w3 := testkit.Frame(t, "policycortex", "scan.completed", creds, 3)
	h.Send("policycortex", testkit.Frame(t, "policycortex", "scan.completed", creds, 4))
	otherID = writeOther(t, h.DB.Path(), "policycortex", dedupKeyOf(t, w3))
	h.Send("policycortex", w3)
	wantDuplicate(t, h.Last(), otherID)
}

// TestDedupAcrossRestart: a receiver started on a file that already holds
// a message flags its copy.
func TestDedupAcrossRestart(t *testing.T) {
	h := newHarness(t, Options{})
	creds := testkit.CredsOf(h.Route("policycortex"))
	w := testkit.Frame(t, "policycortex", "scan.completed", creds, 9)
	h.Send("policycortex", w)
	first := h.Last()

	for range 2 {
		rc2, err := New(Options{DB: h.DB, Requests: h.Requests, Routes: h.Routes, Logger: testkit.QuietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, validate.HookPrefix+"policycortex", bytesReader(w.Body))
		for k, vs := range w.Header.HTTP() {
			req.Header[k] = vs
		}
		rr := httptest.NewRecorder()
		rc2.Handler().ServeHTTP(rr, req)
		if rr.Code/100 != 2 {
			t.Fatalf("answered %d", rr.Code)
		}
		wantDuplicate(t, h.Last(), first.ID)
		if err := rc2.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDedupAfterDelete: rows deleted and their ids reused by another
// writer do not hide a duplicate.
func TestDedupAfterDelete(t *testing.T) {
	h := newHarness(t, Options{})
	creds := testkit.CredsOf(h.Route("policycortex"))
	for i := range 3 {
		h.Send("policycortex", testkit.Frame(t, "policycortex", "scan.completed", creds, uint64(20+i)))
	}
	if err := h.DB.Write(context.Background(), func(tx db.Handle) error {
		_, err := tx.ExecContext(context.Background(), `DELETE FROM requests`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	w := testkit.Frame(t, "policycortex", "scan.completed", creds, 30)
	otherID := writeOther(t, h.DB.Path(), "policycortex", dedupKeyOf(t, w))
	h.Send("policycortex", w)
	wantDuplicate(t, h.Last(), otherID)
	h.Send("policycortex", w)
	wantDuplicate(t, h.Last(), otherID)
}
