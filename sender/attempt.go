package sender

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/validate"
)

// Error classes an attempt's error starts with ("timeout: ...").
const (
	ErrClassTimeout     = "timeout"
	ErrClassRefused     = "connection refused"
	ErrClassReset       = "connection reset"
	ErrClassTLS         = "tls"
	ErrClassDNS         = "dns"
	ErrClassRedirect    = "redirect not followed"
	ErrClassTooLarge    = "response too large"
	ErrClassHTTPStatus  = "http status"
	ErrClassNetwork     = "network"
	ErrClassFrame       = "framing"
	ErrClassEndpointURL = "bad url"
	// ErrClassInterrupted: the sender itself stopped the request (its
	// run was interrupted), not the network or the target.
	ErrClassInterrupted = "interrupted"
)

// exchange is what one HTTP attempt produced.
type exchange struct {
	attempt db.Attempt
	resp    *http.Response // headers only; the body is in attempt.Response
	ok      bool
	// bodyEvent is the event whose stored payload is byte for byte the
	// request body (0: none), so the attempt need not store it twice.
	bodyEvent int64
}

// attempt frames, sends and records one attempt of a claimed delivery and
// applies its outcome (success, the next retry, exhaustion), releasing the
// claim. It returns the attempt as recorded.
func (s *Sender) attempt(ctx context.Context, c *db.Claimed, manual bool, tw *tweak) (*db.Attempt, error) {
	ep, err := s.target(ctx, c.Delivery.EndpointID)
	if err != nil {
		s.release(ctx, c)
		return nil, err
	}
	prof, err := fixtures.Lookup(ep.Profile)
	if err != nil {
		s.release(ctx, c)
		return nil, fmt.Errorf("delivery %d: %w", c.Delivery.ID, err)
	}
	pol := prof.Policy()
	if bad := validate.StoredEndpoint(*ep); len(bad) > 0 {
		// A value no validation let through (an older file, another
		// program): the profile's is used, and the retry's reason says so.
		s.log.Warn("endpoint holds values out of range", "endpoint", ep.Name, "invalid", strings.Join(bad, "; "))
	}
	x := s.send(ctx, c, ep, prof, pol, manual, tw)
	o := s.outcome(c, ep, prof, pol, x, manual)
	o.BodyEvent = x.bodyEvent
	o.ErrorUnchanged = o.LastError == c.Delivery.LastError
	now := s.clock.Now()
	err = s.db.Write(ctx, func(tx db.Handle) error {
		return s.outbox.Complete(ctx, tx, &x.attempt, c.Lease, o, now)
	})
	if err != nil {
		return nil, fmt.Errorf("recording attempt %d of delivery %d: %w", x.attempt.N, c.Delivery.ID, err)
	}
	s.publish(db.ChangeDelivery, c.Delivery.ID, "")
	if o.DisableEndpoint != "" {
		s.publish(db.ChangeEndpoint, ep.ID, ep.Name)
		s.log.Warn("endpoint disabled", "endpoint", ep.Name, "reason", o.DisableEndpoint)
	}
	if o.Status == db.DeliverySucceeded || o.Status == db.DeliveryFailed {
		s.notify() // an ordered endpoint's next delivery may go now
	}
	return &x.attempt, nil
}

func (s *Sender) release(ctx context.Context, c *db.Claimed) {
	_ = s.db.Write(ctx, func(tx db.Handle) error { return s.outbox.Release(ctx, tx, c.Delivery.ID, c.Lease) })
}

// timeout is the endpoint's timeout, or the profile's, or 30 s (a stored
// timeout out of range counts as unset).
func timeout(ep *db.Endpoint, pol fixtures.DeliveryPolicy) time.Duration {
	if ep.TimeoutSeconds > 0 && limits.EndpointTimeoutSeconds.Check(int64(ep.TimeoutSeconds)) == nil {
		return time.Duration(ep.TimeoutSeconds) * time.Second
	}
	if pol.Timeout > 0 {
		return pol.Timeout
	}
	return 30 * time.Second
}

