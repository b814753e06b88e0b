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
// route form take it and receiver.ValidateRoute checks it before a route is
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
