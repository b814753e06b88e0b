package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/validate"
)

// serveHook is the hot path: read, inspect, (forward), decide and record
// in one group-committed write, and only then answer.
func (rc *Receiver) serveHook(w http.ResponseWriter, r *http.Request) {
	start := rc.opts.Now()
	req := &db.Request{
		ReceivedAt: start,
		Route:      routeName(r.URL.Path),
		Method:     r.Method,
		Path:       r.URL.Path,
		Query:      r.URL.RawQuery,
		RemoteAddr: r.RemoteAddr,
	}
	req.Headers, _ = orderedHeaders(r)

	pre := rc.readBody(r, req)
	var route *db.Route
	if req.Route != "" {
		route = rc.routes.get(req.Route)
	}
	if pre == nil {
		switch {
		case !isHookPath(r.URL.Path):
			pre = errorAnswer(http.StatusNotFound, "no webhook route at "+r.URL.Path+"; webhooks go to POST "+validate.HookPrefix+"{route}")
		case req.Route == "":
			pre = errorAnswer(http.StatusNotFound, "the path names no route; webhooks go to POST "+validate.HookPrefix+"{route}")
		case r.Method != http.MethodPost:
			pre = errorAnswer(http.StatusMethodNotAllowed, "webhooks are taken with POST, not "+r.Method)
			pre.headers = append(pre.headers, db.Header{Name: "Allow", Value: http.MethodPost})
		}
	}
	if err := rc.inspect(r.Header, req, route); err != nil {
		req.Error = joinNote(req.Error, err.Error())
		if pre == nil {
			pre = errorAnswer(http.StatusInternalServerError, "internal error while inspecting the request; it was recorded")
		}
	}
	if rc.forward != nil && pre == nil {
		fwd, fans := rc.forward.send(r.Context(), req)
		req.Forward = fwd
		if !simulates(route) {
			pre = fans
		}
	}

	ans, err := rc.recorder.record(req, route, pre)
	if err != nil {
		ans := refusedAnswer(err)
		rc.log.Error("recording a request failed", "status", ans.status, "path", req.Path, "err", err)
		ans.drain = pre != nil && pre.drain
		rc.write(w, r, req, ans)
		return
	}
	rc.opts.Changes.Publish(db.Change{Kind: db.ChangeRequest, ID: req.ID, Name: req.Route})
	rc.write(w, r, req, ans)
}

// isHookPath reports whether p is under the hook prefix with something after it.
func isHookPath(p string) bool {
	return len(p) > len(validate.HookPrefix) && strings.HasPrefix(p, validate.HookPrefix)
}

// readBody reads the body within the limit into req. A non-nil answer means
// the body could not be taken whole (413, 408, 400); what was read is kept.
// The buffer grows as the bytes arrive (readUpTo): a declared
// Content-Length is a claim, and reserving it before a byte arrives let a
// thousand connections that each declared 10 MB and sent one byte hold
// gigabytes.
func (rc *Receiver) readBody(r *http.Request, req *db.Request) *answer {
	limit := rc.opts.BodyLimit
	if r.ContentLength > limit {
		kept, _ := readUpTo(r.Body, KeptOnOverflow)
		req.Body, req.BodySize, req.BodyTruncated = kept, r.ContentLength, true
		req.Error = fmt.Sprintf("body of %d bytes is over the %d-byte limit; the first %d bytes were kept", r.ContentLength, limit, len(kept))
		return overLimit(limit)
	}
	var body []byte
	var err error
	if r.ContentLength >= 0 {
		body, err = readUpTo(r.Body, r.ContentLength)
		if n := int64(len(body)); n < r.ContentLength && (err == nil || errors.Is(err, io.ErrUnexpectedEOF)) {
			err = fmt.Errorf("the body ended after %d of the %d bytes its Content-Length declared", n, r.ContentLength)
		}
	} else {
		body, err = readUpTo(r.Body, limit+1)
		if err == nil && int64(len(body)) > limit {
			// A copy, so that the buffer of the whole body is not held.
			req.Body, req.BodySize, req.BodyTruncated = slices.Clone(body[:KeptOnOverflow]), int64(len(body)), true
			req.Error = fmt.Sprintf("chunked body over the %d-byte limit; the first %d bytes were kept", limit, KeptOnOverflow)
			return overLimit(limit)
		}
	}
	req.Body, req.BodySize = body, int64(len(body))
	if err != nil {
		req.BodyTruncated = true
		req.Error = "reading the body: " + err.Error()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return errorAnswer(http.StatusRequestTimeout, "the body did not arrive in time")
		}
		return errorAnswer(http.StatusBadRequest, "the body could not be read: "+err.Error())
	}
	return nil
}

