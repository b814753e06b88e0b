package sender

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/pubsub"
)

// Options tune a Sender. The zero value is usable.
type Options struct {
	// Broker receives a db.Change for every state change (nil: none).
	Broker *pubsub.Broker[db.Change]
	// Clock is the time source (default: the wall clock).
	Clock Clock
	// TimeScale divides every wait (retry delays, the batch window):
	// 60 runs a 1-minute retry after 1 second. 0 or 1 is real time.
	TimeScale float64
	// Workers bounds the attempts in flight at once (default 32).
	Workers int
	// Poll is how often the outbox is checked for work this process was
	// not told about (written by another process; default 1 s).
	Poll time.Duration
	// Lease is how long a claim lasts (default 2 min; it must exceed the
	// longest attempt timeout, which validation caps at 100 s). A claim
	// names its process: once that process is gone from this host, another
	// takes the delivery up at its due time; the lease is for a holder it
	// cannot judge (another host, a reused pid).
	Lease time.Duration
	// Transport carries the requests (default: a tuned http.Transport).
	Transport http.RoundTripper
	// Seed makes rendered fixtures deterministic (0: random).
	Seed uint64
	// Logger logs the sender's background work (default slog.Default()).
	Logger *slog.Logger
	// Kind names the process for the others sharing its database ("serve",
	// "console"; default "hookscope").
	Kind string
	// Receiver is this process's receiver address (host:port; empty: none).
	// While this process holds the outbox, the default endpoints
	// (local-...) point at it.
	Receiver string
	// OwnOnly: this process never holds the outbox; it sends only the
	// deliveries it creates, which no other process sends while it runs
	// (a `hookscope send` run). Once it stops or is gone they fall to the
	// outbox's holder.
	OwnOnly bool
}

// Sender delivers events to endpoints from the durable outbox.
type Sender struct {
	db         *db.DB
	endpoints  db.EndpointStore
	deliveries db.DeliveryStore
	routes     db.RouteStore
	requests   db.RequestStore
	outbox     db.OutboxStore
	broker     *pubsub.Broker[db.Change]
	clock      Clock
	scale      float64
	workers    int
	poll       time.Duration
	lease      time.Duration
	client     *http.Client
	log        *slog.Logger

	// owner is the id this sender's claims are recorded under, proc the
	// process it stands for; registered once its row is written.
	owner      int64
	proc       processID
	registered atomic.Bool
	// reapedAt is when the dispatcher last looked for processes gone.
	reapedAt time.Time

	// kind, receiver and ownOnly are Options'; holding is set while this
	// process holds the outbox, heldAt is when the dispatcher last took
	// or renewed it.
	kind     string
	receiver string
	ownOnly  bool
	holding  atomic.Bool
	heldAt   time.Time

	rngMu sync.Mutex
	rng   *rand.Rand

	wake     chan struct{}
	inflight atomic.Int64
	freed    chan struct{}
	cancel   context.CancelFunc
	done     chan struct{}
	attempts sync.WaitGroup
}

// MaxTimeoutSeconds caps an endpoint's timeout_seconds (below the lease).
var MaxTimeoutSeconds = int(limits.EndpointTimeoutSeconds.Max)

