package db

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// Header is one header line. Requests keep their headers as an ordered list
// of these, exactly as they arrived (repeats and case included).
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HeadersFromHTTP lists a header map, names sorted, each name's values in
// order: Go's parser keeps no order across names, so this is the stable
// order for headers that did not come through the receiver's raw capture.
//
// The pairs go into one slice, sorted in place by name (stably, so one
// name's values keep their order): every recorded exchange lists a header
// map, and a second slice of names to sort cost an allocation each time.
func HeadersFromHTTP(h http.Header) []Header {
	out := make([]Header, 0, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, Header{Name: k, Value: v})
		}
	}
	slices.SortStableFunc(out, func(a, b Header) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}

// MapHeaderValues returns a copy of hs with each value replaced by
// f(name, value): how views mask credentials without touching stored bytes.
func MapHeaderValues(hs []Header, f func(name, value string) string) []Header {
	out := make([]Header, len(hs))
	for i, h := range hs {
		out[i] = Header{Name: h.Name, Value: f(h.Name, h.Value)}
	}
	return out
}

// Signature is a stored verification verdict (SPEC §7 `signature`).
type Signature struct {
	Status string `json:"status"` // valid | invalid | missing | unverifiable
	Reason string `json:"reason"`
}

// Response is what an HTTP exchange answered.
type Response struct {
	Status    int      `json:"status"`
	Headers   []Header `json:"headers"`
	Body      []byte   `json:"-"`
	LatencyMS float64  `json:"latency_ms"`
	// Truncated is set when Body holds only the first part of what was sent.
	Truncated bool `json:"truncated,omitempty"`
}

// Forward is the leg of a request forwarded to the user's own service.
type Forward struct {
	URL       string   `json:"url"`
	Status    int      `json:"status,omitempty"`
	Headers   []Header `json:"headers,omitempty"`
	Body      []byte   `json:"-"`
	LatencyMS float64  `json:"latency_ms"`
	Error     string   `json:"error,omitempty"`
}

// Request is one request the receiver got, with its verdicts and the
// response it gave. Body holds the exact bytes received (the first part
// only when BodyTruncated).
type Request struct {
	ID            int64     `json:"id"`
	ReceivedAt    time.Time `json:"received_at"`
	Route         string    `json:"route"`
	Method        string    `json:"method"`
	Path          string    `json:"path"`
	Query         string    `json:"query"`
	Headers       []Header  `json:"headers"`
	Body          []byte    `json:"-"`
	BodySize      int64     `json:"body_size"` // bytes the client sent (or declared)
	BodyTruncated bool      `json:"body_truncated"`
	RemoteAddr    string    `json:"remote_addr"`
	// JSONValid is false when the body is not well-formed JSON.
	JSONValid   bool      `json:"json_valid"`
	Vendor      string    `json:"vendor"`
	EventTypes  []string  `json:"event_type"`
	Signature   Signature `json:"signature"`
	DedupKey    string    `json:"dedup_key,omitempty"`
	Duplicate   bool      `json:"duplicate"`
	DuplicateOf int64     `json:"duplicate_of,omitempty"`
	// RepeatOf is the first earlier request that carried DedupKey when this
	// one is not its at-least-once duplicate (that request's signature
	// failed, or this one's did); 0 otherwise. A request is a duplicate or
	// a repeat, never both. RepeatNote says what the repeat means.
	RepeatOf    int64    `json:"repeat_of,omitempty"`
	RepeatNote  string   `json:"repeat_note,omitempty"`
	Stale       bool     `json:"stale"`
	StaleReason string   `json:"stale_reason,omitempty"`
	ShapeIssues []string `json:"shape_issues"`
	Response    Response `json:"response"`
	Forward     *Forward `json:"forward,omitempty"`
	// Error notes what went wrong receiving it (limit exceeded, panic, ...).
	Error string `json:"error,omitempty"`
}

// ShapeNotChecked says why r's body was not checked against its vendor's
// documented shape, or "" when it was (ShapeIssues then lists what
// deviates; none means it matches). Only a whole body, read to its end,
// of a vendor hookscope knows is checked: not one over the limit or cut
// short, not a request refused before its body was read, not a body no
// profile recognised.
func (r *Request) ShapeNotChecked() string {
	switch {
	case r.BodyTruncated:
		return "the body was not read whole"
	case r.Vendor == "" || r.Vendor == "unknown":
		return "no vendor recognised"
	}
	return ""
}

