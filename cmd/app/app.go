// Package app wires a running hookscope: the database, the receiver, the
// REST API (and the sender), as used by `hookscope serve` and the console,
// and adapts the sender and receiver to the console's Actions
// (ConsoleActions).
//
// It guarantees: both listeners are bound before anything else is done (a
// taken address is an error naming it and the flag that changes it); the
// REST API never shares the receiver's address and binds loopback only;
// Shutdown stops taking requests, lets those in flight finish, flushes
// every write and closes the database.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/pubsub"
	"github.com/hookscope/hookscope/receiver"
	"github.com/hookscope/hookscope/sender"
)

// Default addresses.
const (
	DefaultListen = "127.0.0.1:8088"
	DefaultAPI    = "127.0.0.1:8089"
)

// Config is what a running hookscope is started with.
type Config struct {
	// DBPath is the database file (db.DefaultPath() when empty).
	DBPath string
	// Listen is the receiver's address (DefaultListen when empty).
	Listen string
	// API is the REST API's address (DefaultAPI when empty).
	API string
	// ForwardTo, when set, is the user's service every request is also
	// forwarded to.
	ForwardTo string
	// TimeScale runs vendor retry schedules this many times faster (the
	// sender's; 0 or 1: real time).
	TimeScale float64
	// APIToken, when set, is the bearer token every REST API request must
	// carry; only then may the API bind beyond loopback.
	APIToken string
	// Logger receives the logs (slog.Default() when nil).
	Logger *slog.Logger
	// Kind names this process to others sharing the database ("serve",
	// "console"; see sender.Options.Kind).
	Kind string
	// MinFree is the free-space floor in bytes (0: none; see
	// db.Options.MinFree): below it the receiver and the REST API answer
	// their writes 503 with Retry-After, and /healthz says degraded.
	MinFree int64
	// Attach opens the database beside the process that runs its outbox
	// (see StartAttached): no receiver, REST API or sender loop of its own.
	Attach bool
}

// App is a running hookscope.
type App struct {
	Config Config
	// DB is the open database.
	DB *db.DB
	// Changes carries a db.Change for every row written in this process.
	Changes *pubsub.Broker[db.Change]
	// Requests and Routes are the stores the receiver uses.
	Requests db.RequestStore
	Routes   db.RouteStore
	// Receiver records and answers webhooks.
	Receiver *receiver.Receiver
	// API is the REST API's router: components add their routes to it.
	API *mux.Router
	// Sender delivers events to endpoints from the outbox.
	Sender *sender.Sender

	log        *slog.Logger
	recvLn     net.Listener
	apiLn      net.Listener
	apiServer  *http.Server
	serveErrs  chan error
	stops      []func(context.Context) error
	shutdownMu sync.Mutex
	down       bool
	downErr    error
	// attachedReceiver is the outbox holder's receiver (attached only).
	attachedReceiver string
}

// newApp is an App not yet started: its configuration with the logger
// and database path defaulted, and its change broker.
func newApp(cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DBPath == "" {
		var err error
		if cfg.DBPath, err = db.DefaultPath(); err != nil {
			return nil, err
		}
	}
	return &App{Config: cfg, log: cfg.Logger, Changes: pubsub.New[db.Change](), serveErrs: make(chan error, 2)}, nil
}

// Start opens everything and starts serving. On error nothing is left
// open.
func Start(ctx context.Context, cfg Config) (_ *App, err error) {
	if cfg.Attach {
		return startAttached(ctx, cfg)
	}
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.API == "" {
		cfg.API = DefaultAPI
	}
	a, err := newApp(cfg)
	if err != nil {
		return nil, err
	}
	cfg = a.Config
	defer func() {
		if err != nil {
			a.abort()
		}
	}()

	// Bind first: a taken port fails before anything is touched.
	if err := checkAPIAddr(cfg.API, cfg.Listen, cfg.APIToken != ""); err != nil {
		return nil, err
	}
	if a.recvLn, err = bind(cfg.Listen, "receiver", "--listen"); err != nil {
		return nil, err
	}
	if a.apiLn, err = bind(cfg.API, "API", "--api"); err != nil {
		return nil, err
	}
	if a.apiLn.Addr().String() == a.recvLn.Addr().String() {
		return nil, fmt.Errorf("the API address %s is the receiver's; give --api another port", cfg.API)
	}

	if a.DB, err = db.Open(ctx, cfg.DBPath, db.Options{MinFree: cfg.MinFree, Logger: cfg.Logger}); err != nil {
		return nil, err
	}
	if err := a.DB.Health(ctx); err != nil {
		a.log.Warn("starting degraded", "reason", err)
	}
	// What keeps the process going writes below the free-space floor:
	// the default routes and endpoints (tiny, and written once), the
	// sender's outbox lease and the attempts of deliveries it has taken.
	// The receiver's, the REST API's and the text index's writes do not.
	keep := db.WithoutFloor(ctx)
	a.Requests, a.Routes = db.NewRequestStore(), db.NewRouteStore()
	created, err := receiver.EnsureDefaultRoutes(keep, a.DB, a.Routes)
	if err != nil {
		return nil, err
	}
	if len(created) > 0 {
		a.log.Info("created default receiver routes", "routes", created)
	}
	a.Receiver, err = receiver.New(receiver.Options{
		DB: a.DB, Requests: a.Requests, Routes: a.Routes, Changes: a.Changes,
		Logger: cfg.Logger, ForwardTo: cfg.ForwardTo,
	})
	if err != nil {
		return nil, err
	}
	a.API = api.NewRouter(cfg.Logger, a.DB.Health)
	api.RegisterReceiver(a.API, api.Receiving{DB: a.DB, Requests: a.Requests, Routes: a.Routes, Receiver: a.Receiver})

	// The sender: default endpoints at the receiver's routes, its REST
	// routes, and its workers (stopped before the database closes).
	a.Sender = sender.New(a.DB, sender.Options{Broker: a.Changes, TimeScale: cfg.TimeScale, Logger: cfg.Logger,
		Kind: cfg.Kind, Receiver: a.ReceiverAddr()})
	if eps, err := a.Sender.EnsureDefaultEndpoints(keep, a.ReceiverAddr()); err != nil {
		return nil, err
	} else if len(eps) > 0 {
		a.log.Info("created default endpoints", "count", len(eps))
	}
	api.RegisterSender(a.API, a.Sender)
	if err := a.Sender.Start(context.WithoutCancel(keep)); err != nil {
		return nil, err
	}
	a.onShutdown(func(context.Context) error { a.Sender.Stop(); return nil })

	// The text index of requests and delivery attempts, kept up to date in
	// the background so a text search over many of them reads only the
	// rows that may match.
	indexCtx, stopIndex := context.WithCancel(context.WithoutCancel(ctx))
	indexDone := make(chan struct{})
	go func() {
		defer close(indexDone)
		a.DB.RunTextIndexer(indexCtx, textIndexEvery, a.log)
	}()
	a.onShutdown(func(context.Context) error { stopIndex(); <-indexDone; return nil })

	a.serve()
	return a, nil
}

