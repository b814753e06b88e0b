package check

import (
	"time"
)

// Verdict is how a scenario went.
type Verdict string

// The verdicts, from best to worst.
const (
	Pass Verdict = "pass"
	Warn Verdict = "warn"
	Fail Verdict = "fail"
)

// worse reports whether v is a worse verdict than w.
func (v Verdict) worse(w Verdict) bool { return rank(v) > rank(w) }

func rank(v Verdict) int {
	switch v {
	case Warn:
		return 1
	case Fail:
		return 2
	}
	return 0
}

// Exchange is one request a scenario sent and what came back.
type Exchange struct {
	// DeliveryID and Attempt locate the recorded request.
	DeliveryID int64 `json:"delivery_id"`
	Attempt    int   `json:"attempt"`
	// Status is the answer's HTTP status (0: no answer).
	Status    int     `json:"status"`
	LatencyMS float64 `json:"latency_ms"`
	// Excerpt is the start of the answer's body, neutralised.
	Excerpt string `json:"excerpt,omitempty"`
	// Error is the transport error or the broken limit, neutralised.
	Error   string  `json:"error,omitempty"`
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason"`
}

// Result is one scenario's outcome.
type Result struct {
	ID       string     `json:"id"`
	Scenario string     `json:"scenario"`
	Expect   string     `json:"expect"`
	Verdict  Verdict    `json:"verdict"`
	Reason   string     `json:"reason"`
	Sent     []Exchange `json:"exchanges"`
}

// Report is a whole run.
type Report struct {
	// Run tags every delivery of the run (Event.Source "check <run>").
	Run        string    `json:"run"`
	Vendor     string    `json:"vendor"`
	URL        string    `json:"url"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS float64   `json:"duration_ms"`
	Passed     int       `json:"passed"`
	Warned     int       `json:"warned"`
	Failed     int       `json:"failed"`
	Results    []Result  `json:"scenarios"`
}

// OK reports whether no scenario failed (warnings allowed).
func (r *Report) OK() bool { return r.Failed == 0 }

// add appends a result and counts its verdict.
func (r *Report) add(res Result) {
	r.Results = append(r.Results, res)
	switch res.Verdict {
	case Pass:
		r.Passed++
	case Warn:
		r.Warned++
	default:
		r.Failed++
	}
}
