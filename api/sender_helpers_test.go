package api

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/mux"

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

// senderAPI serves the sender's REST routes over s on loopback until
// cleanup and returns its URL.
func senderAPI(t *testing.T, s *sender.Sender) string {
	t.Helper()
	r := mux.NewRouter()
	RegisterSender(r, s)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}
