package check

import (
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sender"
)

// Scenario is one thing the vendor will do to the receiver: one request,
// or several (a message and its repeat), each judged against Expect.
type Scenario struct {
	// ID is stable and short ("tampered-body", "event:scan.completed").
	ID string
	// Title says what is sent, for a person.
	Title  string
	Expect Expect
	steps  []step
	// broken, when set, fails the scenario without sending: it could not
	// be built.
	broken error
}

// step is one request of a scenario: new events in one request, or the
// previous step's delivery sent again (the vendor's retry of the same
// message).
type step struct {
	events []fixtures.Outgoing
	again  bool
	// alter forges the framed request (nil: as the vendor frames it).
	alter func(f *sender.Framed) error
	// what names the request in a verdict's reason.
	what string
}

// plan is what the vendor builders get: the run's settings and the events
// chosen for it.
type plan struct {
	prof   fixtures.Profile
	events []string // the catalogue events to send, in order
	expect Expect   // a 2xx expectation with the run's timeout and limit
	creds  fixtures.Credentials
}

// sample is the event the scenarios other than the per-event ones use:
// the first chosen.
func (p plan) sample() string { return p.events[0] }

// reject is p's expectation turned into a refusal, preferring codes.
func (p plan) reject(codes ...int) Expect {
	e := p.expect
	e.Reject, e.Prefer = true, codes
	return e
}

// one is a single-request scenario.
func one(id, title string, e Expect, s step) Scenario {
	return Scenario{ID: id, Title: title, Expect: e, steps: []step{s}}
}

// twice is a scenario sending s, then the same delivery again.
func twice(id, title string, e Expect, s step, againWhat string) Scenario {
	return Scenario{ID: id, Title: title, Expect: e, steps: []step{s, {again: true, what: againWhat}}}
}

// events is the Outgoing list of one event type, rendered by the sender.
func event(typ string) []fixtures.Outgoing { return []fixtures.Outgoing{{Type: typ}} }

// eventScenarios are the per-event scenarios every vendor gets.
func eventScenarios(p plan) []Scenario {
	out := make([]Scenario, 0, len(p.events))
	for _, ev := range p.events {
		if dedicated[p.prof.Name()][ev] {
			continue
		}
		out = append(out, one("event:"+ev, ev+", as "+p.prof.Title()+" sends it", p.expect,
			step{events: event(ev), what: "the event"}))
	}
	return out
}

// dedicated lists, by profile, the events a scenario of their own sends,
// left out of the per-event ones.
var dedicated = map[string]map[string]bool{"codescoring": {"test": true}}

// vendorChecks are a vendor's scenarios beyond the per-event ones: how
// they are built, and what they send and expect in a few words (the help
// of `hookscope check` lists them).
type vendorChecks struct {
	build   func(plan) []Scenario
	summary string
}

// vendorScenarios lists the scenarios beyond the per-event ones, by
// profile name.
var vendorScenarios = map[string]vendorChecks{
	"policycortex": {policyCortexScenarios, "body changed after signing, another secret, no signature, " +
		"signature over re-encoded JSON (4xx, 401/403 preferred); the same event id twice (2xx both times)"},
	"standardwebhooks": {standardWebhooksScenarios, "webhook-timestamp 6 minutes old or ahead (4xx); two " +
		"signatures, the first by an old secret (2xx); the same webhook-id twice (2xx)"},
	"codescoring": {codeScoringScenarios, "another token, no token (4xx); a batch of events in one " +
		"request; the test trigger with its empty payload (2xx)"},
	"securityscorecard": {securityScorecardScenarios, "a retry with the same execution_id, retries 1 (2xx); every " +
		"answer within 5 s and 100 KB"},
	"cyscale": {cyscaleScenarios, "alerts with and without asset fields; previousScore null"},
}

// VendorSummary is what a vendor's scenarios beyond the per-event ones
// send and expect, in a few words; empty for a vendor that has none.
func VendorSummary(vendor string) string { return vendorScenarios[vendor].summary }

// scenarios lists every scenario of a plan, per-event ones first.
func scenarios(p plan) []Scenario {
	out := eventScenarios(p)
	if v, ok := vendorScenarios[p.prof.Name()]; ok {
		out = append(out, v.build(p)...)
	}
	return out
}
