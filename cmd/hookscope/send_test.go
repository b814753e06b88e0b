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
	defer srv.Close()

	_, stderr, err := runCLIStderr(t, "--db", senderDB(t), "send", "standardwebhooks", "alert.created", "--to", srv.URL, "--no-retry")
	if err != nil {
		t.Fatalf("send without --secret: %v\n%s", err, stderr)
	}
	_, secret, ok := strings.Cut(strings.TrimSpace(stderr), "signing with the generated secret ")
	if !ok || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("stderr does not name the generated secret: %q", stderr)
	}
	p, _ := fixtures.Lookup("standardwebhooks")
	mu.Lock()
	defer mu.Unlock()
	if v := p.Verify(header, body, fixtures.Credentials{Secret: secret}, time.Now()); v.Status != fixtures.Valid {
		t.Errorf("the request does not verify with the printed secret: %+v", v)
	}
}
