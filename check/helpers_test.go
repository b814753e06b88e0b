package check

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/sender"
)

// openSender opens a real database in a temp dir and a sender over it.
func openSender(t *testing.T) (*sender.Sender, *db.DB) {
	t.Helper()
	d := testkit.OpenDB(t)
	return sender.New(d, sender.Options{Seed: 11}), d
}

// newReceiver is a real HTTP server on loopback that records what it gets
// and answers with answer.
func newReceiver(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body []byte)) *testkit.HookServer {
	t.Helper()
	return testkit.NewHookServer(t, testkit.WithBody(answer))
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
