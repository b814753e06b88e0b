package check

import (
	"time"

	"github.com/hookscope/hookscope/fixtures"
)

func init() {
	addVendor("standardwebhooks", "webhook-timestamp 6 minutes old or ahead (4xx); two "+
		"signatures, the first by an old secret (2xx); the same webhook-id twice (2xx)", standardWebhooksScenarios)
}

// swSkew is how far the stale and future scenarios move webhook-timestamp:
// past the Standard Webhooks 5-minute tolerance.
const swSkew = fixtures.SWTolerance + time.Minute

// standardWebhooksScenarios are the Standard Webhooks rules: a
// webhook-timestamp outside 5 minutes is refused, any one of several
// space-separated signatures may match (secret rotation), and a message
// keeps its webhook-id on every retry.
func standardWebhooksScenarios(p plan) []Scenario {
	ev := p.sample()
	reject := p.reject()
	return []Scenario{
		one("stale-timestamp", ev+" with webhook-timestamp 6 minutes old", reject,
			step{events: event(ev), alter: signedAt(-swSkew), what: "a timestamp older than 5 minutes"}),
		one("future-timestamp", ev+" with webhook-timestamp 6 minutes ahead", reject,
			step{events: event(ev), alter: signedAt(swSkew), what: "a timestamp more than 5 minutes ahead"}),
		one("rotated-secret", ev+" with two signatures, the first by an old secret", p.expect,
			step{events: event(ev), alter: signedByOldSecretFirst(fixtures.SWSignatureHeader), what: "a valid signature after an old one"}),
		twice("duplicate-webhook-id", ev+" delivered twice with the same webhook-id", p.expect,
			step{events: event(ev), what: "the first delivery"}, "the same webhook-id again"),
	}
}
