package receiver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/pubsub"
	"github.com/hookscope/hookscope/validate"
)

// Defaults for Options.
const (
	DefaultBodyLimit         = limits.ReceiverBody
	DefaultMaxHeaderBytes    = limits.ReceiverHeaderBytes
	DefaultReadHeaderTimeout = limits.ReceiverReadHeaderTimeout
	DefaultReadTimeout       = limits.ReceiverReadTimeout
	DefaultIdleTimeout       = limits.ReceiverIdleTimeout
	DefaultForwardTimeout    = limits.ForwardTimeout
	DefaultHangLimit         = limits.HangLimit
	// KeptOnOverflow is how much of a body over the limit is recorded.
	KeptOnOverflow = limits.ReceiverKeptOnOverflow
	// keptResponse is how much of a large (oversized) answer is recorded.
	keptResponse = 64 << 10
)

// Options configure a Receiver. DB is required (Requests and Routes are
// stores whose zero values are ready to use).
type Options struct {
	DB       *db.DB
	Requests db.RequestStore
	Routes   db.RouteStore
	// Changes receives a db.Change for every request recorded and every
	// route written through the receiver (nil: none published).
	Changes *pubsub.Broker[db.Change]
	Logger  *slog.Logger
	// ForwardTo, when set, is the user's service every request is also
	// sent to (see forward.go).
	ForwardTo string

	BodyLimit         int64         // default DefaultBodyLimit
	MaxHeaderBytes    int           // default DefaultMaxHeaderBytes
	ReadHeaderTimeout time.Duration // default DefaultReadHeaderTimeout
	ReadTimeout       time.Duration // whole request, body included; default DefaultReadTimeout
	IdleTimeout       time.Duration // default DefaultIdleTimeout
	ForwardTimeout    time.Duration // default DefaultForwardTimeout
	// HangLimit bounds a simulated hang (the connection is then dropped
	// without an answer); default DefaultHangLimit.
	HangLimit time.Duration
	// RouteTTL is how long the in-memory copy of the routes is trusted
	// before it is reloaded (so that another process's `routes set` is
	// seen); default one second.
	RouteTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Receiver records and answers webhooks. Create it with New, serve it with
// Serve, stop it with Shutdown.
type Receiver struct {
	opts     Options
	log      *slog.Logger
	db       *db.DB
	requests db.RequestStore
	routes   *routeCache
	forward  *forwarder
	recorder *recorder
	handler  http.Handler
	// inspectHook, set by tests, runs first in inspect.
	inspectHook func(*db.Request)

	stopOnce sync.Once
	stopping chan struct{} // closed when Shutdown starts: hangs and delays end

	mu      sync.Mutex
	servers []*http.Server
}

// New builds a receiver.
func New(opts Options) (*Receiver, error) {
	if opts.DB == nil {
		return nil, errors.New("receiver: DB is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	setDefault(&opts.BodyLimit, DefaultBodyLimit)
	setDefault(&opts.MaxHeaderBytes, DefaultMaxHeaderBytes)
	setDefault(&opts.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDefault(&opts.ReadTimeout, DefaultReadTimeout)
	setDefault(&opts.IdleTimeout, DefaultIdleTimeout)
	setDefault(&opts.ForwardTimeout, DefaultForwardTimeout)
	setDefault(&opts.HangLimit, DefaultHangLimit)
	setDefault(&opts.RouteTTL, time.Second)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	rc := &Receiver{
		opts:     opts,
		log:      opts.Logger.With("component", "receiver"),
		db:       opts.DB,
		requests: opts.Requests,
		routes:   newRouteCache(opts.DB, opts.Routes, opts.RouteTTL, opts.Logger),
		stopping: make(chan struct{}),
	}
	if opts.ForwardTo != "" {
		f, err := newForwarder(opts.ForwardTo, opts.ForwardTimeout, opts.BodyLimit)
		if err != nil {
			return nil, err
		}
		rc.forward = f
	}
	rc.handler = rc.router()
	rc.recorder = newRecorder(rc)
	return rc, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// HealthPath answers 200 {"status":"ok"}, or 503 {"status":"degraded"}
// with the reason while the database takes no writes (httpx.Health), and
// is not recorded.
const HealthPath = "/healthz"

func (rc *Receiver) router() http.Handler {
	r := mux.NewRouter()
	// Paths are recorded as sent: no cleaning, no redirect.
	r.SkipClean(true)
	r.Use(httpx.Recover(rc.opts.Logger))
	r.Use(httpx.QuietLogging(rc.opts.Logger))
	r.Handle(HealthPath, httpx.Health(rc.opts.DB.Health)).Methods(http.MethodGet, http.MethodHead)
	r.PathPrefix(validate.HookPrefix).HandlerFunc(rc.serveHook)
	// Anything else is recorded too (a sender posting to the wrong path is
	// exactly what its developer needs to see) and answered 404.
	other := httpx.Recover(rc.opts.Logger)(http.HandlerFunc(rc.serveHook))
	r.NotFoundHandler = other
	r.MethodNotAllowedHandler = other
	return r
}

// Handler is the receiver's HTTP handler (without the header-order
// listener; Serve adds it).
func (rc *Receiver) Handler() http.Handler { return rc.handler }

// Serve answers webhooks on l until Shutdown. It returns
// http.ErrServerClosed after a Shutdown.
func (rc *Receiver) Serve(l net.Listener) error {
	srv := &http.Server{
		Handler:           followDispatch(rc.handler),
		ReadHeaderTimeout: rc.opts.ReadHeaderTimeout,
		ReadTimeout:       rc.opts.ReadTimeout,
		IdleTimeout:       rc.opts.IdleTimeout,
		MaxHeaderBytes:    rc.opts.MaxHeaderBytes,
		ConnContext:       withConn,
		ErrorLog:          slog.NewLogLogger(rc.log.Handler(), slog.LevelDebug),
	}
	rc.mu.Lock()
	select {
	case <-rc.stopping:
		rc.mu.Unlock()
		return http.ErrServerClosed
	default:
	}
	rc.servers = append(rc.servers, srv)
	rc.mu.Unlock()
	// net/http lets a header block run 4 KiB past MaxHeaderBytes.
	return srv.Serve(orderListener{Listener: l, max: rc.opts.MaxHeaderBytes + 8<<10, refused: rc.recordRefused})
}

// Shutdown stops taking requests, ends simulated hangs and delays, and
// waits for requests in flight to be recorded and answered (or ctx to end).
func (rc *Receiver) Shutdown(ctx context.Context) error {
	rc.stopOnce.Do(func() { close(rc.stopping) })
	rc.mu.Lock()
	servers := rc.servers
	rc.mu.Unlock()
	var errs []error
	for _, s := range servers {
		if err := s.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stopping the receiver: %w", err))
			s.Close()
		}
	}
	rc.recorder.close()
	if rc.forward != nil {
		rc.forward.client.CloseIdleConnections()
	}
	return errors.Join(errs...)
}

// routeName extracts the route from a request path ("" outside /hooks/).
func routeName(path string) string {
	name, ok := strings.CutPrefix(path, validate.HookPrefix)
	if !ok {
		return ""
	}
	name, _, _ = strings.Cut(name, "/")
	return name
}
