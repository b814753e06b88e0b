package api

import (
	"encoding/base64"
	"time"
	"unicode/utf8"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// RequestView is a received request as the REST API and `--json` show it,
// with the field names of SPEC §7. Bodies are text in "body", or base64 in
// "body_base64" when they are not valid UTF-8; list rows carry no bodies.
// A request carrying an earlier request's message id is either its
// at-least-once duplicate ("duplicate", "duplicate_of") or, when one of
// the two signatures failed, a repeat ("repeat_of", the first request
// with that id, and "repeat_note", what the repeat means); a repeat is
// not an "error".
type RequestView struct {
	ID            int64        `json:"id"`
	ReceivedAt    time.Time    `json:"received_at"`
	Route         string       `json:"route"`
	Method        string       `json:"method"`
	Path          string       `json:"path"`
	Query         string       `json:"query,omitempty"`
	RemoteAddr    string       `json:"remote_addr"`
	Headers       []db.Header  `json:"headers"`
	Body          *string      `json:"body,omitempty"`
	BodyBase64    *string      `json:"body_base64,omitempty"`
	BodySize      int64        `json:"body_size"`
	BodyTruncated bool         `json:"body_truncated"`
	JSONValid     bool         `json:"json_valid"`
	Vendor        string       `json:"vendor"`
	EventType     []string     `json:"event_type"`
	Signature     db.Signature `json:"signature"`
	Duplicate     bool         `json:"duplicate"`
	DuplicateOf   int64        `json:"duplicate_of,omitempty"`
	RepeatOf      int64        `json:"repeat_of,omitempty"`
	RepeatNote    string       `json:"repeat_note,omitempty"`
	DedupKey      string       `json:"dedup_key,omitempty"`
	Stale         bool         `json:"stale"`
	StaleReason   string       `json:"stale_reason,omitempty"`
	ShapeIssues   []string     `json:"shape_issues"`
	// ShapeChecked is false when the body was not checked against its
	// vendor's documented shape (not read whole, no vendor recognised);
	// ShapeNote then says why.
	ShapeChecked bool         `json:"shape_checked"`
	ShapeNote    string       `json:"shape_note,omitempty"`
	Response     ResponseView `json:"response"`
	Forward      *ForwardView `json:"forward,omitempty"`
	Error        string       `json:"error,omitempty"`
}

// ResponseView is the answer the receiver gave.
type ResponseView struct {
	Status     int         `json:"status"`
	Headers    []db.Header `json:"headers"`
	Body       *string     `json:"body,omitempty"`
	BodyBase64 *string     `json:"body_base64,omitempty"`
	Truncated  bool        `json:"truncated,omitempty"`
	LatencyMS  float64     `json:"latency_ms"`
}

// ForwardView is the leg forwarded to the user's service.
type ForwardView struct {
	URL        string      `json:"url"`
	Status     int         `json:"status,omitempty"`
	Headers    []db.Header `json:"headers,omitempty"`
	Body       *string     `json:"body,omitempty"`
	BodyBase64 *string     `json:"body_base64,omitempty"`
	LatencyMS  float64     `json:"latency_ms"`
	Error      string      `json:"error,omitempty"`
}

// NewRequestView makes the JSON view of r; withBodies adds the bodies
// (a row from a list has none to add). Credential headers (a CodeScoring
// token, an Authorization bearer) are masked; the stored bytes stay exact.
func NewRequestView(r *db.Request, withBodies bool) RequestView {
	v := RequestView{
		ID: r.ID, ReceivedAt: r.ReceivedAt, Route: r.Route, Method: r.Method, Path: r.Path,
		Query: r.Query, RemoteAddr: r.RemoteAddr, Headers: db.MapHeaderValues(r.Headers, fixtures.MaskHeaderValue),
		BodySize: r.BodySize, BodyTruncated: r.BodyTruncated, JSONValid: r.JSONValid,
		Vendor: r.Vendor, EventType: nonNil(r.EventTypes), Signature: r.Signature,
		Duplicate: r.Duplicate, DuplicateOf: r.DuplicateOf, RepeatOf: r.RepeatOf, RepeatNote: r.RepeatNote, DedupKey: r.DedupKey,
		Stale: r.Stale, StaleReason: r.StaleReason, ShapeIssues: nonNil(r.ShapeIssues),
		Response: ResponseView{Status: r.Response.Status, Headers: nonNil(r.Response.Headers),
			Truncated: r.Response.Truncated, LatencyMS: r.Response.LatencyMS},
		Error: r.Error,
	}
	v.ShapeNote = r.ShapeNotChecked()
	v.ShapeChecked = v.ShapeNote == ""
	if v.DuplicateOf < 0 {
		v.DuplicateOf = 0
	}
	if withBodies {
		v.Body, v.BodyBase64 = bodyFields(r.Body)
		v.Response.Body, v.Response.BodyBase64 = bodyFields(r.Response.Body)
	}
	if f := r.Forward; f != nil {
		v.Forward = &ForwardView{URL: f.URL, Status: f.Status, Headers: db.MapHeaderValues(f.Headers, fixtures.MaskHeaderValue), LatencyMS: f.LatencyMS, Error: f.Error}
		if withBodies {
			v.Forward.Body, v.Forward.BodyBase64 = bodyFields(f.Body)
		}
	}
	return v
}

// bodyFields renders a body as text, or base64 when it is not UTF-8.
func bodyFields(b []byte) (text, b64 *string) {
	if utf8.Valid(b) {
		s := string(b)
		return &s, nil
	}
	s := base64.StdEncoding.EncodeToString(b)
	return nil, &s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
