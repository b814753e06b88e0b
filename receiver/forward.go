package receiver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hookscope/hookscope/db"
)

// forwarder sends each received request on to the user's own service
// (--forward-to) and records that leg.
type forwarder struct {
	target *url.URL
	client *http.Client
	limit  int64
}

func newForwarder(raw string, timeout time.Duration, limit int64) (*forwarder, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--forward-to %q is not an http:// or https:// URL", raw)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	tr.Proxy = nil
	// The request goes on with the headers it arrived with and the answer
	// comes back as the service sent it: net/http's transport would
	// otherwise ask for gzip when the sender did not, and inflate the
	// answer, so that a compressed answer was recorded and passed back
	// decoded, and one inflating past the limit became a 502.
	tr.DisableCompression = true
	return &forwarder{
		target: u,
		limit:  limit,
		client: &http.Client{
			Transport: tr,
			Timeout:   timeout,
			// The service's redirect is its answer, passed back as is.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// hopByHop are the connection-specific fields of RFC 9110 §7.6.1 (with the
// legacy ones proxies also drop), never forwarded in either direction.
var hopByHop = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Te", "Transfer-Encoding", "Upgrade", "Proxy-Authenticate", "Proxy-Authorization", "Trailer"}

// dropped lists the fields not to pass on: the hop-by-hop ones, those the
// Connection field names, and the framing ones the client recomputes.
func dropped(hs []db.Header) []string {
	drop := append(slices.Clone(hopByHop), "Host", "Content-Length")
	for _, h := range hs {
		if strings.EqualFold(h.Name, "Connection") {
			for _, opt := range strings.Split(h.Value, ",") {
				if opt = strings.TrimSpace(opt); opt != "" {
					drop = append(drop, textproto.CanonicalMIMEHeaderKey(opt))
				}
			}
		}
	}
	return drop
}

func passOn(hs []db.Header) []db.Header {
	drop := dropped(hs)
	out := make([]db.Header, 0, len(hs))
	for _, h := range hs {
		if !slices.Contains(drop, textproto.CanonicalMIMEHeaderKey(h.Name)) {
			out = append(out, h)
		}
	}
	return out
}

// send forwards req and returns the recorded leg and the answer to pass
// back: the service's, or 502 when it could not be reached.
func (f *forwarder) send(ctx context.Context, req *db.Request) (*db.Forward, *answer) {
	u := *f.target
	if req.Query != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&" + req.Query
		} else {
			u.RawQuery = req.Query
		}
	}
	leg := &db.Forward{URL: u.String()}
	start := time.Now()
	defer func() { leg.LatencyMS = float64(time.Since(start)) / float64(time.Millisecond) }()

	// The forward is part of recording this request: it goes on even if
	// the sender hangs up, bounded by the forwarder's timeout.
	out, err := http.NewRequestWithContext(context.WithoutCancel(ctx), req.Method, u.String(), bytes.NewReader(req.Body))
	if err != nil {
		leg.Error = "building the forwarded request: " + err.Error()
		return leg, errorAnswer(http.StatusBadGateway, leg.Error)
	}
	for _, h := range passOn(req.Headers) {
		out.Header[h.Name] = append(out.Header[h.Name], h.Value)
	}
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header["User-Agent"] = []string{""} // no Go default added
	}
	resp, err := f.client.Do(out)
	if err != nil {
		leg.Error = fmt.Sprintf("forwarding to %s: %v", f.target.Redacted(), err)
		return leg, errorAnswer(http.StatusBadGateway, leg.Error)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.limit+1))
	leg.Status = resp.StatusCode
	leg.Headers = db.HeadersFromHTTP(resp.Header)
	leg.Body = body
	switch {
	case err != nil:
		leg.Error = "reading the service's answer: " + err.Error()
		return leg, errorAnswer(http.StatusBadGateway, leg.Error)
	case int64(len(body)) > f.limit:
		leg.Body = body[:f.limit]
		leg.Error = fmt.Sprintf("the service's answer is over the %d-byte limit", f.limit)
		return leg, errorAnswer(http.StatusBadGateway, leg.Error)
	}
	ans := &answer{status: resp.StatusCode, body: body}
	ans.headers = append(ans.headers, passOn(leg.Headers)...)
	if bodyAllowed(ans.status) {
		ans.headers = append(ans.headers, contentLength(int64(len(body))))
	}
	return leg, ans
}
