package httpx

import (
	"net"
	"sync"
	"time"

	"github.com/hookscope/hookscope/limits"
)

// TokenFailures counts the wrong API tokens each client address sends:
// past limits.TokenFailures within limits.TokenWindow (counted from the
// window's first failure), the address's wrong tokens are answered 429
// until the window ends. It remembers at most limits.TokenTrackedAddrs
// addresses. Safe for concurrent use.
type TokenFailures struct {
	now   func() time.Time
	mu    sync.Mutex
	addrs map[string]*failWindow
}

// failWindow is one address's failures in its current window.
type failWindow struct {
	start, last time.Time
	n           int
}

// NewTokenFailures returns an empty count reading the time from now
// (time.Now outside tests).
func NewTokenFailures(now func() time.Time) *TokenFailures {
	return &TokenFailures{now: now, addrs: map[string]*failWindow{}}
}

// Fail records a wrong token from addr (a RemoteAddr, host:port) and
// returns how long that address must wait before a wrong token is
// answered 401 again: 0 while it is within its allowance.
func (t *TokenFailures) Fail(addr string) time.Duration {
	key := clientKey(addr)
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.addrs[key]
	if w == nil || now.Sub(w.start) >= limits.TokenWindow {
		if w == nil && len(t.addrs) >= limits.TokenTrackedAddrs {
			t.forgetOne(now)
		}
		w = &failWindow{start: now}
		t.addrs[key] = w
	}
	w.n++
	w.last = now
	if w.n <= limits.TokenFailures {
		return 0
	}
	return w.start.Add(limits.TokenWindow).Sub(now)
}

// forgetOne makes room for one more address: every address whose window
// is over goes, or else the one whose last failure is oldest.
func (t *TokenFailures) forgetOne(now time.Time) {
	var oldest string
	for k, w := range t.addrs {
		if now.Sub(w.start) >= limits.TokenWindow {
			delete(t.addrs, k)
			continue
		}
		if oldest == "" || w.last.Before(t.addrs[oldest].last) {
			oldest = k
		}
	}
	if len(t.addrs) >= limits.TokenTrackedAddrs {
		delete(t.addrs, oldest)
	}
}

// tracked is how many addresses are remembered (for tests).
func (t *TokenFailures) tracked() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.addrs)
}

// clientKey is the address failures are counted by: the IP of a
// host:port, an IPv6 address by its /64 (one host's share of a network).
func clientKey(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		return host
	case ip.To4() != nil:
		return ip.To4().String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
