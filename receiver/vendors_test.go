package receiver

import (
	"bytes"
	cryptorand "crypto/rand"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/validate"
)

// frameAt renders event and frames it with creds at now, with a fixed
// message id, so two framings differ only by their credentials.
func frameAt(t *testing.T, p fixtures.Profile, event string, creds fixtures.Credentials, now time.Time) fixtures.Wire {
	t.Helper()
	payload, err := p.Render(event, rand.New(rand.NewPCG(11, 12)), now)
	if err != nil {
		t.Fatal(err)
	}
	w, err := p.Frame([]fixtures.Outgoing{{Type: event, Payload: payload, CreatedAt: now}},
		fixtures.FrameOptions{Credentials: creds, Now: now, MessageID: "msg_fixed_" + p.Name()})
	if err != nil {
		t.Fatal(err)
	}
	if w.Method == "" {
		w.Method = http.MethodPost
	}
	return w
}

// authHeaders are the headers that change with the credentials alone.
func authHeaders(a, b fixtures.Wire) []string {
	var names []string
	for _, f := range a.Header.Fields() {
		if !slices.Equal(a.Header.Values(f.Name), b.Header.Values(f.Name)) && !slices.Contains(names, f.Name) {
			names = append(names, f.Name)
		}
	}
	return names
}

func clone(w fixtures.Wire) fixtures.Wire {
	return fixtures.Wire{Method: w.Method, Header: w.Header.Clone(), Body: bytes.Clone(w.Body)}
}

// TestVendors sends each vendor's real framing over loopback to its default
// route and checks what was recorded: valid, tampered, wrong secret,
// missing header, duplicate.
func TestVendors(t *testing.T) {
	h := newHarness(t, Options{})
	for _, p := range fixtures.All() {
		t.Run(p.Name(), func(t *testing.T) {
			route := h.Route(p.Name())
			creds := testkit.CredsOf(route)
			event := p.Catalogue()[0].Type
			now := time.Now()
			w := frameAt(t, p, event, creds, now)

			resp, _ := h.Send(p.Name(), w)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("valid request answered %d", resp.StatusCode)
			}
			first := h.Last()
			if first.Vendor != p.Name() {
				t.Errorf("vendor %q, want %q", first.Vendor, p.Name())
			}
			if p.Name() != "generic" && !slices.Contains(first.EventTypes, event) {
				t.Errorf("event types %v, want %s", first.EventTypes, event)
			}
			if !bytes.Equal(first.Body, w.Body) {
				t.Errorf("body not stored exactly")
			}
			for k, vs := range w.Header.HTTP() {
				for _, v := range vs {
					if !slices.Contains(first.Headers, db.Header{Name: k, Value: v}) {
						t.Errorf("header %s: %s not recorded (got %v)", k, v, first.Headers)
					}
				}
			}
			if first.Response.Status != 200 || first.Response.LatencyMS <= 0 {
				t.Errorf("response recorded as %d after %.3f ms", first.Response.Status, first.Response.LatencyMS)
			}
			if len(first.ShapeIssues) > 0 {
				t.Errorf("a fixture's own payload has shape issues: %v", first.ShapeIssues)
			}

			signed := creds != (fixtures.Credentials{})
			if !signed {
				if first.Signature.Status != string(fixtures.Unverifiable) || first.Signature.Reason == "" {
					t.Errorf("unauthenticated vendor: signature %+v, want unverifiable with a reason", first.Signature)
				}
			} else {
				if first.Signature.Status != string(fixtures.Valid) {
					t.Fatalf("valid request: signature %+v", first.Signature)
				}
				// Tampered: one byte of the body changed after signing
				// (a token does not cover the body: still valid).
				bad := clone(w)
				i := bytes.LastIndexByte(bad.Body, '"')
				bad.Body[i-1] ^= 0x01
				h.Send(p.Name(), bad)
				want := fixtures.Invalid
				if p.Auth() == fixtures.AuthToken {
					want = fixtures.Valid
				}
				if got := h.Last().Signature; got.Status != string(want) || got.Reason == "" {
					t.Errorf("tampered: signature %+v, want %s with a reason", got, want)
				}
				// Wrong secret: framed with other credentials.
				other := fixtures.NewCredentials(p, cryptorand.Reader)
				if p.Name() == "generic" {
					other = fixtures.Credentials{Token: "not-the-token"}
				}
				wrong := frameAt(t, p, event, other, now)
				h.Send(p.Name(), wrong)
				if got := h.Last().Signature; got.Status != string(fixtures.Invalid) {
					t.Errorf("wrong secret: signature %+v, want invalid", got)
				}
				// Missing: the credential headers removed.
				names := authHeaders(w, wrong)
				if len(names) == 0 {
					t.Fatalf("no header depends on the credentials")
				}
				missing := clone(w)
				for _, n := range names {
					missing.Header.Del(n)
				}
				h.Send(p.Name(), missing)
				if got := h.Last().Signature; got.Status != string(fixtures.Missing) {
					t.Errorf("missing %v: signature %+v, want missing", names, got)
				}
			}

			// Duplicate: the very same request again.
			if first.DedupKey != "" {
				h.Send(p.Name(), clone(w))
				dup := h.Last()
				if !dup.Duplicate || dup.DuplicateOf != first.ID {
					t.Errorf("repeat: duplicate=%v of %d, want of %d", dup.Duplicate, dup.DuplicateOf, first.ID)
				}
			}
		})
	}
}

