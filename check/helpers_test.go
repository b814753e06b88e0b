package check

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sender"
)

// openSender opens a real database in a temp dir and a sender over it.
func openSender(t *testing.T) (*sender.Sender, *db.DB) {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "check.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return sender.New(d, sender.Options{Seed: 11}), d
}

// seen is one request a test receiver got.
type seen struct {
	header http.Header
	body   []byte
}

// receiver is a real HTTP server on loopback that records what it gets
// and answers with its handler.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newReceiver(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body []byte)) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, seen{r.Header.Clone(), body})
		rc.mu.Unlock()
		answer(w, r, body)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []seen {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]seen(nil), rc.reqs...)
}

// correct verifies every request with the vendor's own profile, as the
// sender signs it: 401 unless the signature or token is valid, 200 after.
// A vendor without authentication is always answered 200.
func correct(vendor string, creds fixtures.Credentials) func(http.ResponseWriter, *http.Request, []byte) {
	prof, err := fixtures.Lookup(vendor)
	if err != nil {
		panic(err)
	}
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		if prof.Auth() != fixtures.AuthNone {
			if v := prof.Verify(r.Header, body, creds, time.Now()); v.Status != fixtures.Valid {
				http.Error(w, v.Reason, http.StatusUnauthorized)
				return
			}
		}
		if !json.Valid(body) {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}
}

// acceptAll answers 200 to anything.
func acceptAll(w http.ResponseWriter, _ *http.Request, _ []byte) { w.Write([]byte("OK")) }

// credsFor are fixed credentials of the kind vendor uses.
func credsFor(vendor string) fixtures.Credentials {
	switch vendor {
	case "policycortex":
		return fixtures.Credentials{Secret: "pc-test-secret"}
	case "standardwebhooks":
		return fixtures.Credentials{Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	case "codescoring":
		return fixtures.Credentials{Token: "cs-test-token"}
	}
	return fixtures.Credentials{}
}

// run runs the check of vendor against url and fails the test on an error.
func run(t *testing.T, s *sender.Sender, c Config) *Report {
	t.Helper()
	c.Sender = s
	if c.Credentials == (fixtures.Credentials{}) {
		c.Credentials = credsFor(c.Vendor)
	}
	rep, err := Run(context.Background(), c)
	if err != nil {
		t.Fatalf("check %s: %v", c.Vendor, err)
	}
	return rep
}

// byID finds a scenario's result.
func byID(t *testing.T, rep *Report, id string) Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no scenario %s in the report", id)
	return Result{}
}
