package check

func init() {
	addVendor("securityscorecard", "a retry with the same execution_id, retries 1 (2xx); every "+
		"answer within 5 s and 100 KB", securityScorecardScenarios)
}

// securityScorecardScenarios are seed 001's retry rule: a retry carries
// the same execution_id and created_at, with `retries` counting the
// retries already made.
func securityScorecardScenarios(p plan) []Scenario {
	ev := p.sample()
	return []Scenario{
		twice("retry-execution-id", ev+", then its retry: the same execution_id, retries 1", p.expect,
			step{events: event(ev), what: "the first delivery"}, "a retry of the same execution_id"),
	}
}
