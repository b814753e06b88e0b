package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// A cancelled delivery's countdown says why it will not be sent (as
// skipped, succeeded and failed ones say what became of them), with the
// stored reason neutralised.
func TestCountdownSaysWhyADeliveryWasCancelled(t *testing.T) {
	r := renderer{st: defaultStyles(), loc: time.UTC}
	d := &DeliveryDetail{Delivery: db.Delivery{ID: 1, Status: db.DeliveryCancelled,
		LastError: "cancelled: the load run was interrupted before this request was sent\x1b[2J"}}
	got := r.countdown(d, time.Now(), 1)
	if !strings.Contains(got, "cancelled: the load run was interrupted before this request was sent") || strings.Contains(got, "\x1b[2J") {
		t.Errorf("countdown of a cancelled delivery: %q", got)
	}
}
