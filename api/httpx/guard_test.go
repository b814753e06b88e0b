package httpx

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/limits"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// guardedServer serves "ok" behind a Guard with token "s3cret" on a real
// loopback port, its wrong tokens counted on clock.
func guardedServer(t *testing.T, clock *fakeClock) *httptest.Server {
	t.Helper()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = Guard{Token: "s3cret", Addr: srv.Listener.Addr().String(), Failures: NewTokenFailures(clock.now)}.Wrap(ok)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// clientFrom is an HTTP client whose connections leave from the loopback
// address local (127.0.0.2: another client than 127.0.0.1).
func clientFrom(local string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}}
}

// get sends GET / with the Authorization value given ("" for none).
func get(t *testing.T, c *http.Client, url, auth string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// The Bearer scheme's name is case-insensitive (RFC 9110 §11.1); the
// token itself is not.
func TestGuardBearerSchemeAnyCase(t *testing.T) {
	srv := guardedServer(t, &fakeClock{t: time.Now()})
	for auth, want := range map[string]int{
		"Bearer s3cret":  200,
		"bearer s3cret":  200,
		"BEARER s3cret":  200,
		"bEaReR  s3cret": 200, // one or more spaces
		"Bearer S3CRET":  401,
		"Basic s3cret":   401,
		"Bearers3cret":   401,
		"s3cret":         401,
		"":               401,
	} {
		if got, _, body := get(t, srv.Client(), srv.URL, auth); got != want {
			t.Errorf("Authorization %q: %d %s, want %d", auth, got, body, want)
		}
	}
}

// Past limits.TokenFailures wrong tokens from one address, its wrong
// tokens are answered 429 with Retry-After until the window ends; the
// right token from that same address, and any token from another
// address, are answered as before, at once.
func TestGuardLimitsWrongTokens(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	srv := guardedServer(t, clock)
	c := srv.Client() // from 127.0.0.1
	for i := range limits.TokenFailures {
		if got, _, body := get(t, c, srv.URL, fmt.Sprintf("Bearer guess-%d", i)); got != 401 {
			t.Fatalf("wrong token %d of the allowance: %d %s, want 401", i+1, got, body)
		}
	}
	clock.add(10 * time.Second)
	got, hdr, body := get(t, c, srv.URL, "Bearer guess-more")
	if got != 429 || hdr.Get("Retry-After") != "50" {
		t.Fatalf("wrong token past the allowance: %d Retry-After %q %s, want 429 with Retry-After 50", got, hdr.Get("Retry-After"), body)
	}
	start := time.Now()
	if got, _, body := get(t, c, srv.URL, "Bearer s3cret"); got != 200 || body != "ok" {
		t.Errorf("right token from the limited address: %d %s, want 200", got, body)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("right token from the limited address took %s", took)
	}
	if got, _, body := get(t, clientFrom("127.0.0.2"), srv.URL, "Bearer another-guess"); got != 401 {
		t.Errorf("wrong token from another address: %d %s, want 401", got, body)
	}
	clock.add(49 * time.Second)
	if got, hdr, _ := get(t, c, srv.URL, "Bearer guess-late"); got != 429 || hdr.Get("Retry-After") != "1" {
		t.Errorf("wrong token in the window's last second: %d Retry-After %q, want 429 with 1", got, hdr.Get("Retry-After"))
	}
	clock.add(time.Second) // the window is over: the address may try again
	if got, _, body := get(t, c, srv.URL, "Bearer guess-after"); got != 401 {
		t.Errorf("wrong token after the window: %d %s, want 401", got, body)
	}
}

// The count remembers at most limits.TokenTrackedAddrs addresses, and an
// IPv6 network is one address per /64.
func TestTokenFailuresBounded(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	f := NewTokenFailures(clock.now)
	for i := range limits.TokenTrackedAddrs + 500 {
		f.Fail(fmt.Sprintf("10.%d.%d.%d:4000", i>>16&255, i>>8&255, i&255))
		clock.add(time.Millisecond)
	}
	if n := f.tracked(); n != limits.TokenTrackedAddrs {
		t.Errorf("%d addresses tracked, want %d", n, limits.TokenTrackedAddrs)
	}
	// The newest address is still counted: its allowance runs out.
	last := fmt.Sprintf("10.0.%d.%d:1", (limits.TokenTrackedAddrs+499)>>8&255, (limits.TokenTrackedAddrs+499)&255)
	for range limits.TokenFailures - 1 {
		f.Fail(last)
	}
	if f.Fail(last) == 0 {
		t.Error("the newest address was forgotten")
	}
	g := NewTokenFailures(clock.now)
	for i := range limits.TokenFailures + 1 {
		g.Fail(fmt.Sprintf("[2001:db8::%x]:443", i+1))
	}
	if g.tracked() != 1 || g.Fail("[2001:db8::ffff]:1") == 0 {
		t.Errorf("one /64's addresses: %d tracked, want 1, limited", g.tracked())
	}
}