// RequestFilter selects requests for a list. Zero fields do not filter.
type RequestFilter struct {
	Vendor string
	Route  string
	// Status matches the response status: an exact code ("500") or a class
	// ("2xx", "4xx", "5xx").
	Status string
	// Signature matches the signature verdict (valid, invalid, ...).
	Signature string
	// Text matches a substring of the path, headers or body.
	Text string
	// Before is the keyset cursor: only rows with ID < Before (0: newest).
	Before int64
	// After is the keyset cursor upward: only rows with ID > After, and the
	// page is the Limit rows just above it (the oldest of them), still
	// returned newest first. Oldest asks for the oldest page without a
	// cursor. A text search paging this way goes through the text index
	// upward, and finds the rows a search reading every row finds.
	After  int64
	Oldest bool
	// Limit caps the page (0: a default of 50).
	Limit int
}

// fromOldest reports whether the page is taken from the oldest end.
func (f RequestFilter) fromOldest() bool { return f.Oldest || f.After > 0 }

// Route is a receiver route: the profile it expects and how it answers.
type Route struct {
	Name    string `json:"name"`
	Profile string `json:"profile"`
	Secret  string `json:"secret,omitempty"`
	Token   string `json:"token,omitempty"`
	// Header is the generic profile's header for its token or signature.
	Header    string        `json:"header,omitempty"`
	Response  SimResponse   `json:"response"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	Counters  RouteCounters `json:"counters"`
}

// RouteCounters track the simulation's progress (fail-first N).
type RouteCounters struct {
	Received int64 `json:"received"`
}

// SimResponse is a route's simulated answer.
type SimResponse struct {
	Status  int      `json:"status"` // 0: 200
	Body    string   `json:"body,omitempty"`
	Headers []Header `json:"headers,omitempty"`
	// DelayMS waits before answering.
	DelayMS int `json:"delay_ms,omitempty"`
	// FailFirst answers FailStatus to the first N requests, then Status.
	FailFirst  int `json:"fail_first,omitempty"`
	FailStatus int `json:"fail_status,omitempty"` // 0: 500
	// FailureRate in [0,1] answers FailStatus at random (seeded by Seed).
	FailureRate float64 `json:"failure_rate,omitempty"`
	Seed        int64   `json:"seed,omitempty"`
	// Hang holds the connection open without answering (past any timeout).
	Hang bool `json:"hang,omitempty"`
	// OversizeBytes answers a body of that many bytes.
	OversizeBytes int64 `json:"oversize_bytes,omitempty"`
}

// Filters are an endpoint's event filters (PolicyCortex's `filters`).
type Filters struct {
	Severity       []string `json:"severity,omitempty"`
	Environments   []string `json:"environments,omitempty"`
	CloudProviders []string `json:"cloud_providers,omitempty"`
}

// RetryConfig overrides a profile's retry policy (PolicyCortex `retry_config`).
type RetryConfig struct {
	MaxAttempts       int     `json:"max_attempts,omitempty"`
	BackoffMultiplier float64 `json:"backoff_multiplier,omitempty"`
}

// Endpoint is where the sender delivers.
type Endpoint struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	URL     string `json:"url"`
	Profile string `json:"profile"`
	// Secret and Token are stored in full; print them through Mask.
	Secret string `json:"-"`
	Token  string `json:"-"`
	// Header is the generic profile's header for its token or signature.
	Header         string       `json:"header,omitempty"`
	Events         []string     `json:"events"`
	Filters        Filters      `json:"filters"`
	Headers        []Header     `json:"headers"`
	Retry          *RetryConfig `json:"retry,omitempty"`
	TimeoutSeconds int          `json:"timeout_seconds"`
	Enabled        bool         `json:"enabled"`
	DisabledReason string       `json:"disabled_reason,omitempty"`
	DisabledAt     *time.Time   `json:"disabled_at,omitempty"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
	// AdHoc marks the target of one send or replay to a URL: it carries
	// that send's URL and credentials for its delivery and retries, and is
	// not one of the user's endpoints (never listed, never fanned out to).
	AdHoc bool `json:"ad_hoc,omitempty"`
}

