package check

import (
	"net/http"

	"github.com/hookscope/hookscope/fixtures"
)

func init() {
	addVendor("policycortex", "body changed after signing, another secret, no signature, "+
		"signature over re-encoded JSON (4xx, 401/403 preferred); the same event id twice (2xx both times)", policyCortexScenarios)
}

// policyCortexScenarios are seed 002's security rules: every payload is
// signed with HMAC-SHA256 over the raw body in X-PolicyCortex-Signature
// (the seed's own verifier answers 401), and delivery is at-least-once.
func policyCortexScenarios(p plan) []Scenario {
	const h = fixtures.PolicyCortexSignatureHeader
	ev := p.sample()
	auth := p.reject(http.StatusUnauthorized, http.StatusForbidden)
	return []Scenario{
		one("tampered-body", ev+" with its body changed after signing", auth,
			step{events: event(ev), alter: tamperBody, what: "a body changed after signing"}),
		one("wrong-secret", ev+" signed with another secret", auth,
			step{events: event(ev), alter: signedWithOtherSecret, what: "a signature by another secret"}),
		one("missing-signature", ev+" without "+h, auth,
			step{events: event(ev), alter: dropHeader(h), what: "an unsigned request"}),
		one("reencoded-json", ev+" signed over re-encoded JSON, not the raw bytes sent", auth,
			step{events: event(ev), alter: signedOverReencoded(h), what: "a signature over re-encoded JSON"}),
		twice("duplicate-id", ev+" delivered twice with the same id (at-least-once)", p.expect,
			step{events: event(ev), what: "the first delivery"}, "the same event again (same id)"),
	}
}
