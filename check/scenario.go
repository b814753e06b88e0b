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
		if vendors[p.prof.Name()].dedicated[ev] {
			continue
		}
		out = append(out, one("event:"+ev, ev+", as "+p.prof.Title()+" sends it", p.expect,
			step{events: event(ev), what: "the event"}))
	}
	return out
}

// vendorChecks are a vendor's own scenarios: how they are built beyond the
// per-event ones, what they send and expect in a few words (the help of
// `hookscope check` lists them), and the events they send themselves, left
// out of the per-event ones.
type vendorChecks struct {
	build     func(plan) []Scenario
	summary   string
	dedicated map[string]bool
}

// vendors holds each vendor's own scenarios by profile name, filled by each
// vendor's file through addVendor: adding a vendor's scenarios touches only
// its file.
var vendors = map[string]vendorChecks{}

// addVendor registers profile's own scenarios, their summary and the events
// they send themselves. A profile registered twice is a programming error.
func addVendor(profile, summary string, build func(plan) []Scenario, dedicated ...string) {
	if _, dup := vendors[profile]; dup {
		panic("check: scenarios of " + profile + " registered twice")
	}
	v := vendorChecks{build: build, summary: summary, dedicated: map[string]bool{}}
	for _, ev := range dedicated {
		v.dedicated[ev] = true
	}
	vendors[profile] = v
}

// VendorSummary is what a vendor's scenarios beyond the per-event ones
// send and expect, in a few words; empty for a vendor that has none.
func VendorSummary(vendor string) string { return vendors[vendor].summary }

// scenarios lists every scenario of a plan, per-event ones first.
func scenarios(p plan) []Scenario {
	out := eventScenarios(p)
	if v, ok := vendors[p.prof.Name()]; ok {
		out = append(out, v.build(p)...)
	}
	return out
}
