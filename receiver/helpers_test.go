package receiver

import (
	"cmp"
	"context"
	"strconv"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/validate"
)

// harness is a receiver serving on loopback over a real SQLite file, with
// the default routes (testkit.Harness), and what only the receiver's own
// tests ask of it.
type harness struct {
	*testkit.Harness[*Receiver]
}

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	return &harness{testkit.NewHarness(t, validate.HookPrefix, func(e testkit.Env) (*Receiver, error) {
		if _, err := EnsureDefaultRoutes(context.Background(), e.DB, e.Routes); err != nil {
			return nil, err
		}
		opts.DB, opts.Requests, opts.Routes, opts.Logger = e.DB, e.Requests, e.Routes, cmp.Or(opts.Logger, e.Logger)
		return New(opts)
	})}
}

// setSim changes a route's simulated response through the receiver.
func (h *harness) setSim(name string, sim db.SimResponse) {
	h.T.Helper()
	r := h.Route(name)
	r.Response = sim
	if err := h.Srv.PutRoute(context.Background(), r); err != nil {
		h.T.Fatal(err)
	}
}

// duplicates counts the recorded requests marked duplicate.
func (h *harness) duplicates() int64 {
	h.T.Helper()
	var n int64
	if err := h.DB.Reader().QueryRow(`SELECT count(*) FROM requests WHERE duplicate_of <> 0`).Scan(&n); err != nil {
		h.T.Fatal(err)
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
