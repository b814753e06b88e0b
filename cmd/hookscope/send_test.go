package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
