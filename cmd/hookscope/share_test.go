package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// ladderTarget answers 503 to the first fail requests on each path, then
// 200, and counts them per path.
type ladderTarget struct {
	*httptest.Server
	fail int
	mu   sync.Mutex
	hits map[string]int
}

func newLadderTarget(t *testing.T, fail int) *ladderTarget {
	t.Helper()
	lt := &ladderTarget{fail: fail, hits: map[string]int{}}
	lt.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		lt.mu.Lock()
		lt.hits[r.URL.Path]++
		n := lt.hits[r.URL.Path]
		lt.mu.Unlock()
		if n <= lt.fail {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(lt.Close)
	return lt
}

func (lt *ladderTarget) count(path string) int {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return lt.hits[path]
}

// TestSendBesideServeKeepsItsTimeScale: with `serve` running at ×1 on a
// database, `send codescoring … --time-scale 100000` on the same file runs
// CodeScoring's whole ladder (7 retries, 1 m to 48 h: 87.6 h of vendor
// time) in seconds, 20 runs out of 20: serve never takes a send run's
// retry and reschedules it at real time. Every run's delivery keeps its
// ×100000, which `send` prints with each next attempt.
func TestSendBesideServeKeepsItsTimeScale(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 20 send processes beside serve")
	}
	dbPath := filepath.Join(t.TempDir(), "hookscope.db")
	startServe(t, dbPath)
	lt := newLadderTarget(t, 7) // the 8th request, the 7th retry, succeeds

	const runs, atOnce = 20, 4
	type result struct {
		out  string
		err  error
		took time.Duration
	}
	results := make([]result, runs)
	sem := make(chan struct{}, atOnce)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			start := time.Now()
			out, err := exec.CommandContext(ctx, hookscopeBinary(t), "--db", dbPath, "send", "codescoring", "project_sca_analysis_finished",
				"--to", fmt.Sprintf("%s/run/%d", lt.URL, i), "--token", "T", "--time-scale", "100000").CombinedOutput()
			results[i] = result{out: string(out), err: err, took: time.Since(start)}
		})
	}
	wg.Wait()

	var slowest time.Duration
	for i, r := range results {
		slowest = max(slowest, r.took)
		if r.err != nil {
			t.Errorf("run %d: %v after %s:\n%s", i, r.err, r.took.Round(time.Millisecond), r.out)
			continue
		}
		if n := lt.count(fmt.Sprintf("/run/%d", i)); n != 8 {
			t.Errorf("run %d: the target got %d requests, want 8 (7 failures, then the success)", i, n)
		}
		if !strings.Contains(r.out, "(retry 7 of 7, vendor wait 48h) ×100000") {
			t.Errorf("run %d: no next attempt at ×100000 for the 48 h wait:\n%s", i, r.out)
		}
	}
	t.Logf("%d ladders beside serve ×1, %d at once: slowest %s", runs, atOnce, slowest.Round(time.Millisecond))

	d, err := db.Open(context.Background(), dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var other int
	if err := d.Reader().QueryRow(`SELECT count(*) FROM deliveries WHERE time_scale <> 100000 OR status <> 'succeeded'`).Scan(&other); err != nil || other != 0 {
		t.Errorf("%d deliveries not succeeded at ×100000 (%v)", other, err)
	}
}

// defaultEndpointURLs reads the default endpoints' URLs (local-...) from
// the database file.
func defaultEndpointURLs(t *testing.T, dbPath string) map[string]string {
	t.Helper()
	d, err := db.Open(context.Background(), dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.Reader().Query(`SELECT name, url FROM endpoints WHERE name LIKE 'local-%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, url string
		if err := rows.Scan(&name, &url); err != nil {
			t.Fatal(err)
		}
		out[name] = url
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// testDefaultEndpoint asks serve's REST API to test local-holm and returns
// the delivery's status after its first attempt.
func testDefaultEndpoint(t *testing.T, api string) string {
	t.Helper()
	resp, err := http.Post(api+"/api/endpoints/local-holm/test", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d struct {
		Status    string `json:"status"`
		LastError string `json:"last_error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("testing local-holm: HTTP %d, %v", resp.StatusCode, err)
	}
	if d.LastError != "" {
		return d.Status + ": " + d.LastError
	}
	return d.Status
}

// TestConsoleBesideServeLeavesItsEndpoints: a console opened (on another
// --listen port) on the database a running serve uses, then quit, leaves
// the default endpoints pointing at serve's receiver, and serve's
// built-in loop (local-holm to its own receiver) still delivers.
func TestConsoleBesideServeLeavesItsEndpoints(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "hookscope.db")
	_, recv, api := startServe(t, dbPath)
	before := defaultEndpointURLs(t, dbPath)
	if len(before) == 0 {
		t.Fatal("serve created no default endpoints")
	}
	for name, url := range before {
		if !strings.HasPrefix(url, recv+"/hooks/") {
			t.Fatalf("%s points at %s, not at serve's receiver %s", name, url, recv)
		}
	}
	if got := testDefaultEndpoint(t, api); got != db.DeliverySucceeded {
		t.Fatalf("serve's built-in loop before the console: %s", got)
	}

	c := startConsoleOn(t, dbPath, 120, 40)
	consoleRecv := c.receiver()
	if "http://"+consoleRecv == recv {
		t.Fatalf("the console's receiver %s is serve's: the test proves nothing", consoleRecv)
	}
	c.waitFor(20*time.Second, "sender: in serve")
	if after := defaultEndpointURLs(t, dbPath); !reflect.DeepEqual(after, before) {
		t.Errorf("with the console open the default endpoints changed:\n got %v\nwant %v", after, before)
	}
	c.keys("q")
	deadline := time.Now().Add(20 * time.Second)
	for exec.Command("tmux", "has-session", "-t", c.session).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the console did not quit:\n%s", c.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if after := defaultEndpointURLs(t, dbPath); !reflect.DeepEqual(after, before) {
		t.Errorf("after the console quit the default endpoints changed:\n got %v\nwant %v", after, before)
	}
	if got := testDefaultEndpoint(t, api); got != db.DeliverySucceeded {
		t.Errorf("serve's built-in loop after the console quit: %s", got)
	}
}
