package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

func TestRoutesSetAndList(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "routes.db")
	out, err := runCLI(t, "--db", dbPath, "routes", "set", "policycortex", "--fail-first", "2", "--status", "202", "--delay", "10ms")
	if err != nil || !strings.Contains(out, "202, first 2 fail 500, delay 10ms") {
		t.Fatalf("set: %v %q", err, out)
	}
	out, err = runCLI(t, "--db", dbPath, "routes", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var routes []api.RouteView
	if err := json.Unmarshal([]byte(out), &routes); err != nil {
		t.Fatalf("list --json is not JSON: %v\n%s", err, out)
	}
	var pc *api.RouteView
	for i := range routes {
		if routes[i].Name == "policycortex" {
			pc = &routes[i]
		}
	}
	if len(routes) != 7 || pc == nil || pc.Response.Status != 202 || pc.Response.FailFirst != 2 {
		t.Fatalf("routes: %d, policycortex %+v", len(routes), pc)
	}
	// The secret is printed masked, never in full.
	d, err := db.Open(context.Background(), dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.NewRouteStore().GetRoute(context.Background(), d.Reader(), "policycortex")
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	if stored.Secret == "" || pc.Secret != fixtures.MaskSecret(stored.Secret) || strings.Contains(out, stored.Secret) {
		t.Fatalf("routes list --json does not mask the secret: %q (stored %d chars)", pc.Secret, len(stored.Secret))
	}
	// A new route needs a profile, and bad values are usage errors.
	if _, err := runCLI(t, "--db", dbPath, "routes", "set", "mine"); !errors.As(err, new(usageError)) {
		t.Errorf("new route without --profile: %v", err)
	}
	if _, err := runCLI(t, "--db", dbPath, "routes", "set", "mine", "--profile", "generic", "--failure-rate", "1.5"); err == nil || !strings.Contains(err.Error(), "--failure-rate") {
		t.Errorf("failure rate 1.5: %v", err)
	}
	if _, err := runCLI(t, "--db", dbPath, "routes", "set", "mine", "--profile", "generic", "--token", "abc"); err != nil {
		t.Errorf("new generic route: %v", err)
	}
	// The prompt's words, on top of what the route holds: only the status
	// and the header change.
	out, err = runCLI(t, "--db", dbPath, "routes", "set", "policycortex", "status=503", `header="Retry-After: 5"`)
	if err != nil || !strings.Contains(out, "503, first 2 fail 500, delay 10ms, 1 header(s)") {
		t.Fatalf("set with words: %v %q", err, out)
	}
	if _, err := runCLI(t, "--db", dbPath, "routes", "set", "policycortex", "delay_ms=9223372036854775807"); !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "delay_ms: 9223372036854775807 is outside 0..600000 ms") {
		t.Errorf("delay_ms past its range in words: %v", err)
	}
}

// TestRoutesSetWhileServing changes a route from the command line while a
// receiver runs on the same database: the receiver picks it up.
func TestRoutesSetWhileServing(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "live.db")
	a, err := app.Start(context.Background(), app.Config{DBPath: dbPath, Listen: "127.0.0.1:0", API: "127.0.0.1:0", Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	if _, err := runCLI(t, "--db", dbPath, "routes", "set", "holm", "--status", "418"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		resp, err := http.Post("http://"+a.ReceiverAddr()+"/hooks/holm", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == 418
	})
	out, err := runCLI(t, "--db", dbPath, "requests", "list", "--route", "holm", "--status", "418", "--json")
	if err != nil || !strings.Contains(out, `"status": 418`) {
		t.Fatalf("requests list: %v %s", err, out)
	}
}
