package check

import (
	"time"

	"github.com/hookscope/hookscope/fixtures"
)

func init() {
	addVendor("codescoring", "another token, no token (4xx); a batch of events in one "+
		"request; the test trigger with its empty payload (2xx)", codeScoringScenarios, "test")
}

// csBatchSize is how many events the batch scenario sends in one request.
const csBatchSize = 3

// codeScoringScenarios are seed 004's rules: the token travels in
// X-CodeScoring-Authentication, the events of one 5-second window go in
// one request, and the Test it button sends the `test` trigger with an
// empty payload.
func codeScoringScenarios(p plan) []Scenario {
	const h = fixtures.CodeScoringTokenHeader
	ev := p.sample()
	reject := p.reject()
	return []Scenario{
		one("wrong-token", ev+" with another token in "+h, reject,
			step{events: event(ev), alter: withOtherToken(h), what: "a wrong token"}),
		one("missing-token", ev+" without "+h, reject,
			step{events: event(ev), alter: dropHeader(h), what: "a request without its token"}),
		one("batch", "several events in one request, as the 5-second window sends them", p.expect,
			step{events: csBatch(p), what: "a batch of events"}),
		one("test-trigger", "the test trigger with its empty payload (the Test it button)", p.expect,
			step{events: event("test"), what: "the test trigger"}),
	}
}

// csBatch is csBatchSize events created within one 5-second window: the
// chosen events first, then the catalogue's, never the test trigger.
func csBatch(p plan) []fixtures.Outgoing {
	var types []string
	seen := map[string]bool{"test": true}
	add := func(t string) {
		if len(types) < csBatchSize && !seen[t] {
			seen[t] = true
			types = append(types, t)
		}
	}
	for _, t := range p.events {
		add(t)
	}
	for _, e := range p.prof.Catalogue() {
		add(e.Type)
	}
	now := time.Now()
	out := make([]fixtures.Outgoing, len(types))
	for i, t := range types {
		out[i] = fixtures.Outgoing{Type: t, CreatedAt: now.Add(time.Duration(i-len(types)+1) * 1500 * time.Millisecond)}
	}
	return out
}