// firstRead is the buffer a body starts in: net/http's own read buffer
// size, so that a small webhook is read in one call.
const firstRead = 4 << 10

// readUpTo reads r to its end or to max bytes, whichever comes first. The
// buffer starts at firstRead (or max, when smaller) and doubles only when
// it is full, never past max: it holds at most twice what arrived (or
// firstRead), whatever the sender declared.
func readUpTo(r io.Reader, max int64) ([]byte, error) {
	buf := make([]byte, 0, min(max, firstRead))
	for int64(len(buf)) < max {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(max, 2*int64(cap(buf))))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func overLimit(limit int64) *answer {
	a := errorAnswer(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over the %d-byte limit", limit))
	a.headers = append(a.headers, db.Header{Name: "Connection", Value: "close"})
	a.drain = true
	return a
}

// drainFactor bounds how much of a body over the limit is read and
// discarded after the 413: up to drainFactor times the limit.
const drainFactor = 4

// drainBody reads and discards what is left of a body the receiver
// answered without reading it whole, up to drainFactor times the body
// limit and within the request's read deadline. A client that sends all of
// its body before it reads the answer (curl after Expect: 100-continue,
// and many HTTP libraries) then reads that answer: closing the connection
// with its bytes unread would reset it, and the client would see the reset
// instead. Past the bound, or when hookscope stops, the connection is
// closed regardless.
func (rc *Receiver) drainBody(ctl *http.ResponseController, r *http.Request) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-rc.stopping:
			ctl.SetReadDeadline(time.Now())
		case <-done:
		}
	}()
	if _, err := io.CopyN(io.Discard, r.Body, drainFactor*rc.opts.BodyLimit); err == nil {
		rc.log.Debug("the rest of an oversized body is over the drain bound; closing the connection", "path", r.URL.Path)
	}
}

