package httpx

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookscope/hookscope/limits"
)

// Guard is what the local REST API accepts, checked before any handler
// runs, so that a refused request changes nothing. The API sits beside the
// user's browser, where any web page can send it requests: a page can
// neither read its answers (no CORS headers are ever sent) nor make it act.
//
//   - With a Token, every request must carry "Authorization: Bearer TOKEN"
//     (the scheme in any case, RFC 9110 §11.1; the token compared in
//     constant time), 401 otherwise. Past limits.TokenFailures wrong
//     tokens from one address in limits.TokenWindow, that address's wrong
//     tokens are answered 429 with Retry-After until the window ends; the
//     right token is always answered at once. The token is what
//     authenticates, so the API may then listen beyond loopback and any
//     Host is accepted.
//   - Without one, the Host must name the API's own address or a loopback
//     name or IP (421 otherwise): a DNS-rebinding name that resolves to
//     127.0.0.1 is refused.
//   - A request carrying an Origin is refused (403) unless that origin is
//     the API's own address (same host and port as the Host it reached).
//   - A request with a body (any method but GET, HEAD, OPTIONS) must declare
//     Content-Type: application/json, or carry no body and no Content-Type
//     (415 otherwise): an HTML form can send neither.
type Guard struct {
	// Token, when set, is required as a bearer token.
	Token string
	// Addr is the API's own listening address (host:port).
	Addr string
	// Failures counts wrong tokens by client address; nil: a count of
	// Wrap's own, on the real clock.
	Failures *TokenFailures
}

// Wrap returns next behind the guard's checks.
func (g Guard) Wrap(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(g.Token))
	_, port, _ := net.SplitHostPort(g.Addr)
	failures := g.Failures
	if failures == nil {
		failures = NewTokenFailures(time.Now)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.Token != "" {
			got := sha256.Sum256([]byte(bearerToken(r.Header.Get("Authorization"))))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				if wait := failures.Fail(r.RemoteAddr); wait > 0 {
					secs := int64((wait + time.Second - 1) / time.Second)
					w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
					WriteError(w, http.StatusTooManyRequests, "more than %d wrong API tokens from this address in %s: a wrong token is refused for %d s more (the right one is always accepted)", limits.TokenFailures, limits.TokenWindow, secs)
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="hookscope"`)
				WriteError(w, http.StatusUnauthorized, "this API needs the header Authorization: Bearer TOKEN, with the --api-token (or HOOKSCOPE_API_TOKEN) it was started with")
				return
			}
		} else if !g.hostAllowed(r.Host) {
			WriteError(w, http.StatusMisdirectedRequest, "Host %q is not this API's address: use http://%s (or another loopback name or IP)", r.Host, g.Addr)
			return
		}
		if origins := r.Header.Values("Origin"); len(origins) > 0 {
			if len(origins) > 1 || !sameOrigin(origins[0], r.Host, port) {
				WriteError(w, http.StatusForbidden, "requests from web pages are refused (Origin %q is not this API's address)", strings.Join(origins, ", "))
				return
			}
		}
		if msg := bodyTypeProblem(r); msg != "" {
			WriteError(w, http.StatusUnsupportedMediaType, "%s", msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearerToken is the token of an Authorization value of the Bearer
// scheme, whose name is case-insensitive (RFC 9110 §11.1; one or more
// spaces after it), or "" for any other value.
func bearerToken(h string) string {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimLeft(token, " ")
}

// hostAllowed reports whether host (the request's Host) is the API's own
// address or a loopback name or IP, on any port.
func (g Guard) hostAllowed(host string) bool {
	if strings.EqualFold(host, g.Addr) {
		return true
	}
	return isLoopbackHost(hostOnly(host))
}

// sameOrigin reports whether origin is http://HOST where HOST is the Host
// the request reached (so a page served by the API itself, were there one)
// and names this API's port.
func sameOrigin(origin, host, port string) bool {
	rest, ok := strings.CutPrefix(strings.ToLower(origin), "http://")
	if !ok || rest == "" {
		return false
	}
	if !strings.EqualFold(rest, host) {
		return false
	}
	_, p, err := net.SplitHostPort(rest)
	return err == nil && p == port
}

// hostOnly strips a port (and IPv6 brackets) from a Host value.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
}

// isLoopbackHost reports whether h is "localhost" or a loopback IP literal.
func isLoopbackHost(h string) bool {
	if strings.EqualFold(strings.TrimSuffix(h, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// bodyTypeProblem says why r's body is not acceptable, or "" when it is.
func bodyTypeProblem(r *http.Request) string {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return ""
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		if r.ContentLength == 0 && len(r.TransferEncoding) == 0 {
			return ""
		}
		return "the body has no Content-Type: " + sendAsJSON
	}
	if !IsJSONType(ct) {
		if len(ct) > 64 {
			ct = ct[:64] + "…"
		}
		return fmt.Sprintf("Content-Type %q is not accepted: %s", ct, sendAsJSON)
	}
	return ""
}

const sendAsJSON = "send the body as application/json (curl: -H 'Content-Type: application/json')"

// IsJSONType reports whether a Content-Type value is application/json
// (parameters such as charset allowed).
func IsJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}