// Event is one event raised for delivery (from a fixture, the API, send).
type Event struct {
	ID        int64           `json:"id"`
	Vendor    string          `json:"vendor"`
	Type      string          `json:"event_type"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
	Source    string          `json:"source"` // fixture, api, send, console, replay
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryRetrying  = "retrying"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
	DeliverySkipped   = "skipped" // endpoint was disabled when the event came
	// DeliveryCancelled: the delivery will not be sent (a load run stopped
	// before sending it, or while its request was in flight); LastError
	// says why.
	DeliveryCancelled = "cancelled"
)

// DeliveryStatuses lists every delivery status, as a filter accepts them.
var DeliveryStatuses = []string{DeliveryPending, DeliveryRetrying, DeliverySucceeded, DeliveryFailed, DeliverySkipped, DeliveryCancelled}

// Delivery is one message to one endpoint: one event, or a batch of events
// where the vendor batches (CodeScoring, Cyscale).
type Delivery struct {
	ID          int64    `json:"id"`
	EndpointID  int64    `json:"endpoint_id"`
	Vendor      string   `json:"vendor"`
	EventTypes  []string `json:"event_types"`
	EventIDs    []int64  `json:"event_ids"`
	Status      string   `json:"status"`
	ExecutionID string   `json:"execution_id,omitempty"`
	// MessageID is stable across attempts (Standard Webhooks webhook-id).
	MessageID     string      `json:"message_id,omitempty"`
	NextAttemptAt *time.Time  `json:"next_attempt_at"`
	AttemptCount  int         `json:"attempt_count"`
	LastError     string      `json:"last_error,omitempty"`
	Escalation    *Escalation `json:"escalation,omitempty"`
	// Wait is the vendor's real wait before NextAttemptAt (see RetryWait in
	// outbox.go); nil when nothing is scheduled.
	Wait *RetryWait `json:"wait,omitempty"`
	// TimeScale is the time scale the delivery is scheduled with (its
	// retry waits are the vendor's divided by it), kept with it whichever
	// process sends its next attempt. 1 is real time.
	TimeScale float64   `json:"time_scale"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Attempts  []Attempt `json:"attempts,omitempty"`
}

// Escalation is the notice a vendor sends its owner when it gives up
// (SecurityScorecard's email), or hookscope's note of an auto-disable.
type Escalation struct {
	Kind    string    `json:"kind"` // escalated | disabled
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	At      time.Time `json:"at"`
}

// OutgoingRequest is the request of one attempt.
type OutgoingRequest struct {
	Method  string   `json:"method"`
	URL     string   `json:"url"`
	Headers []Header `json:"headers"`
	Body    []byte   `json:"-"`
}

// Attempt is one try of a delivery, recorded in full.
type Attempt struct {
	ID         int64           `json:"id"`
	DeliveryID int64           `json:"delivery_id"`
	N          int             `json:"n"`
	StartedAt  time.Time       `json:"started_at"`
	DurationMS float64         `json:"duration_ms"`
	Request    OutgoingRequest `json:"request"`
	Response   *Response       `json:"response"`
	Error      string          `json:"error,omitempty"`
	Manual     bool            `json:"manual"`
	// VendorWaitMS is the vendor's wait before this attempt as its schedule
	// defines it (unscaled); 0 for a first or manual attempt.
	VendorWaitMS int64 `json:"vendor_wait_ms,omitempty"`
	// WaitReason says where that wait came from (schedule, backoff,
	// Retry-After).
	WaitReason string `json:"wait_reason,omitempty"`
}

// DeliveryFilter selects deliveries for a list. Zero fields do not filter.
type DeliveryFilter struct {
	Vendor     string
	EndpointID int64
	Status     string
	// LastHTTP matches the status of the delivery's last attempt's
	// answer: a code ("503") or a class ("5xx").
	LastHTTP string
	// Source matches deliveries carrying an event raised from that source
	// (Event.Source: "send", "replay", "check 1a2b3c4d" for one run of
	// `hookscope check`).
	Source string
	Text   string
	Before int64
	// After and Oldest page upward, as in RequestFilter.
	After  int64
	Oldest bool
	Limit  int
}

// fromOldest reports whether the page is taken from the oldest end.
func (f DeliveryFilter) fromOldest() bool { return f.Oldest || f.After > 0 }
