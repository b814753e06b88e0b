package api

import (
	"cmp"
	"context"
	"net/http"
	"testing"

	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/receiver"
)

// harness is a receiver serving on loopback over a real SQLite file, with
// the default routes, for the API's routes to read what it recorded.
type harness = testkit.Harness[*receiver.Receiver]

func newHarness(t testing.TB, opts receiver.Options) *harness {
	t.Helper()
	return testkit.NewHarness(t, receiver.HookPrefix, func(e testkit.Env) (*receiver.Receiver, error) {
		opts.DB, opts.Requests, opts.Routes, opts.Logger = e.DB, e.Requests, e.Routes, cmp.Or(opts.Logger, e.Logger)
		if _, err := receiver.EnsureDefaultRoutes(context.Background(), opts.DB, opts.Routes); err != nil {
			return nil, err
		}
		return receiver.New(opts)
	})
}

// wire is an unsigned JSON POST of body.
func wire(body []byte) fixtures.Wire {
	return fixtures.Wire{Method: http.MethodPost, Header: fixtures.NewHeader("Content-Type", "application/json"), Body: body}
}