// New makes a Sender over an open database. It sends nothing until Start;
// the actions (Raise, RetryNow, Test, ...) work without Start, but only a
// started Sender carries out scheduled retries.
func New(d *db.DB, opts Options) *Sender {
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.TimeScale <= 0 {
		opts.TimeScale = 1
	}
	if opts.Workers <= 0 {
		opts.Workers = 32
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Kind == "" {
		opts.Kind = "hookscope"
	}
	if opts.Transport == nil {
		opts.Transport = &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: max(opts.Workers, 64),
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
			// Accept-Encoding is then exactly what the profile sets, so the
			// recorded request is the request sent.
			DisableCompression: true,
			// An answer's header block is bounded like its body.
			MaxResponseHeaderBytes: limits.ResponseHeaderBytes,
		}
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Sender{
		db:         d,
		endpoints:  db.NewEndpointStore(),
		deliveries: db.NewDeliveryStore(),
		routes:     db.NewRouteStore(),
		requests:   db.NewRequestStore(),
		outbox:     db.NewOutboxStore(),
		broker:     opts.Broker,
		clock:      opts.Clock,
		scale:      opts.TimeScale,
		workers:    opts.Workers,
		poll:       opts.Poll,
		lease:      opts.Lease,
		client: &http.Client{
			Transport: opts.Transport,
			// Vendors do not follow redirects: the 3xx is the answer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		log:      opts.Logger,
		kind:     opts.Kind,
		receiver: opts.Receiver,
		ownOnly:  opts.OwnOnly,
		owner:    newOwnerID(),
		proc:     thisProcess(),
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		wake:     make(chan struct{}, 1),
		freed:    make(chan struct{}, 1),
	}
}

// TimeScale is the factor waits are divided by.
func (s *Sender) TimeScale() float64 { return s.scale }

// Start runs the outbox workers until Stop or ctx ends.
func (s *Sender) Start(ctx context.Context) error {
	if s.done != nil {
		return errors.New("sender already started")
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	// Take the outbox now if it is free, so that the default endpoints
	// follow this process's receiver before Start returns.
	s.hold(ctx)
	go s.loop(ctx)
	return nil
}

// Stop ends the workers, waits for attempts in flight to be recorded, and
// gives the outbox and this process's own deliveries up (see OwnOnly), so
// another process carries them on at once.
func (s *Sender) Stop() {
	if s.cancel == nil {
		s.unhold()
		return
	}
	s.cancel()
	<-s.done
	s.attempts.Wait()
	s.unhold()
}

// notify wakes the dispatcher: there may be work due now.
func (s *Sender) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Sender) publish(kind string, id int64, name string) {
	s.broker.Publish(db.Change{Kind: kind, ID: id, Name: name})
}

// loop claims due deliveries and hands them to workers, sleeping until the
// next due time, a wake-up, a freed worker or the poll interval.
func (s *Sender) loop(ctx context.Context) {
	defer close(s.done)
	for ctx.Err() == nil {
		if time.Since(s.heldAt) >= s.poll {
			s.hold(ctx)
		}
		free := s.workers - int(s.inflight.Load())
		claimed := 0
		if free > 0 {
			ids, err := s.claimDue(ctx, free)
			if err != nil && ctx.Err() == nil {
				s.log.Error("claiming due deliveries", "err", err)
			}
			claimed = len(ids)
			for _, id := range ids {
				s.inflight.Add(1)
				s.attempts.Add(1)
				go func() {
					defer s.attempts.Done()
					defer func() {
						s.inflight.Add(-1)
						select {
						case s.freed <- struct{}{}:
						default:
						}
					}()
					if err := s.process(context.WithoutCancel(ctx), id, false); err != nil {
						s.log.Error("delivering", "delivery", id, "err", err)
					}
				}()
			}
		}
		if free > 0 && claimed == free {
			continue // there may be more due work
		}
		wait := s.poll
		if free > claimed {
			next, err := s.outbox.NextDue(ctx, s.db.Reader(), s.owner, !s.holding.Load(), s.clock.Now())
			if err == nil && !next.IsZero() {
				wait = min(wait, max(next.Sub(s.clock.Now()), time.Millisecond))
			}
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-s.freed:
		case <-s.clock.After(wait):
		}
	}
}

// claimDue claims up to limit due deliveries for this process (while it
// does not hold the outbox, only those it runs alone), first
// (at most once per poll interval) taking up those of processes gone.
func (s *Sender) claimDue(ctx context.Context, limit int) ([]int64, error) {
	if err := s.register(ctx); err != nil {
		return nil, err
	}
	var ids []int64
	now := s.clock.Now()
	reap := time.Since(s.reapedAt) >= s.poll
	err := s.db.Write(ctx, func(tx db.Handle) error {
		if reap {
			if err := s.reapGone(ctx, tx, now); err != nil {
				return err
			}
		}
		var err error
		ids, err = s.outbox.ClaimDue(ctx, tx, s.owner, !s.holding.Load(), now, now.Add(s.lease), limit)
		return err
	})
	if err == nil && reap {
		s.reapedAt = time.Now()
	}
	return ids, err
}

// process runs one attempt of a delivery this process has claimed.
func (s *Sender) process(ctx context.Context, id int64, manual bool) error {
	c, err := s.outbox.LoadClaimed(ctx, s.db.Reader(), id)
	if err != nil {
		return err
	}
	_, err = s.attempt(ctx, c, manual, nil)
	return err
}

// endpoint loads one of the user's endpoints: the ad-hoc target of a send
// is not one (ErrNotFound).
func (s *Sender) endpoint(ctx context.Context, id int64) (*db.Endpoint, error) {
	ep, err := s.target(ctx, id)
	if err != nil {
		return nil, err
	}
	if ep.AdHoc {
		return nil, fmt.Errorf("loading endpoint %d: %w", id, db.ErrNotFound)
	}
	return ep, nil
}

// target loads the endpoint a delivery goes to: one of the user's, or the
// ad-hoc target of a send (the store's error already says what was loaded
// and what was wrong).
func (s *Sender) target(ctx context.Context, id int64) (*db.Endpoint, error) {
	return s.endpoints.GetEndpoint(ctx, s.db.Reader(), id)
}