// send frames the delivery's events and performs the HTTP exchange. A
// probe's tweak (nil for every other attempt) alters the framed request
// and may shorten the timeout.
func (s *Sender) send(ctx context.Context, c *db.Claimed, ep *db.Endpoint, prof fixtures.Profile, pol fixtures.DeliveryPolicy, manual bool, tw *tweak) exchange {
	start := s.clock.Now()
	x := exchange{attempt: db.Attempt{
		DeliveryID: c.Delivery.ID,
		N:          c.Delivery.AttemptCount + 1,
		StartedAt:  start,
		Manual:     manual,
		Request:    db.OutgoingRequest{Method: http.MethodPost, URL: ep.URL},
	}}
	// A scheduled retry records the vendor's wait that led to it, unscaled,
	// so the timeline reads as the vendor's schedule at any time scale.
	if w := c.Delivery.Wait; w != nil && w.Retry > 0 && !manual {
		x.attempt.VendorWaitMS, x.attempt.WaitReason = w.VendorWaitMS, w.Reason
	}
	out := make([]fixtures.Outgoing, len(c.Events))
	for i, e := range c.Events {
		out[i] = fixtures.Outgoing{Type: e.Type, Payload: e.Payload, CreatedAt: e.CreatedAt}
	}
	opts := fixtures.FrameOptions{
		Credentials: fixtures.Credentials{Secret: ep.Secret, Token: ep.Token, Header: ep.Header},
		Now:         start,
		Retries:     c.Delivery.AttemptCount,
		MessageID:   c.Delivery.MessageID,
	}
	wire, err := prof.Frame(out, opts)
	if err == nil && tw != nil && tw.alter != nil {
		wire, err = tw.apply(prof, out, opts, wire)
	}
	if err != nil {
		x.attempt.Error = ErrClassFrame + ": " + err.Error()
		return x
	}
	if wire.Method != "" {
		x.attempt.Request.Method = wire.Method
	}
	// Custom headers (PolicyCortex `headers`) never replace what the
	// vendor itself sets (its signature, content type), and a framing or
	// hop-by-hop one (stored by an older hookscope) is not sent: the HTTP
	// client writes or drops those itself.
	for _, h := range ep.Headers {
		if !wire.Header.Has(h.Name) && !validate.ForbiddenHeader(h.Name) {
			wire.Header.Add(h.Name, h.Value)
		}
	}
	header := wire.Header.HTTP()
	x.attempt.Request.Body = wire.Body
	if len(c.Events) == 1 && c.Events[0].ID != 0 && bytes.Equal(wire.Body, c.Events[0].Payload) {
		x.bodyEvent = c.Events[0].ID
	}
	limitTime := timeout(ep, pol)
	if tw != nil && tw.timeout > 0 {
		limitTime = tw.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, limitTime)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, x.attempt.Request.Method, ep.URL, bytes.NewReader(wire.Body))
	if err != nil {
		x.attempt.Error = ErrClassEndpointURL + ": " + err.Error()
		x.attempt.Request.Headers = wireHeaders(header, "", len(wire.Body))
		return x
	}
	req.Header = header
	x.attempt.Request.Headers = wireHeaders(header, req.URL.Host, len(wire.Body))
	resp, err := s.client.Do(req)
	if err != nil {
		x.attempt.DurationMS = ms(s.clock.Now().Sub(start))
		x.attempt.Error = classify(err)
		return x
	}
	defer resp.Body.Close()
	x.resp = resp
	limit := pol.ResponseLimit
	headers, headerBytes := recordHeaders(resp.Header)
	bound := limit
	if limit <= 0 {
		// No vendor limit: still bounded, so a hostile answer cannot
		// exhaust memory.
		bound = maxUnlimitedResponse
	}
	body, err := readBounded(resp.Body, resp.ContentLength, bound)
	truncated := int64(len(body)) > bound
	if truncated {
		body = body[:bound]
	}
	x.attempt.DurationMS = ms(s.clock.Now().Sub(start))
	x.attempt.Response = &db.Response{
		Status:    resp.StatusCode,
		Headers:   headers,
		Body:      body,
		LatencyMS: x.attempt.DurationMS,
		Truncated: truncated,
	}
	// A vendor's limit is on the whole answer: its headers count too.
	over := limit > 0 && (truncated || headerBytes+int64(len(body)) > limit)
	switch {
	case err != nil:
		x.attempt.Error = classify(err)
	case over && truncated:
		x.attempt.Error = fmt.Sprintf("%s: the answer is over the vendor's %d-byte limit (%d bytes of headers, a body over %d bytes)", ErrClassTooLarge, limit, headerBytes, limit)
	case over:
		x.attempt.Error = fmt.Sprintf("%s: the answer is over the vendor's %d-byte limit (%d bytes of headers and %d of body)", ErrClassTooLarge, limit, headerBytes, len(body))
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		loc := resp.Header.Get("Location")
		if loc == "" {
			loc = "(no Location header)"
		}
		x.attempt.Error = fmt.Sprintf("%s: %d to %s", ErrClassRedirect, resp.StatusCode, loc)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		x.attempt.Error = fmt.Sprintf("%s: %d %s", ErrClassHTTPStatus, resp.StatusCode, http.StatusText(resp.StatusCode))
	default:
		x.ok = true
	}
	return x
}

