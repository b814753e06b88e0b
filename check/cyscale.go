package check

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/fixtures"
)

func init() {
	addVendor("cyscale", "alerts with and without asset fields; previousScore null", cyscaleScenarios)
}

// cyscaleScenarios are seed 000's documented shapes the per-event
// scenarios may not happen to render: alerts with and without asset
// fields in one array (the seed's own example), an alert with no asset at
// all, and a compliance violation whose previousScore is null.
func cyscaleScenarios(p plan) []Scenario {
	type want struct {
		id, event, title string
		fits             func(v any) bool
	}
	var out []Scenario
	for _, w := range []want{
		{"alerts-mixed-assets", "new_alerts", "new_alerts with and without asset fields in one array", func(v any) bool {
			with, without := countAssets(v)
			return with > 0 && without > 0
		}},
		{"alert-without-asset", "new_alerts", "new_alerts with one alert that has no asset fields", func(v any) bool {
			with, without := countAssets(v)
			return with == 0 && without == 1
		}},
		{"previous-score-null", "compliance_threshold_violations", "compliance_threshold_violations with previousScore: null", hasNullPreviousScore},
	} {
		payload, err := renderWhere(p.prof, w.event, w.fits)
		s := one(w.id, w.title, p.expect, step{events: []fixtures.Outgoing{{Type: w.event, Payload: payload}}, what: "the documented shape"})
		if err != nil {
			s.broken = err
		}
		out = append(out, s)
	}
	return out
}

// renderWhere renders event from the fixture with seed after seed until
// the payload fits: the fixture's own rendering, in the shape wanted.
func renderWhere(p fixtures.Profile, event string, fits func(any) bool) (json.RawMessage, error) {
	now := time.Now()
	for seed := int64(1); seed <= 500; seed++ {
		_, b, err := fixtures.RenderEvent(p.Name(), event, seed, now)
		if err != nil {
			return nil, err
		}
		var v any
		if json.Unmarshal(b, &v) == nil && fits(v) {
			return b, nil
		}
	}
	return nil, fmt.Errorf("no %s %s fixture of the wanted shape in 500 seeds", p.Name(), event)
}

// countAssets counts the alerts of a new_alerts array with and without
// an assetID.
func countAssets(v any) (with, without int) {
	list, _ := v.([]any)
	for _, a := range list {
		m, _ := a.(map[string]any)
		if _, ok := m["assetID"]; ok {
			with++
		} else {
			without++
		}
	}
	return with, without
}

// hasNullPreviousScore reports whether a policy's previousScore is null.
func hasNullPreviousScore(v any) bool {
	m, _ := v.(map[string]any)
	list, _ := m["policies"].([]any)
	for _, p := range list {
		pm, _ := p.(map[string]any)
		if prev, ok := pm["previousScore"]; ok && prev == nil {
			return true
		}
	}
	return false
}
