package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// prune needs exactly one of --before, --older-than, --all and --yes
// (exit 2 otherwise, nothing deleted); it deletes what is older and says
// how much.
func TestPruneCommand(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	path := filepath.Join(t.TempDir(), "h.db")
	d, err := db.Open(context.Background(), path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, at := range []time.Time{now.AddDate(0, 0, -10), now.AddDate(0, 0, -9), now.Add(-time.Hour)} {
		r := &db.Request{Method: "POST", Path: "/hooks/x", ReceivedAt: at, Body: []byte(`{}`)}
		if err := d.Write(context.Background(), func(h db.Handle) error { return db.NewRequestStore().CreateRequest(context.Background(), h, r) }); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	d.Close()
	for _, args := range [][]string{
		{"prune", "--db", path, "--older-than", "7d"},                   // no --yes
		{"prune", "--db", path, "--yes"},                                // no span
		{"prune", "--db", path, "--all", "--older-than", "7d", "--yes"}, // two
		{"prune", "--db", path, "--older-than", "a week", "--yes"},      // not a duration
		{"prune", "--db", path, "--before", "2026-13-01", "--yes"},      // not a date
	} {
		_, stderr, code := runBinary(t, args...)
		if code != 2 || stderr == "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	out, stderr, code := runBinary(t, "prune", "--db", path, "--older-than", "7d", "--yes", "--json")
	var res db.PruneResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Requests != 2 {
		t.Fatalf("exit %d, %q, %q", code, out, stderr)
	}
	out, _, code = runBinary(t, "prune", "--db", path, "--all", "--yes")
	if code != 0 || !strings.Contains(out, "pruned everything: 1 requests") {
		t.Fatalf("--all: exit %d, %q", code, out)
	}
}
