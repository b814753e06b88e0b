package api

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/receiver"
	"github.com/hookscope/hookscope/validate"
)

// harness is a receiver serving on loopback over a real SQLite file, with
// the default routes, for the API's routes to read what it recorded.
type harness = testkit.Harness[*receiver.Receiver]

func newHarness(t testing.TB, opts receiver.Options) *harness {
	t.Helper()
	return testkit.NewHarness(t, validate.HookPrefix, func(e testkit.Env) (*receiver.Receiver, error) {
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

// request sends method to url with body (as JSON when not empty) and
// returns the answer's status and body.
func request(method, url, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, nil
}

// call is request, failing the test when it cannot be made.
func call(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	code, b, err := request(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return code, b
}
