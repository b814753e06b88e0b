package api

import (
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/sender"
)

// The sender's side of the API is tested against a real sender over a real
// database, with real HTTP servers (testkit.HookServer) as its targets.

// openSender opens a real database in a temp dir and a started sender at
// the given time scale.
func openSender(t *testing.T, scale float64) (*sender.Sender, *db.DB) {
	t.Helper()
	return testkit.OpenStarted(t, func(d *db.DB) *sender.Sender {
		return sender.New(d, sender.Options{TimeScale: scale, Poll: 20 * time.Millisecond, Seed: 7})
	})
}
