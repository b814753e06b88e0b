package sender

import (
	"context"
	"encoding/json"
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
	Sent        int            `json:"sent"`
	Succeeded   int            `json:"succeeded"`
	Failed      int            `json:"failed"`
	Errors      map[string]int `json:"errors"` // by error class or status
	ElapsedMS   float64        `json:"elapsed_ms"`
	PerSecond   float64        `json:"requests_per_second"`
	P50MS       float64        `json:"p50_ms"`
	P90MS       float64        `json:"p90_ms"`
	P99MS       float64        `json:"p99_ms"`
	MaxMS       float64        `json:"max_ms"`
	Concurrency int            `json:"concurrency"`
}

// String renders the report for a terminal.
func (r LoadReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent %d in %.2fs: %.0f req/s at concurrency %d\n", r.Sent, r.ElapsedMS/1000, r.PerSecond, r.Concurrency)
	fmt.Fprintf(&b, "succeeded %d, failed %d\n", r.Succeeded, r.Failed)
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
// lease, before it is sent (a producer creates them a chunk per write,
// ahead of the workers), and its attempt and outcome are recorded in one
// write after. A run killed midway leaves its unsent deliveries claimed:
// a started sender sends them once their lease expires (at-least-once).
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
	ep, err := s.sendEndpoint(ctx, prof, o.URL, o.Credentials, SendOptions{})
	if err != nil {
		return nil, err
	}
	if len(o.Payload) > 0 && !json.Valid(o.Payload) {
		return nil, fmt.Errorf("payload: not valid JSON")
	}
	pol := prof.Policy()
	// chunk is how many deliveries one write creates: enough to keep every
	// worker busy while the next chunk is written; one at a time under a
	// rate, so that a delivery is created when its turn comes.
	chunk := min(max(2*o.Concurrency, 16), loadMaxChunk)
	if o.Rate > 0 {
		chunk = 1
	}
	work := make(chan *db.Claimed, chunk)
	var (
		mu   sync.Mutex
		lat  = make([]float64, 0, o.Count)
		rep  = &LoadReport{Errors: map[string]int{}, Concurrency: o.Concurrency}
		errs []error
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		rep.Failed++
		rep.Errors["hookscope: "+err.Error()]++
		mu.Unlock()
	}
	start := time.Now()
	go func() {
		defer close(work)
		var tick <-chan time.Time
		if o.Rate > 0 {
			t := time.NewTicker(time.Duration(float64(time.Second) / o.Rate))
			defer t.Stop()
			tick = t.C
		}
		for made := 0; made < o.Count; {
			if tick != nil {
				select {
				case <-tick:
				case <-ctx.Done():
					return
				}
			}
			n := min(chunk, o.Count-made)
			cs, err := s.createLoad(ctx, ep, prof, o.Event, o.Payload, n)
			if err != nil {
				if ctx.Err() == nil {
					fail(err)
				}
				return
			}
			made += n
			for _, c := range cs {
				select {
				case work <- c:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	// A worker hands each finished attempt to its own record write and
	// goes on to the next request: the group commit then gathers many
	// records per transaction, and a commit (or a WAL checkpoint) never
	// holds a request back. The delivery stays claimed until its record
	// commits, so a crash in between resends it (at-least-once). pending
	// bounds the records not yet committed.
	pending := make(chan struct{}, max(256, 16*o.Concurrency))
	tally := func(c *db.Claimed, x exchange, out db.Outcome) {
		defer func() { <-pending }()
		defer wg.Done()
		a, err := s.loadRecord(ctx, c, ep, x, out)
		if err != nil {
			fail(err)
			return
		}
		mu.Lock()
		lat = append(lat, a.DurationMS)
		if a.Error != "" {
			rep.Failed++
			class, _, _ := strings.Cut(a.Error, ": ")
			if a.Response != nil {
				class = fmt.Sprintf("%s %d", class, a.Response.Status)
			}
			rep.Errors[class]++
		} else {
			rep.Succeeded++
		}
		mu.Unlock()
	}
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				x := s.send(ctx, c, ep, prof, pol, false)
				out := s.outcome(c, ep, prof, pol, x, false)
				pending <- struct{}{}
				wg.Add(1)
				go tally(c, x, out)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	rep.Sent = rep.Succeeded + rep.Failed
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
	if len(errs) == rep.Sent && len(errs) > 0 {
		return rep, fmt.Errorf("every request failed in hookscope: %w", errs[0])
	}
	return rep, ctx.Err()
}

// loadMaxChunk caps the deliveries a load run creates in one write.
const loadMaxChunk = 128

// createLoad renders n events (or takes payload) and records them, each with its delivery to
// ep claimed by this process, in one write.
func (s *Sender) createLoad(ctx context.Context, ep *db.Endpoint, prof fixtures.Profile, event string, payload json.RawMessage, n int) ([]*db.Claimed, error) {
	payloads := make([]json.RawMessage, n)
	ids := make([]string, n)
	for i := range payloads {
		p := payload
		if len(p) == 0 {
			var err error
			if p, err = s.render(prof, event, nil); err != nil {
				return nil, err
			}
		}
		payloads[i], ids[i] = p, s.messageID()
	}
	now := s.clock.Now()
	lease := now.Add(s.lease)
	out := make([]*db.Claimed, 0, n)
	err := s.db.Write(ctx, func(tx db.Handle) error {
		out = out[:0]
		for i, p := range payloads {
			ev := db.Event{Vendor: prof.Name(), Type: event, Payload: p, CreatedAt: now, Source: "load"}
			if err := s.outbox.CreateEvent(ctx, tx, &ev); err != nil {
				return err
			}
			// A load run is concurrent by request: its deliveries are not
			// ordered, and never retried.
			d, err := s.outbox.CreateDelivery(ctx, tx, db.NewDelivery{
				EndpointID: ep.ID, Vendor: prof.Name(), Events: []db.Event{ev}, Status: db.DeliveryPending,
				ExecutionID: executionID(p), MessageID: ids[i], DueAt: &now, NoRetry: true, ClaimUntil: lease,
			}, now)
			if err != nil {
				return err
			}
			out = append(out, &db.Claimed{Delivery: *d, Events: []db.Event{ev}, NoRetry: true, Lease: lease})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recording %d load deliveries to %s: %w", n, ep.Name, err)
	}
	return out, nil
}

// sendOnce records an event and a claimed delivery to ep and runs its
// first attempt now, returning the attempt as recorded.
func (s *Sender) sendOnce(ctx context.Context, ep *db.Endpoint, prof fixtures.Profile, event string, payload []byte, source string, noRetry bool) (*db.Attempt, error) {
	payload, err := s.render(prof, event, payload)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var c *db.Claimed
	err = s.db.Write(ctx, func(tx db.Handle) error {
		ev := db.Event{Vendor: prof.Name(), Type: event, Payload: payload, CreatedAt: now, Source: source}
		if err := s.outbox.CreateEvent(ctx, tx, &ev); err != nil {
			return err
		}
		lease := now.Add(s.lease)
		d, err := s.outbox.CreateDelivery(ctx, tx, db.NewDelivery{
			EndpointID: ep.ID, Vendor: prof.Name(), Events: []db.Event{ev}, Status: db.DeliveryPending,
			ExecutionID: executionID(payload), MessageID: s.messageID(), DueAt: &now,
			Ordered: prof.Policy().Ordered, NoRetry: noRetry, ClaimUntil: lease,
		}, now)
		if err != nil {
			return err
		}
		c = &db.Claimed{Delivery: *d, Events: []db.Event{ev}, Ordered: prof.Policy().Ordered, NoRetry: noRetry, Lease: lease}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sending %s %s to %s: %w", prof.Name(), event, ep.Name, err)
	}
	s.publish(db.ChangeDelivery, c.Delivery.ID, "")
	return s.attempt(ctx, c, false)
}

// loadRecord records a load attempt and its outcome in one write.
func (s *Sender) loadRecord(ctx context.Context, c *db.Claimed, ep *db.Endpoint, x exchange, out db.Outcome) (*db.Attempt, error) {
	err := s.db.Write(ctx, func(tx db.Handle) error {
		return s.outbox.Complete(ctx, tx, &x.attempt, c.Lease, out, s.clock.Now())
	})
	if err != nil {
		return nil, fmt.Errorf("recording a load request to %s: %w", ep.Name, err)
	}
	s.publish(db.ChangeDelivery, c.Delivery.ID, "")
	return &x.attempt, nil
}