// readBounded reads r to its end or to bound+1 bytes, whichever comes
// first (one byte over bound tells the answer was longer). size is the
// answer's announced length (-1 when unknown): when it is known the buffer
// is made that size at once (an empty answer allocates nothing further).
// http.NoBody, the body of an answer that announced no content, is not
// read at all: it can only be empty.
func readBounded(r io.Reader, size, bound int64) ([]byte, error) {
	if r == http.NoBody {
		return []byte{}, nil // not nil, as a read to EOF returns; and no allocation
	}
	n := int64(512)
	if size >= 0 {
		n = size + 1 // the extra byte lets the read see the end in one call
	}
	buf := make([]byte, 0, min(n, bound+1))
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > bound {
				return buf, nil
			}
			buf = append(buf, 0)[:len(buf)]
			buf = buf[:len(buf):min(int64(cap(buf)), bound+1)]
		}
		k, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// maxUnlimitedResponse bounds what is kept of an answer when the profile
// sets no limit.
const maxUnlimitedResponse = limits.UnlimitedResponse

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// wireHeaders lists request headers in the order Go's client writes them:
// Host, User-Agent, Content-Length, then the rest sorted by name, each
// name's values in order. The rest go straight into the list and are
// sorted there (stably, keeping one name's values in order), rather than
// through a separate slice of names: one allocation per attempt, not two.
func wireHeaders(h http.Header, host string, n int) []db.Header {
	out := make([]db.Header, 0, len(h)+3)
	if host != "" {
		out = append(out, db.Header{Name: "Host", Value: host})
	}
	if ua, ok := h["User-Agent"]; ok {
		for _, v := range ua {
			out = append(out, db.Header{Name: "User-Agent", Value: v})
		}
	} else {
		out = append(out, db.Header{Name: "User-Agent", Value: "Go-http-client/1.1"})
	}
	out = append(out, db.Header{Name: "Content-Length", Value: strconv.Itoa(n)})
	rest := len(out)
	for k, vs := range h {
		if k != "User-Agent" && k != "Host" && k != "Content-Length" {
			for _, v := range vs {
				out = append(out, db.Header{Name: k, Value: v})
			}
		}
	}
	slices.SortStableFunc(out[rest:], func(a, b db.Header) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// classify names the kind of a transport error: "timeout: ...",
// "connection refused: ...", "tls: ...", "dns: ...", "interrupted: ..."
// (the request's context was cancelled: the run stopped).
func classify(err error) string {
	var (
		dnsErr  *net.DNSError
		netErr  net.Error
		certErr *tls.CertificateVerificationError
		hostErr x509.HostnameError
		authErr x509.UnknownAuthorityError
		invErr  x509.CertificateInvalidError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
	)
	class := ErrClassNetwork
	switch {
	case strings.Contains(err.Error(), "server response headers exceeded"):
		// net/http's Transport.MaxResponseHeaderBytes (no sentinel error).
		class = ErrClassTooLarge
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		class = ErrClassTimeout
	case errors.Is(err, context.Canceled):
		class = ErrClassInterrupted
	case errors.As(err, &dnsErr):
		class = ErrClassDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		class = ErrClassRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		class = ErrClassReset
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &authErr),
		errors.As(err, &invErr), errors.As(err, &recErr), errors.As(err, &alert):
		class = ErrClassTLS
	}
	return class + ": " + err.Error()
}
