package sender

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// LoadOptions describe a load run: Count events of Vendor/Event to URL, at
// most Rate per second (0: as fast as possible), Concurrency at once.
type LoadOptions struct {
	Vendor, Event, URL string
	Credentials        fixtures.Credentials
	Count              int
	Rate               float64
	Concurrency        int
	// Payload, when set, is every event's payload instead of a freshly
	// rendered fixture (`hookscope send --payload`); each event is still
	// recorded, framed and signed on its own.
	Payload json.RawMessage
}

// LoadReport is what a load run measured. Every request was a recorded
// delivery with its attempt, exactly as a single send; none is retried.
type LoadReport struct {
	Sent      int `json:"sent"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	// Interrupted counts the requests in flight when the run was stopped
	// (recorded, their deliveries cancelled); Cancelled the deliveries
	// created and not yet sent then (cancelled); NotStarted the requests
	// of Count never created. All are 0 for a run that was not stopped.
	Interrupted int            `json:"interrupted"`
	Cancelled   int            `json:"cancelled"`
	NotStarted  int            `json:"not_started"`
	Errors      map[string]int `json:"errors"` // by error class or status
	ElapsedMS   float64        `json:"elapsed_ms"`
	PerSecond   float64        `json:"requests_per_second"`
	P50MS       float64        `json:"p50_ms"`
	P90MS       float64        `json:"p90_ms"`
	P99MS       float64        `json:"p99_ms"`
	MaxMS       float64        `json:"max_ms"`
	Concurrency int            `json:"concurrency"`
	// latencies are the attempts' durations in ms, sorted (for benchmarks).
	latencies []float64
}

// String renders the report for a terminal.
func (r LoadReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent %d in %.2fs: %.0f req/s at concurrency %d\n", r.Sent, r.ElapsedMS/1000, r.PerSecond, r.Concurrency)
	fmt.Fprintf(&b, "succeeded %d, failed %d\n", r.Succeeded, r.Failed)
	if r.Interrupted+r.Cancelled+r.NotStarted > 0 {
		fmt.Fprintf(&b, "interrupted: %d in flight (recorded, cancelled), %d cancelled before sending, %d never started\n", r.Interrupted, r.Cancelled, r.NotStarted)
	}
	fmt.Fprintf(&b, "latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.P50MS, r.P90MS, r.P99MS, r.MaxMS)
	keys := make([]string, 0, len(r.Errors))
	for k := range r.Errors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %6d  %s\n", r.Errors[k], k)
	}
	return b.String()
}

// Load sends o.Count events to one URL and measures throughput and
// latency (the duration of each HTTP attempt). Every request is a delivery
// like any other: its event and delivery are in SQLite, claimed under a
// lease, before it is sent, and its attempt and outcome are recorded
// after. One writer keeps both sides of that going: each of its writes
// records every attempt finished since the last one and creates the
// deliveries that keep the workers' queue full, so a run costs one write
// per commit, not one per request, and no worker waits on a commit. The
// run's deliveries are private to it: the outbox's workers, here or in
// another process, never send them. When ctx ends the run stops: the
// requests in flight end and are recorded as interrupted, and the
// deliveries not yet sent are cancelled, each saying why (the report
// counts both). A run killed outright cannot do that: its unsent or
// unrecorded deliveries stay claimed by its process until a sender finds
// the process gone and cancels them.
func (s *Sender) Load(ctx context.Context, o LoadOptions) (*LoadReport, error) {
	if o.Count <= 0 {
		return nil, fmt.Errorf("count: must be positive")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.Rate < 0 {
		return nil, fmt.Errorf("rate: must not be negative")
	}
	prof, _, err := fixtures.Find(o.Vendor, o.Event)
	if err != nil {
		return nil, err
	}
	ep, err := s.adHocTarget(ctx, prof, o.URL, o.Credentials, SendOptions{})
	if err != nil {
		return nil, err
	}
	if len(o.Payload) > 0 && !json.Valid(o.Payload) {
		return nil, fmt.Errorf("payload: not valid JSON")
	}
	if err := s.register(ctx); err != nil {
		return nil, err
	}
	l := &loadRun{
		s: s, o: o, ep: ep, prof: prof, pol: prof.Policy(),
		rep: &LoadReport{Errors: map[string]int{}, Concurrency: o.Concurrency},
		lat: make([]float64, 0, o.Count),
	}
	// ahead is how many created deliveries may wait for a worker: enough
	// to keep every worker busy through a commit. limit bounds those
	// created and not yet recorded (queued, in flight or finished).
	ahead := min(max(16*o.Concurrency, 64), 4*loadMaxChunk)
	l.limit = 2*ahead + o.Concurrency
	l.work = make(chan *db.Claimed, ahead)
	l.finished = make(chan *loadResult, l.limit)
	start := time.Now()
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range l.work {
				r := loadResults.Get().(*loadResult)
				if ctx.Err() != nil {
					// Stopped before this one went out: not sent at all.
					*r = loadResult{c: c, out: loadCancelled(c, loadNotSent)}
					l.finished <- r
					continue
				}
				x := s.send(ctx, c, ep, prof, l.pol, false, nil)
				out := s.outcome(c, ep, prof, l.pol, x, false)
				if strings.HasPrefix(x.attempt.Error, ErrClassInterrupted+": ") {
					out = loadCancelled(c, loadInFlight)
				}
				out.BodyEvent = x.bodyEvent
				out.ErrorUnchanged = out.LastError == c.Delivery.LastError
				*r = loadResult{c: c, x: x, out: out, sent: true}
				l.finished <- r
			}
		}()
	}
	l.write(ctx)
	close(l.work)
	wg.Wait()
	elapsed := time.Since(start)
	rep, lat := l.rep, l.lat
	rep.Sent = rep.Succeeded + rep.Failed
	if ctx.Err() != nil {
		rep.NotStarted = o.Count - l.made
	}
	rep.ElapsedMS = ms(elapsed)
	rep.PerSecond = float64(rep.Sent) / elapsed.Seconds()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	rep.P50MS, rep.P90MS, rep.P99MS = pct(0.50), pct(0.90), pct(0.99)
	if len(lat) > 0 {
		rep.MaxMS = lat[len(lat)-1]
	}
	rep.latencies = lat
	if len(l.errs) == rep.Sent && len(l.errs) > 0 {
		return rep, fmt.Errorf("every request failed in hookscope: %w", l.errs[0])
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("load run interrupted after %d of %d requests: %d in flight interrupted, %d cancelled before sending, %d never started: %w",
			rep.Sent, o.Count, rep.Interrupted, rep.Cancelled, rep.NotStarted, err)
	}
	return rep, nil
}

// Why a stopped load run cancelled a delivery (its last error).
const (
	loadNotSent  = "cancelled: the load run was interrupted before this request was sent"
	loadInFlight = "cancelled: the load run was interrupted while this request was in flight; it may or may not have reached the target"
)

// loadCancelled is the outcome of a delivery a stopped run will not send.
func loadCancelled(c *db.Claimed, why string) db.Outcome {
	return db.Outcome{Status: db.DeliveryCancelled, LastError: why, ErrorUnchanged: c.Delivery.LastError == why}
}

// loadMinBatch and loadBatchWait: the writer waits up to loadBatchWait
// for loadMinBatch finished attempts before a write, while the workers
// have work queued.
const (
	loadMinBatch  = 64
	loadBatchWait = 2 * time.Millisecond
)

// loadMaxChunk caps the deliveries a load run creates in one write.
const loadMaxChunk = 256

// loadRun is one Load call's state, owned by its writer (write) except
// for the channels.
type loadRun struct {
	s    *Sender
	o    LoadOptions
	ep   *db.Endpoint
	prof fixtures.Profile
	pol  fixtures.DeliveryPolicy

	work     chan *db.Claimed // created and claimed, for the workers
	finished chan *loadResult // sent, for the writer to record
	limit    int              // bound on created and not yet recorded

	made, recorded int // deliveries created; recorded (or given up)
	rep            *LoadReport
	lat            []float64
	errs           []error
}

// loadResults recycles loadResults: a run hands one from a worker to its
// writer per request, and the writer gives it back once recorded.
var loadResults = sync.Pool{New: func() any { return new(loadResult) }}

// loadResult is a finished attempt waiting to be recorded, or (sent
// false) a delivery the stopped run cancels unsent.
type loadResult struct {
	c    *db.Claimed
	x    exchange
	out  db.Outcome
	sent bool
}

// write is the run's writer. Until every delivery is created and every
// attempt recorded, each turn records what finished and creates what the
// queue has room for (under a rate, what the rate allows so far) in one
// write, then hands the new deliveries to the workers. Once ctx ends it
// creates nothing more, cancels the queued deliveries, and records the
// attempts in flight (they end promptly, interrupted: their context is
// ctx).
func (l *loadRun) write(ctx context.Context) {
	var tick <-chan time.Time
	allowed := l.o.Count
	if l.o.Rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / l.o.Rate))
		defer t.Stop()
		tick, allowed = t.C, 0
	}
	var done []*loadResult
	stopped := false // creating stopped: ctx ended or a create failed
	for {
		if ctx.Err() != nil && !stopped {
			stopped = true
		}
		if stopped {
			// Queued deliveries will not be sent: they are cancelled.
			for {
				select {
				case c := <-l.work:
					r := loadResults.Get().(*loadResult)
					*r = loadResult{c: c, out: loadCancelled(c, loadNotSent)}
					done = append(done, r)
					continue
				default:
				}
				break
			}
		}
		if l.recorded == l.made && (stopped || l.made == l.o.Count) {
			return
		}
	drain:
		for len(done) < 4*loadMaxChunk {
			select {
			case r := <-l.finished:
				done = append(done, r)
			default:
				break drain
			}
		}
		// A commit costs about the same for few records as for many: while
		// the workers have enough queued, wait briefly for a fuller batch.
		if !stopped && len(done) < loadMinBatch && len(l.work) >= l.o.Concurrency {
			timer := time.NewTimer(loadBatchWait)
		gather:
			for len(done) < loadMinBatch {
				select {
				case r := <-l.finished:
					done = append(done, r)
				case <-timer.C:
					break gather
				}
			}
			timer.Stop()
		}
		n := 0
		if !stopped {
			n = min(min(l.o.Count, allowed)-l.made, l.limit-(l.made-l.recorded), cap(l.work)-len(l.work), loadMaxChunk)
			n = max(n, 0)
		}
		if len(done) == 0 && n == 0 {
			// Wait for an attempt to finish, the rate to allow another
			// delivery, or the run to end.
			var stop <-chan struct{}
			if !stopped {
				stop = ctx.Done()
			}
			select {
			case r := <-l.finished:
				done = append(done, r)
			case <-tick:
				allowed++
				continue
			case <-stop:
				continue
			}
		}
		created, err := l.turn(ctx, done, n)
		if err != nil {
			l.fail(err, done)
		}
		for i, r := range done {
			*r = loadResult{} // drop what it holds before it is reused
			loadResults.Put(r)
			done[i] = nil
		}
		done = done[:0]
		if err != nil {
			if n > 0 {
				stopped = true
			}
			continue
		}
		for _, c := range created {
			l.work <- c // room was checked, and only this goroutine sends
		}
	}
}

// turn is one write of the writer: it records done (each attempt with its
// outcome) and creates n events, each with its delivery claimed by this
// process, returning the deliveries.
func (l *loadRun) turn(ctx context.Context, done []*loadResult, n int) ([]*db.Claimed, error) {
	s := l.s
	payloads := make([]json.RawMessage, n)
	ids := make([]string, n)
	exec := executionID(l.o.Payload)
	for i := range payloads {
		p := l.o.Payload
		if len(p) == 0 {
			var err error
			if p, err = s.render(l.prof, l.o.Event, nil); err != nil {
				return nil, err
			}
		}
		payloads[i], ids[i] = p, s.messageID()
	}
	execs := make([]string, n)
	for i := range execs {
		execs[i] = exec
		if len(l.o.Payload) == 0 {
			execs[i] = executionID(payloads[i])
		}
	}
	lost := make([]bool, len(done))
	var out []*db.Claimed
	now := s.clock.Now()
	// The write goes on whatever becomes of ctx: what it records happened.
	wctx := context.WithoutCancel(ctx)
	err := s.db.Write(wctx, func(tx db.Handle) error {
		for i, r := range done {
			var err error
			if r.sent {
				err = s.outbox.Complete(wctx, tx, &r.x.attempt, r.c.Lease, r.out, now)
			} else {
				err = s.outbox.Finish(wctx, tx, r.c.Delivery.ID, r.c.Lease, r.out, now)
			}
			// A lost claim writes nothing (another worker took the
			// delivery over): the failure is this attempt's alone.
			lost[i] = errors.Is(err, db.ErrLeaseLost)
			if err != nil && !lost[i] {
				return err
			}
		}
		// One multi-row statement per table creates the whole batch.
		// A load run is concurrent by request: its deliveries are not
		// ordered, and never retried.
		var err error
		out, err = s.outbox.CreateSingles(wctx, tx, db.NewSingles{
			EndpointID: l.ep.ID, Vendor: l.prof.Name(), Type: l.o.Event, Source: "load",
			Payloads: payloads, ExecutionIDs: execs, MessageIDs: ids, NoRetry: true, ClaimUntil: now.Add(s.lease),
			ClaimedBy: s.owner, Private: true,
		}, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recording a load run to %s: %w", l.ep.URL, err)
	}
	l.made += len(out)
	for i, r := range done {
		if lost[i] {
			l.fail(fmt.Errorf("recording delivery %d: %w", r.c.Delivery.ID, db.ErrLeaseLost), done[i:i+1])
			continue
		}
		l.recorded++
		s.publish(db.ChangeDelivery, r.c.Delivery.ID, "")
		switch {
		case !r.sent:
			l.rep.Cancelled++
			continue
		case r.out.Status == db.DeliveryCancelled:
			l.rep.Interrupted++
			continue
		}
		a := &r.x.attempt
		l.lat = append(l.lat, a.DurationMS)
		if a.Error != "" {
			l.rep.Failed++
			class, _, _ := strings.Cut(a.Error, ": ")
			if a.Response != nil {
				class = fmt.Sprintf("%s %d", class, a.Response.Status)
			}
			l.rep.Errors[class]++
		} else {
			l.rep.Succeeded++
		}
	}
	for _, c := range out {
		s.publish(db.ChangeDelivery, c.Delivery.ID, "")
	}
	return out, nil
}

// fail counts err against the run, for the results it left unrecorded
// (they stay claimed by this process, private: a sender that finds the
// process gone cancels them), or, for none, one request never sent. An
// attempt sent counts as failed; a delivery cancelled unsent, as
// cancelled.
func (l *loadRun) fail(err error, unrecorded []*loadResult) {
	l.errs = append(l.errs, err)
	sent := 0
	for _, r := range unrecorded {
		if r.sent {
			sent++
		} else {
			l.rep.Cancelled++
		}
	}
	if len(unrecorded) == 0 {
		sent = 1
	}
	if sent > 0 {
		l.rep.Errors["hookscope: "+err.Error()] += sent
		l.rep.Failed += sent
	}
	l.recorded += len(unrecorded)
}

// sendOnce records an event and a claimed delivery to ep and runs its
// first attempt now, returning the attempt as recorded.
func (s *Sender) sendOnce(ctx context.Context, ep *db.Endpoint, prof fixtures.Profile, event string, payload []byte, source string, noRetry bool) (*db.Attempt, error) {
	payload, err := s.render(prof, event, payload)
	if err != nil {
		return nil, err
	}
	return s.sendEventsOnce(ctx, ep, prof, []fixtures.Outgoing{{Type: event, Payload: payload}}, source, noRetry, nil)
}

// sendEventsOnce records events (payloads given; raised now unless they
// carry their own time) and one claimed delivery carrying them all to ep,
// framed together as the vendor batches, and runs its first attempt now,
// returning the attempt as recorded. tw alters that attempt for a probe
// (nil: as framed).
func (s *Sender) sendEventsOnce(ctx context.Context, ep *db.Endpoint, prof fixtures.Profile, events []fixtures.Outgoing, source string, noRetry bool, tw *tweak) (*db.Attempt, error) {
	if err := s.register(ctx); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var c *db.Claimed
	err := s.db.Write(ctx, func(tx db.Handle) error {
		evs := make([]db.Event, len(events))
		for i, e := range events {
			at := e.CreatedAt // a replayed event keeps the time it was raised
			if at.IsZero() {
				at = now
			}
			evs[i] = db.Event{Vendor: prof.Name(), Type: e.Type, Payload: e.Payload, CreatedAt: at, Source: source}
			if err := s.outbox.CreateEvent(ctx, tx, &evs[i]); err != nil {
				return err
			}
		}
		lease := now.Add(s.lease)
		d, err := s.outbox.CreateDelivery(ctx, tx, db.NewDelivery{
			EndpointID: ep.ID, Vendor: prof.Name(), Events: evs, Status: db.DeliveryPending,
			ExecutionID: executionID(evs[0].Payload), MessageID: s.messageID(), DueAt: &now,
			Ordered: prof.Policy().Ordered, NoRetry: noRetry, ClaimUntil: lease, ClaimedBy: s.owner,
			TimeScale: s.scale, Runner: s.runner(),
		}, now)
		if err != nil {
			return err
		}
		c = &db.Claimed{Delivery: *d, Events: evs, Ordered: prof.Policy().Ordered, NoRetry: noRetry, Lease: lease}
		return nil
	})
	if err != nil {
		types := make([]string, len(events))
		for i, e := range events {
			types[i] = e.Type
		}
		return nil, fmt.Errorf("sending %s %s to %s: %w", prof.Name(), strings.Join(types, ", "), ep.Name, err)
	}
	s.publish(db.ChangeDelivery, c.Delivery.ID, "")
	return s.attempt(ctx, c, false, tw)
}
