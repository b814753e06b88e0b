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

// The database and the disk (issue #21: the WAL's bound, the free-space
// floor).
const (
	// WALSize is the WAL's journal_size_limit: the size its file is cut
	// back to when the log starts again, and past which the log is
	// restarted; the file stays within 4x this under any sustained load.
	WALSize = 64 << 20
	// MinFreeMiB is the default free-space floor, in MiB (--min-free):
	// below it the receiver and the API's writes answer 503 with
	// Retry-After, keeping room for a checkpoint (a WAL at its bound) and
	// a prune.
	MinFreeMiB = 256
)

// The free-space floor as a flag takes it (0: no floor).
var MinFree = Int{Field: "--min-free", Min: 0, Max: 1 << 20, Unit: "MiB"}
