package limits

import "time"

// Every bound on what arrives, in one place. Each exported name here has a
// row in docs/security.md's Limits table (TestEveryLimitIsDocumented).
// Where a flag changes a limit, the value here is its default.

// The receiver's port: what one webhook request may bring.
const (
	// ReceiverBody is the largest body recorded whole (--body-limit).
	ReceiverBody = 10 << 20
	// ReceiverKeptOnOverflow is how much of a body over ReceiverBody is
	// recorded before the 413.
	ReceiverKeptOnOverflow = 64 << 10
	// ReceiverHeaderBytes bounds a request's header block (net/http's
	// MaxHeaderBytes).
	ReceiverHeaderBytes = 1 << 20
	// ReceiverReadHeaderTimeout, ReceiverReadTimeout and ReceiverIdleTimeout
	// bound how long a connection may take to send its headers, its whole
	// request, and how long it may sit idle between requests.
	ReceiverReadHeaderTimeout = 10 * time.Second
	ReceiverReadTimeout       = 60 * time.Second
	ReceiverIdleTimeout       = 120 * time.Second
	// ForwardTimeout bounds one forward to --forward-to.
	ForwardTimeout = 30 * time.Second
	// HangLimit bounds a route's simulated hang.
	HangLimit = 10 * time.Minute
)

// A route's simulated answer.
var (
	RouteStatus     = Int{Field: "status", Min: 200, Max: 599}
	RouteFailStatus = Int{Field: "fail_status", Min: 200, Max: 599}
	RouteDelayMS    = Int{Field: "delay_ms", Min: 0, Max: (10 * time.Minute).Milliseconds(), Unit: "ms"}
	RouteFailFirst  = Int{Field: "fail_first", Min: 0, Max: 1_000_000}
	RouteFailRate   = Float{Field: "failure_rate", Min: 0, Max: 1}
	RouteOversize   = Int{Field: "oversize_bytes", Min: 0, Max: 1 << 30, Unit: "bytes"}
)

const (
	// RouteBody bounds a route's own answer body.
	RouteBody = 1 << 20
	// RouteName bounds a route's name, in bytes.
	RouteName = 64
)

// An endpoint, as the API, the CLI and the console's forms take it.
var (
	EndpointTimeoutSeconds = Int{Field: "timeout_seconds", Min: 0, Max: 100, Unit: "s"}
)

const (
	// EndpointName bounds an endpoint's name, in bytes.
	EndpointName = 128
	// UnlimitedResponse bounds what is kept of an endpoint's answer body
	// when the vendor sets no limit of its own.
	UnlimitedResponse = 1 << 20
)

// The REST API.
const (
	// APIJSONBody bounds a JSON request body.
	APIJSONBody = 1 << 20
	// Page caps `limit` on any list (API, CLI, console).
	Page = 1000
)

// The sender and its endpoints (issue #21): an endpoint's numbers and
// lists, what is recorded of an endpoint's answer headers, and the span a
// computed retry ladder may cover.
var (
	// EndpointMaxAttempts bounds retry.max_attempts (attempts in all, the
	// first included; 0: the profile's). The vendors' ladders make at most
	// 8 attempts.
	EndpointMaxAttempts = Int{Field: "retry.max_attempts", Min: 0, Max: 100}
	// EndpointBackoffMultiplier bounds retry.backoff_multiplier when it is
	// set (0: the profile's); PolicyCortex's example is 2.
	EndpointBackoffMultiplier = Float{Field: "retry.backoff_multiplier", Min: 1, Max: 10}
	// EndpointHeaders bounds how many custom headers an endpoint sends.
	EndpointHeaders = Int{Field: "headers", Min: 0, Max: 64}
	// EndpointEvents bounds how many event types an endpoint subscribes to.
	EndpointEvents = Int{Field: "events", Min: 0, Max: 256}
	// EndpointFilterValues bounds the values of each of an endpoint's
	// filters (filters.severity, .environments, .cloud_providers).
	EndpointFilterValues = Int{Field: "filters", Min: 0, Max: 64}
)

const (
	// EndpointHeaderName and EndpointHeaderValue bound one custom header,
	// in bytes.
	EndpointHeaderName  = 256
	EndpointHeaderValue = 8192
	// ResponseHeaderBytes bounds the header block of an endpoint's answer
	// as read (net/http's Transport.MaxResponseHeaderBytes): past it the
	// attempt fails "response too large".
	ResponseHeaderBytes = 1 << 20
	// ResponseHeadersRecorded and ResponseHeaderBytesRecorded bound what
	// is recorded of an answer's headers: at most this many, of at most
	// this many bytes in all (name, ": ", value, CRLF); the rest is cut,
	// and the record says how much.
	ResponseHeadersRecorded     = 100
	ResponseHeaderBytesRecorded = 64 << 10
	// BackoffSpan bounds the waits of an exponential ladder whose vendor
	// sets no retry window: retries past it are not made.
	BackoffSpan = 7 * 24 * time.Hour
)
