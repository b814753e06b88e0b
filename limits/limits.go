package limits

import (
	"math"
	"time"
)

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

// A route's simulated answer, as the API, `routes set` and the console's
// route form take it and validate.Route checks it before a route is
// stored. A status or fail status of 0 is "not set" (200, 500) and is not
// checked; 1xx is refused, since net/http sends a 1xx as an interim answer
// and then a 200 of its own.
var (
	RouteStatus     = Int{Field: "status", Min: 200, Max: 599}
	RouteFailStatus = Int{Field: "fail_status", Min: 200, Max: 599}
	RouteDelayMS    = Int{Field: "delay_ms", Min: 0, Max: (10 * time.Minute).Milliseconds(), Unit: "ms"}
	RouteFailFirst  = Int{Field: "fail_first", Min: 0, Max: 1_000_000}
	RouteFailRate   = Float{Field: "failure_rate", Min: 0, Max: 1}
	RouteOversize   = Int{Field: "oversize_bytes", Min: 0, Max: 1 << 30, Unit: "bytes"}
)

const (
	// RouteBody bounds a route's own answer body, in bytes.
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

// A route's simulated answer, continued (the receiver's routes).
var (
	// RouteSeed takes any 64-bit integer; declared so that one past int64
	// is refused naming the field and its range, like the other numbers
	// of a route.
	RouteSeed = Int{Field: "seed", Min: math.MinInt64, Max: math.MaxInt64}
)

// The user's fixtures folder (--fixtures): what hookscope reads from it.
const (
	// UserFixtureBytes bounds one VENDOR/EVENT.json file.
	UserFixtureBytes = 1 << 20
	// UserFixturesTotal bounds what is read from the whole folder.
	UserFixturesTotal = 64 << 20
)

// The API's edge and the CLI's numbers (issue #21): wrong API tokens, the
// text of a search, ids and pages everywhere, and the numeric flags of
// send, serve, the console, check and prune.
var (
	// ID bounds an id a user gives: a path's {id}, a before or endpoint_id
	// cursor, a command's ID argument, the console's :go ID.
	ID = Int{Field: "id", Min: 1, Max: math.MaxInt64}
	// PageSize bounds `limit` on a list (the API's limit, --limit).
	PageSize = Int{Field: "limit", Min: 1, Max: Page}
	// SearchText bounds, in bytes, the text a list is searched for (the
	// API's q, --search, the console's filter): SQLite refuses a LIKE
	// pattern past 50,000 bytes, and every row a search reads is matched
	// against the whole text.
	SearchText = Int{Field: "q", Min: 0, Max: 1024, Unit: "bytes"}
	// TimeScale bounds --time-scale (serve, the console, send): a positive
	// factor; at its top a 30-day schedule runs in 26 s.
	TimeScale = Float{Field: "--time-scale", Min: 0.001, Max: 100_000}
	// LoadCount, LoadConcurrency and LoadRate bound a load run (send
	// --count, --concurrency, --rate; 0 events: no load run, rate 0: as
	// fast as possible).
	LoadCount       = Int{Field: "--count", Min: 0, Max: 1_000_000}
	LoadConcurrency = Int{Field: "--concurrency", Min: 1, Max: 1000}
	LoadRate        = Float{Field: "--rate", Min: 0, Max: 100_000, Unit: "per s"}
	// PruneDays bounds a prune's "Nd" (prune --older-than, the console's
	// prune).
	PruneDays = Int{Field: "--older-than", Min: 1, Max: 99_999, Unit: "days"}
)

const (
	// TokenFailures wrong API tokens from one address within TokenWindow
	// are answered 401; past them every wrong token from that address is
	// answered 429 with Retry-After until the window, counted from its
	// first failure, ends. The right token is always answered at once.
	TokenFailures = 10
	TokenWindow   = time.Minute
	// TokenTrackedAddrs bounds the addresses (an IPv6 address counts by
	// its /64) whose failures are remembered; past it the address whose
	// last failure is oldest is forgotten.
	TokenTrackedAddrs = 4096
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
