package sender

import (
	"context"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
)

// The sender is tested over a real database, with real HTTP servers
// (testkit.HookServer) as its targets.

// openSender opens a real database in a temp dir and a started sender at
// the given time scale.
func openSender(t *testing.T, scale float64) (*Sender, *db.DB) {
	t.Helper()
	return testkit.OpenStarted(t, func(d *db.DB) *Sender {
		return New(d, Options{TimeScale: scale, Poll: 20 * time.Millisecond, Seed: 7})
	})
}

func raise(t *testing.T, s *Sender, vendor, event string) []db.Delivery {
	t.Helper()
	ds, err := s.Raise(context.Background(), vendor, event, nil, "test")
	if err != nil {
		t.Fatalf("raising %s %s: %v", vendor, event, err)
	}
	return ds
}
