package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// The countdown reads a delivery's wait at the time scale the delivery
// was scheduled with, not the console's own: a console at ×600 shows a
// retry scheduled at real time by a serve beside it as a real-time wait,
// and one scheduled at ×600 with its ×600.
func TestCountdownUsesTheDeliverysTimeScale(t *testing.T) {
	r := renderer{st: defaultStyles(), loc: time.UTC}
	now := time.Unix(1700000000, 0)
	detail := func(scale float64, scaledMS int64) *DeliveryDetail {
		next := now.Add(time.Duration(scaledMS) * time.Millisecond)
		w := &db.RetryWait{Retry: 2, Of: 5, VendorWaitMS: int64(90 * time.Minute / time.Millisecond), ScaledWaitMS: scaledMS, Reason: "schedule"}
		return &DeliveryDetail{Delivery: db.Delivery{ID: 1, Status: db.DeliveryRetrying, NextAttemptAt: &next, Wait: w, TimeScale: scale}, Wait: w}
	}
	realTime := r.countdown(detail(1, int64(89*time.Minute/time.Millisecond)), now, 600)
	if strings.Contains(realTime, "×600") {
		t.Errorf("a real-time delivery is shown at the console's ×600: %q", realTime)
	}
	if !strings.Contains(realTime, "retry 2 of 5 in") || !strings.Contains(realTime, "vendor waits") {
		t.Errorf("countdown of a real-time retry: %q", realTime)
	}
	scaled := r.countdown(detail(600, 9000), now, 1)
	if !strings.Contains(scaled, "×600 → ") {
		t.Errorf("a delivery scheduled at ×600, in a console at ×1, does not show its ×600: %q", scaled)
	}
}