// textIndexEvery is how often the text indexer looks for closed blocks.
const textIndexEvery = 2 * time.Second

// onShutdown adds a component's stop to Shutdown; stops run last-added
// first, after both servers have stopped and before the database closes.
func (a *App) onShutdown(stop func(context.Context) error) { a.stops = append(a.stops, stop) }

func (a *App) serve() {
	guard := httpx.Guard{Token: a.Config.APIToken, Addr: a.APIAddr()}
	a.apiServer = &http.Server{
		Handler:           guard.Wrap(a.API),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
	}
	go func() {
		if err := a.Receiver.Serve(a.recvLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("the receiver stopped", "err", err)
			a.serveErrs <- fmt.Errorf("receiver: %w", err)
		}
	}()
	go func() {
		if err := a.apiServer.Serve(a.apiLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("the API stopped", "err", err)
			a.serveErrs <- fmt.Errorf("API: %w", err)
		}
	}()
}

// Errors reports a server that stopped on its own (not through Shutdown).
func (a *App) Errors() <-chan error { return a.serveErrs }

// ReceiverAddr is where a client on this machine reaches the receiver
// (host:port): its real address, with 127.0.0.1 for a wildcard host.
// Attached, it is the receiver of the process that runs the outbox, as
// that process recorded it ("" when none did).
func (a *App) ReceiverAddr() string {
	if a.recvLn == nil {
		return a.attachedReceiver
	}
	return reachable(a.recvLn.Addr())
}

// ReceiverListenAddr is the address the receiver listens on, as bound
// ("[::]:8088" for all interfaces; "" attached).
func (a *App) ReceiverListenAddr() string {
	if a.recvLn == nil {
		return ""
	}
	return a.recvLn.Addr().String()
}

// APIAddr is where a client on this machine reaches the REST API
// (host:port), as ReceiverAddr ("" attached: it has none).
func (a *App) APIAddr() string {
	if a.apiLn == nil {
		return ""
	}
	return reachable(a.apiLn.Addr())
}

// APIListenAddr is the address the REST API listens on, as bound (""
// attached).
func (a *App) APIListenAddr() string {
	if a.apiLn == nil {
		return ""
	}
	return a.apiLn.Addr().String()
}

// Shutdown stops taking requests, lets those in flight finish (until ctx
// ends), stops the components, flushes every write and closes the
// database. Calling it again returns the first call's result.
func (a *App) Shutdown(ctx context.Context) error {
	a.shutdownMu.Lock()
	defer a.shutdownMu.Unlock()
	if a.down {
		return a.downErr
	}
	a.down = true
	var errs []error
	if a.apiServer == nil { // attached: nothing served
		return a.stopAttached(ctx)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := a.Receiver.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}()
	var apiErr error
	go func() {
		defer wg.Done()
		if err := a.apiServer.Shutdown(ctx); err != nil {
			a.apiServer.Close()
			apiErr = fmt.Errorf("stopping the API: %w", err)
		}
	}()
	wg.Wait()
	if apiErr != nil {
		errs = append(errs, apiErr)
	}
	for i := len(a.stops) - 1; i >= 0; i-- {
		if err := a.stops[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	a.Changes.Shutdown()
	if err := a.DB.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the database: %w", err))
	}
	a.downErr = errors.Join(errs...)
	return a.downErr
}

// abort releases what a failed Start had opened.
func (a *App) abort() {
	if a.recvLn != nil {
		a.recvLn.Close()
	}
	if a.apiLn != nil {
		a.apiLn.Close()
	}
	if a.DB != nil {
		a.DB.Close()
	}
	a.Changes.Shutdown()
}
