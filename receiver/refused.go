package receiver

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hookscope/hookscope/db"
)

// recordRefused records a request net/http answered by itself, before any
// handler: a malformed request line or header, or a header block over the
// size limit. What is known is kept: the request line, the headers, the
// status net/http sent. Such answers are errors (4xx, 5xx), never an
// acknowledgement.
func (rc *Receiver) recordRefused(block []byte, tooLarge bool, status int, remote string) {
	line := block
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, "\r")
	method, target, _ := strings.Cut(string(line), " ")
	target, _, _ = strings.Cut(target, " ")
	req := &db.Request{
		ReceivedAt:    rc.opts.Now(),
		Method:        method,
		Path:          target,
		RemoteAddr:    remote,
		BodyTruncated: true,
	}
	if u, err := url.ParseRequestURI(target); err == nil {
		req.Path, req.Query = u.Path, u.RawQuery
	} else if p, q, ok := strings.Cut(target, "?"); ok {
		req.Path, req.Query = p, q
	}
	req.Route = routeName(req.Path)
	eachHeaderLine(block, func(name, value string) {
		req.Headers = append(req.Headers, db.Header{Name: name, Value: value})
	})
	if tooLarge {
		if status == 0 {
			status = http.StatusRequestHeaderFieldsTooLarge
		}
		req.Error = fmt.Sprintf("the header block is over the %d-byte limit; its first %d bytes were kept and the request was refused by the HTTP server", rc.opts.MaxHeaderBytes, len(block))
	} else {
		reason := refusalReason(status)
		if headerEnd(block, 0) < 0 {
			reason = "the connection ended before the header block did"
		}
		req.Error = fmt.Sprintf("refused by the HTTP server with %d before any handler (%s); the body was not read", status, reason)
	}
	req.Vendor = "unknown"
	req.Signature = db.Signature{Status: "unverifiable", Reason: "the request was refused before it could be read"}
	ans := &answer{status: status}
	if _, err := rc.record(req, nil, ans); err != nil {
		rc.log.Error("recording a refused request", "err", err)
		return
	}
	rc.opts.Changes.Publish(db.Change{Kind: db.ChangeRequest, ID: req.ID, Name: req.Route})
}

// refusalReason says what makes net/http answer status by itself.
func refusalReason(status int) string {
	switch status {
	case http.StatusExpectationFailed:
		return "an Expect header other than 100-continue"
	case http.StatusNotImplemented:
		return "a Transfer-Encoding other than one chunked"
	case http.StatusHTTPVersionNotSupported:
		return "an HTTP version it does not serve"
	default:
		return "malformed request line or header"
	}
}