// inspect fills the verdicts: vendor, event types, signature, duplicate
// key, staleness, shape. Profiles are other people's code working on
// untrusted bytes: a panic in one is caught and returned as an error.
func (rc *Receiver) inspect(h http.Header, req *db.Request, route *db.Route) (err error) {
	defer func() {
		if v := recover(); v != nil {
			rc.log.Error("inspecting a request panicked", "path", req.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic while inspecting the request: %v", v)
		}
	}()
	if rc.inspectHook != nil {
		rc.inspectHook(req)
	}
	body := req.Body
	now := req.ReceivedAt

	var p fixtures.Profile
	var creds *fixtures.Credentials
	var noVerify string
	if route != nil {
		if p, err = fixtures.Lookup(route.Profile); err != nil {
			p = nil
			noVerify = fmt.Sprintf("route %q names a profile hookscope does not know (%v)", route.Name, err)
			err = nil
		} else {
			creds = &fixtures.Credentials{Secret: route.Secret, Token: route.Token, Header: route.Header}
		}
	} else if req.Route != "" {
		noVerify = fmt.Sprintf("no route configured for %q; no secret to verify with", req.Route)
	} else {
		noVerify = fmt.Sprintf("no route for path %s; no secret to verify with", req.Path)
	}
	if req.BodyTruncated {
		creds = nil
	}

	// One decode of the body serves recognition, verification,
	// inspection and the shape check.
	a := fixtures.Analyze(p, h, body, creds, now)
	req.JSONValid = a.JSONValid
	req.Vendor, req.EventTypes = a.Vendor, a.EventTypes
	switch {
	case req.BodyTruncated:
		req.Signature = db.Signature{Status: string(fixtures.Unverifiable), Reason: fmt.Sprintf("only the first %d of %d body bytes were kept; a signature over the whole body cannot be checked", len(body), req.BodySize)}
	case noVerify != "":
		req.Signature = db.Signature{Status: string(fixtures.Unverifiable), Reason: noVerify}
	default:
		req.Signature = db.Signature{Status: string(a.Verification.Status), Reason: a.Verification.Reason}
	}
	if a.Profile == nil {
		return nil
	}
	insp := a.Inspection
	req.DedupKey, req.Stale, req.StaleReason = insp.DedupKey, insp.Stale, insp.StaleReason
	// The shape verdict stands only on a whole body (the record says so:
	// see db.Request.ShapeNotChecked).
	if req.ShapeNotChecked() == "" {
		for _, s := range a.ShapeIssues {
			req.ShapeIssues = append(req.ShapeIssues, s.String())
		}
	}
	return nil
}

// record decides the answer and stores the request with it in one
// group-committed write of its own. It returns once that has committed.
// The hot path goes through the recorder instead, which shares one write
// among the requests that arrive together.
func (rc *Receiver) record(req *db.Request, route *db.Route, pre *answer) (*answer, error) {
	// Recorded even if the client has gone: its request still arrived.
	ctx := context.Background()
	var ans *answer
	err := rc.db.Write(ctx, func(tx db.Handle) error {
		var err error
		ans, err = rc.decideAndInsert(ctx, tx, req, route, pre)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ans, nil
}

// decideAndInsert runs inside a write: the duplicate lookup, the route's
// counter, the decision of the answer and the insert of the row holding
// it, all in one transaction.
func (rc *Receiver) decideAndInsert(ctx context.Context, tx db.Handle, req *db.Request, route *db.Route, pre *answer) (*answer, error) {
	// A batch that rolled back is written again: judged afresh, since the
	// ids its verdicts name may change.
	req.Duplicate, req.DuplicateOf, req.RepeatOf, req.RepeatNote = false, 0, 0, ""
	if req.DedupKey != "" {
		if err := rc.judgeRepeat(ctx, tx, req); err != nil {
			return nil, err
		}
	}
	ans := pre
	if ans == nil {
		var sim db.SimResponse
		var n int64
		if route != nil {
			sim = route.Response
			if needsCount(sim) {
				var err error
				if n, err = rc.opts.Routes.CountRouteRequest(ctx, tx, route.Name); err != nil {
					return nil, fmt.Errorf("counting the request for route %s: %w", route.Name, err)
				}
			}
		}
		ans = simulate(sim, n)
	}
	req.Response = ans.stored(rc.opts.Now().Sub(req.ReceivedAt))
	if ans.note != "" && !strings.Contains(req.Error, ans.note) {
		req.Error = joinNote(req.Error, ans.note)
	}
	if err := rc.requests.CreateRequest(ctx, tx, req); err != nil {
		return nil, err
	}
	return ans, nil
}

// write sends ans, after its delay; a hang holds the connection open and
// drops it without answering.
func (rc *Receiver) write(w http.ResponseWriter, r *http.Request, req *db.Request, ans *answer) {
	if ans.delay > 0 {
		t := time.NewTimer(ans.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-rc.stopping:
		}
		t.Stop()
	}
	if ans.hang {
		rc.hang(r, req)
	}
	h := w.Header()
	for _, hd := range ans.headers {
		h[hd.Name] = append(h[hd.Name], hd.Value)
	}
	ctl := http.NewResponseController(w)
	if ans.drain {
		// The rest of the body is read after the answer is sent.
		ctl.EnableFullDuplex()
	}
	w.WriteHeader(ans.status)
	if ans.oversize > 0 {
		writeFiller(w, ans.oversize)
		return
	}
	w.Write(ans.body)
	if ans.drain {
		ctl.Flush()
		rc.drainBody(ctl, r)
	}
}

// hang holds the connection of req open without answering until the
// client closes it, hookscope stops or the hang limit passes, records how
// long it was held and how it ended in req's row, and drops the
// connection.
func (rc *Receiver) hang(r *http.Request, req *db.Request) {
	t := time.NewTimer(rc.opts.HangLimit)
	var end string
	select {
	case <-t.C:
		end = fmt.Sprintf("until the %s hang limit, then dropped", rc.opts.HangLimit)
	case <-r.Context().Done():
		end = "until the client closed the connection"
	case <-rc.stopping:
		end = "until hookscope stopped, then dropped"
	}
	t.Stop()
	held := rc.opts.Now().Sub(req.ReceivedAt)
	note := fmt.Sprintf("simulated hang: the connection was held open %s without an answer, %s", held.Round(time.Millisecond), end)
	req.Error = strings.Replace(req.Error, hangNote, note, 1)
	req.Response.LatencyMS = float64(held) / float64(time.Millisecond)
	err := rc.db.Write(context.Background(), func(tx db.Handle) error {
		return rc.requests.SetRequestOutcome(context.Background(), tx, req.ID, req.Response.LatencyMS, req.Error)
	})
	if err != nil {
		rc.log.Error("recording how a simulated hang ended", "id", req.ID, "err", err)
	} else {
		rc.opts.Changes.Publish(db.Change{Kind: db.ChangeRequest, ID: req.ID, Name: req.Route})
	}
	panic(http.ErrAbortHandler)
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
