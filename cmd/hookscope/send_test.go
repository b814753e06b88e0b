package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/fixtures"
)

// Standard Webhooks signs every request: send without --secret signs with a
// generated secret and says which, so the user's verifier can check it.
func TestSendGeneratesAndPrintsASecretForSigningVendors(t *testing.T) {
	url, last := lastRequestServer(t)
	_, stderr, err := runCLIStderr(t, "--db", senderDB(t), "send", "standardwebhooks", "alert.created", "--to", url, "--no-retry")
	if err != nil {
		t.Fatalf("send without --secret: %v\n%s", err, stderr)
	}
	_, secret, ok := strings.Cut(strings.TrimSpace(stderr), "signing with the generated secret ")
	if !ok || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("stderr does not name the generated secret: %q", stderr)
	}
	p, _ := fixtures.Lookup("standardwebhooks")
	header, body := last()
	if v := p.Verify(header, body, fixtures.Credentials{Secret: secret}, time.Now()); v.Status != fixtures.Valid {
		t.Errorf("the request does not verify with the printed secret: %+v", v)
	}
}

// lastRequestServer is a service on 127.0.0.1 that answers 200 and keeps the
// last request it got, for last to return.
func lastRequestServer(t *testing.T) (url string, last func() (http.Header, []byte)) {
	t.Helper()
	var (
		mu     sync.Mutex
		header http.Header
		body   []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		header, body = r.Header.Clone(), b
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() (http.Header, []byte) {
		mu.Lock()
		defer mu.Unlock()
		return header, body
	}
}

// send --json prints one JSON document: the delivery, with every attempt
// it took (here a failure, then the retry that succeeded), not one object
// per attempt.
func TestSendJSONPrintsOneDocumentWithEveryAttempt(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	// Standard Webhooks retries after 5 s: 5 ms at this scale.
	out, err := runCLI(t, "--db", senderDB(t), "send", "standardwebhooks", "alert.created", "--to", srv.URL,
		"--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "--time-scale", "1000", "--json")
	if err != nil {
		t.Fatalf("send --json: %v\n%s", err, out)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var d struct {
		ID       int64  `json:"id"`
		Status   string `json:"status"`
		Attempts []struct {
			N        int `json:"n"`
			Response *struct {
				Status int `json:"status"`
			} `json:"response"`
		} `json:"attempts"`
	}
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("stdout is not a JSON document: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", out)
	}
	if d.ID == 0 || d.Status != "succeeded" || len(d.Attempts) != 2 {
		t.Fatalf("delivery %d %s with %d attempts, want a succeeded delivery with 2:\n%s", d.ID, d.Status, len(d.Attempts), out)
	}
	for i, want := range []int{http.StatusServiceUnavailable, http.StatusOK} {
		if a := d.Attempts[i]; a.N != i+1 || a.Response == nil || a.Response.Status != want {
			t.Errorf("attempt %d: n %d response %+v, want %d", i+1, a.N, a.Response, want)
		}
	}
}
