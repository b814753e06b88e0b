package check

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/sender"
)

// Config is one run of the check.
type Config struct {
	// Vendor is the profile played ("policycortex", ...).
	Vendor string
	// URL is the receiver under test.
	URL string
	// Credentials are what the receiver was configured with: the secret
	// for a signing vendor, the token for CodeScoring.
	Credentials fixtures.Credentials
	// Events narrows the per-event scenarios (empty: the whole catalogue);
	// the first is the one the other scenarios send.
	Events []string
	// TimeoutSeconds is the endpoint's timeout_seconds for a vendor that
	// lets it be configured (PolicyCortex; 0: its default, 30).
	TimeoutSeconds int
	// Timeout overrides every attempt's timeout (0: the vendor's). Tests
	// set a short one.
	Timeout time.Duration
	// Sender sends and records every request.
	Sender *sender.Sender
	// Run tags the run's deliveries (empty: a random tag).
	Run string
	// Logger logs each scenario's verdict (default slog.Default()).
	Logger *slog.Logger
}

// ConfigError is a Config that cannot run: bad input, not a failure of
// the receiver.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func configErr(format string, args ...any) error {
	return &ConfigError{fmt.Errorf(format, args...)}
}

// configurableTimeout lists the vendors whose timeout is the endpoint's
// timeout_seconds.
var configurableTimeout = map[string]bool{"policycortex": true}

// prepare validates c and builds the plan.
func prepare(c Config) (plan, error) {
	prof, err := fixtures.Lookup(c.Vendor)
	if err != nil {
		return plan{}, &ConfigError{err}
	}
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return plan{}, configErr("--to %q: give an http:// or https:// URL", c.URL)
	}
	var events []string
	for _, e := range c.Events {
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	if len(events) == 0 {
		for _, e := range prof.Catalogue() {
			events = append(events, e.Type)
		}
	}
	for _, e := range events {
		if _, _, err := fixtures.Find(prof.Name(), e); err != nil {
			return plan{}, &ConfigError{err}
		}
	}
	switch prof.Auth() {
	case fixtures.AuthSecret:
		if c.Credentials.Secret == "" {
			return plan{}, configErr("%s signs every request: give the receiver's secret with --secret", prof.Title())
		}
		// Frame once to check the secret is usable (Standard Webhooks
		// wants whsec_ and base64).
		_, payload, err := fixtures.RenderEvent(prof.Name(), events[0], 1, time.Now())
		if err == nil {
			_, err = prof.Frame([]fixtures.Outgoing{{Type: events[0], Payload: payload}}, fixtures.FrameOptions{Credentials: c.Credentials, Now: time.Now()})
		}
		if err != nil {
			return plan{}, configErr("--secret: %v", err)
		}
	case fixtures.AuthToken:
		if c.Credentials.Token == "" && prof.Name() == "codescoring" {
			return plan{}, configErr("%s sends a token in %s: give the receiver's token with --token", prof.Title(), fixtures.CodeScoringTokenHeader)
		}
	}
	if err := limits.EndpointTimeoutSeconds.Named("--timeout-seconds").Check(int64(c.TimeoutSeconds)); err != nil {
		return plan{}, &ConfigError{err}
	}
	if c.TimeoutSeconds > 0 && !configurableTimeout[prof.Name()] {
		return plan{}, configErr("--timeout-seconds: %s's timeout is its own (%s), not the endpoint's", prof.Title(), prof.Policy().Timeout)
	}
	pol := prof.Policy()
	within := pol.Timeout
	if c.TimeoutSeconds > 0 {
		within = time.Duration(c.TimeoutSeconds) * time.Second
	}
	if c.Timeout > 0 {
		within = c.Timeout
	}
	if within <= 0 {
		within = 30 * time.Second
	}
	return plan{prof: prof, events: events, creds: c.Credentials,
		expect: Expect{Within: within, Limit: pol.ResponseLimit}}, nil
}

// Scenarios lists what a run of c would do, without sending anything.
func Scenarios(c Config) ([]Scenario, error) {
	p, err := prepare(c)
	if err != nil {
		return nil, err
	}
	return scenarios(p), nil
}

// Run runs every scenario of c against c.URL, one after another, and
// returns the report. The error is a *ConfigError for bad input, or what
// stopped the run (the database, a cancelled ctx); a failing receiver is
// no error: it is in the report.
func Run(ctx context.Context, c Config) (*Report, error) {
	p, err := prepare(c)
	if err != nil {
		return nil, err
	}
	if c.Sender == nil {
		return nil, errors.New("check: no sender")
	}
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	run := c.Run
	if run == "" {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("tagging the check run: %w", err)
		}
		run = hex.EncodeToString(b[:])
	}
	rep := &Report{Run: run, Vendor: p.prof.Name(), URL: c.URL, StartedAt: time.Now().UTC(), Results: []Result{}}
	for _, s := range scenarios(p) {
		res, err := runScenario(ctx, c, p, run, s)
		if err == nil {
			// An interrupted run says so rather than blame the receiver
			// for the requests it cut short.
			err = ctx.Err()
		}
		if err != nil {
			return rep, fmt.Errorf("check %s, scenario %s: %w", run, s.ID, err)
		}
		log.Debug("check scenario", "run", run, "scenario", s.ID, "verdict", res.Verdict, "reason", res.Reason)
		rep.add(res)
	}
	rep.DurationMS = float64(time.Since(rep.StartedAt)) / float64(time.Millisecond)
	return rep, nil
}

// runScenario sends a scenario's steps and judges every answer; the
// scenario's verdict is the worst, with that answer's reason.
func runScenario(ctx context.Context, c Config, p plan, run string, s Scenario) (Result, error) {
	res := Result{ID: s.ID, Scenario: s.Title, Expect: s.Expect.String(), Verdict: Pass, Sent: []Exchange{}}
	if s.broken != nil {
		res.Verdict, res.Reason = Fail, "could not be built: "+s.broken.Error()
		return res, nil
	}
	opts := sender.ProbeOptions{
		Credentials:    p.creds,
		Timeout:        c.Timeout,
		TimeoutSeconds: c.TimeoutSeconds,
		Label:          "check " + run + "/" + s.ID,
		Source:         "check " + run,
	}
	var last *db.Delivery
	for i, st := range s.steps {
		opts.Alter = st.alter
		var (
			d   *db.Delivery
			err error
		)
		if st.again && last != nil {
			d, err = c.Sender.ProbeAgain(ctx, last.ID, opts)
		} else {
			d, err = c.Sender.Probe(ctx, p.prof.Name(), c.URL, st.events, opts)
		}
		if err != nil {
			return res, err
		}
		if len(d.Attempts) == 0 {
			return res, fmt.Errorf("delivery %d has no attempt recorded", d.ID)
		}
		last = d
		x := judge(s.Expect, &d.Attempts[len(d.Attempts)-1], st.what)
		res.Sent = append(res.Sent, x)
		if i == 0 || x.Verdict.worse(res.Verdict) {
			res.Verdict, res.Reason = x.Verdict, x.Reason
			if len(s.steps) > 1 && x.Verdict != Pass {
				res.Reason = fmt.Sprintf("request %d of %d: %s", i+1, len(s.steps), x.Reason)
			}
		}
	}
	if len(s.steps) > 1 && res.Verdict == Pass {
		res.Reason = fmt.Sprintf("accepted all %d deliveries", len(s.steps))
	}
	return res, nil
}