// TestDuplicateOnlyPerVendorKey checks that a fresh message is not flagged.
func TestDuplicateOnlyPerVendorKey(t *testing.T) {
	h := newHarness(t, Options{})
	creds := testkit.CredsOf(h.Route("policycortex"))
	for i := range 2 {
		h.Send("policycortex", testkit.Frame(t, "policycortex", "scan.completed", creds, uint64(100+i)))
		if r := h.Last(); r.Duplicate || r.DedupKey == "" {
			t.Fatalf("fresh event %d: duplicate=%v key=%q", i, r.Duplicate, r.DedupKey)
		}
	}
}

// TestConcurrentDuplicates sends copies of one message at once: exactly one
// is the original and every other points at it.
func TestConcurrentDuplicates(t *testing.T) {
	h := newHarness(t, Options{})
	w := testkit.Frame(t, "policycortex", "scan.completed", testkit.CredsOf(h.Route("policycortex")), 5)
	const copies = 16
	res := runLoad(t, h.URL+validate.HookPrefix+"policycortex", w.Header.HTTP(), w.Body, copies, copies)
	if res.errors > 0 {
		t.Fatalf("%d copies not answered 2xx", res.errors)
	}
	rows, err := h.Requests.ListRequests(t.Context(), h.DB.Reader(), db.RequestFilter{Limit: copies})
	if err != nil {
		t.Fatal(err)
	}
	var originals []int64
	for _, r := range rows {
		if !r.Duplicate {
			originals = append(originals, r.ID)
		}
	}
	if len(rows) != copies || len(originals) != 1 {
		t.Fatalf("%d rows, originals %v: want %d rows and one original", len(rows), originals, copies)
	}
	for _, r := range rows {
		if r.Duplicate && r.DuplicateOf != originals[0] {
			t.Errorf("request %d duplicate of %d, want %d", r.ID, r.DuplicateOf, originals[0])
		}
	}
}

// TestStale checks old timestamps are flagged with a reason.
func TestStale(t *testing.T) {
	h := newHarness(t, Options{})
	old := time.Now().Add(-48 * time.Hour)
	for _, vendor := range []string{"standardwebhooks", "policycortex"} {
		p, _ := fixtures.Lookup(vendor)
		w := frameAt(t, p, p.Catalogue()[0].Type, testkit.CredsOf(h.Route(vendor)), old)
		h.Send(vendor, w)
		r := h.Last()
		if !r.Stale || r.StaleReason == "" {
			t.Errorf("%s 48 h old: stale=%v reason=%q", vendor, r.Stale, r.StaleReason)
		}
		fresh := frameAt(t, p, p.Catalogue()[0].Type, testkit.CredsOf(h.Route(vendor)), time.Now())
		fresh.Header.Set("X-Fresh", "1") // not a byte-for-byte repeat
		h.Send(vendor, fresh)
		if r := h.Last(); r.Stale {
			t.Errorf("%s fresh: flagged stale (%s)", vendor, r.StaleReason)
		}
	}
}

// TestUnknownRoute records and recognises what arrives at a route nobody
// configured, with no secret to verify against.
func TestUnknownRoute(t *testing.T) {
	h := newHarness(t, Options{})
	w := testkit.Frame(t, "policycortex", "scan.completed", fixtures.Credentials{Secret: "whatever"}, 3)
	resp, _ := h.Send("no-such-route", w)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("answered %d", resp.StatusCode)
	}
	r := h.Last()
	if r.Route != "no-such-route" || r.Vendor != "policycortex" || !slices.Contains(r.EventTypes, "scan.completed") {
		t.Errorf("recorded route=%q vendor=%q events=%v", r.Route, r.Vendor, r.EventTypes)
	}
	if r.Signature.Status != string(fixtures.Unverifiable) || !strings.Contains(r.Signature.Reason, `no route configured for "no-such-route"`) {
		t.Errorf("signature %+v", r.Signature)
	}
}
