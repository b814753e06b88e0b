package main

import (
	"bytes"
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
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sender"
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
	t.Parallel() // waits on the clock and on subprocesses, not on the CPU
	if testing.Short() {
		t.Skip("runs 20 send processes beside serve")
	}
	dbPath := filepath.Join(t.TempDir(), "hookscope.db")
	startServe(t, dbPath)
	lt := newLadderTarget(t, 7) // the 8th request, the 7th retry, succeeds

	// Every run at once: 21 processes on one database, each waiting on the
	// clock, so the test takes one ladder's time (about 3 s), not five.
	const runs, atOnce = 20, 20
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
		// Every attempt is printed, so the last, after the 48 h wait, is
		// there; which "next attempt" lines show depends on when send
		// looked, but each one names the ×100000.
		if !strings.Contains(r.out, "after the vendor's 48h wait (schedule): 200") {
			t.Errorf("run %d: no success after the 48 h wait:\n%s", i, r.out)
		}
		for line := range strings.Lines(r.out) {
			if strings.HasPrefix(line, "next attempt ") && !strings.HasSuffix(strings.TrimSpace(line), "×100000") {
				t.Errorf("run %d: a next attempt not at ×100000: %q", i, line)
			}
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
	for tmuxCommand("has-session", "-t", c.session).Run() == nil {
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

// apiJSON sends a JSON request to a REST API and decodes its answer into
// out (nil: ignored), failing the test on a non-2xx status.
func apiJSON(t *testing.T, method, url string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: HTTP %d: %s", method, url, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, b)
		}
	}
}

// outboxHolderPID is the pid of the process that runs the outbox, as
// api's GET /api/outbox says (0: none).
func outboxHolderPID(t *testing.T, api string) int {
	t.Helper()
	var v struct {
		Holder *struct {
			PID  int    `json:"pid"`
			Kind string `json:"kind"`
		} `json:"holder"`
	}
	apiJSON(t, http.MethodGet, api+"/api/outbox", nil, &v)
	if v.Holder == nil {
		return 0
	}
	return v.Holder.PID
}

// TestOutboxHolderKilledIsReplaced: two serve processes on one database;
// the first runs the outbox and the second says so. Events raised through
// the second flow to a target while the first is killed with SIGKILL: the
// second takes the outbox over within seconds (its default endpoints then
// follow its receiver), every delivery succeeds, and the target gets each
// message at least once, twice at most, and a second time only for the
// few the killed process had in flight.
func TestOutboxHolderKilledIsReplaced(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	dbPath := filepath.Join(t.TempDir(), "hookscope.db")
	first, _, apiA := startServe(t, dbPath)
	second, recvB, apiB := startServe(t, dbPath)
	if pid := outboxHolderPID(t, apiB); pid != first.Process.Pid {
		t.Fatalf("the outbox is run by pid %d, want the first serve (%d)", pid, first.Process.Pid)
	}
	if pid := outboxHolderPID(t, apiA); pid != first.Process.Pid {
		t.Fatalf("the first serve says pid %d runs the outbox, want itself (%d)", pid, first.Process.Pid)
	}

	var (
		mu       sync.Mutex
		hits     = map[string]int{}
		inflight int
		total    int
	)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		inflight++
		total++
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // a few requests are in flight at the kill
		mu.Lock()
		hits[r.Header.Get("webhook-id")]++
		inflight--
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer target.Close()
	received := func() int {
		mu.Lock()
		defer mu.Unlock()
		return total
	}

	prof, err := fixtures.Lookup("standardwebhooks")
	if err != nil {
		t.Fatal(err)
	}
	event := prof.Catalogue()[0].Type
	apiJSON(t, http.MethodPost, apiB+"/api/endpoints", map[string]any{
		"name": "target", "url": target.URL, "profile": "standardwebhooks", "secret": "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ=",
	}, nil)
	apiJSON(t, http.MethodPost, apiB+"/api/endpoints/local-standardwebhooks/disable", map[string]any{"reason": "not this test's"}, nil)

	const events = 150
	raise := func(n int) {
		for range n {
			apiJSON(t, http.MethodPost, apiB+"/api/events", map[string]any{"vendor": "standardwebhooks", "event": event}, nil)
		}
	}
	raise(events / 2)
	// Kill the holder once it is sending.
	deadline := time.Now().Add(30 * time.Second)
	for received() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the holder sent nothing in 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	first.Wait()
	deadline = killed.Add(30 * time.Second)
	for outboxHolderPID(t, apiB) != second.Process.Pid {
		if time.Now().After(deadline) {
			t.Fatal("the second serve did not take the outbox over within 30 s of the kill")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("the outbox was taken over %s after the kill", time.Since(killed).Round(10*time.Millisecond))
	raise(events - events/2)

	d, err := db.Open(context.Background(), dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var ids []string
	deadline = time.Now().Add(60 * time.Second)
	for {
		var done int
		if err := d.Reader().QueryRow(`SELECT count(*) FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
			WHERE e.name = 'target' AND d.status = 'succeeded'`).Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done == events {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries succeeded within 60 s", done, events)
		}
		time.Sleep(50 * time.Millisecond)
	}
	rows, err := d.Reader().Query(`SELECT d.message_id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id WHERE e.name = 'target'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()

	mu.Lock()
	defer mu.Unlock()
	twice := 0
	for _, id := range ids {
		switch n := hits[id]; {
		case n == 0:
			t.Errorf("message %s never reached the target", id)
		case n == 2:
			twice++
		case n > 2:
			t.Errorf("message %s reached the target %d times", id, n)
		}
	}
	// Only what the killed process had claimed (32 workers at most) may
	// go twice.
	if twice > 32 {
		t.Errorf("%d messages reached the target twice, more than the killed process could have had in flight", twice)
	}
	t.Logf("%d messages, %d of them twice (in flight at the kill)", len(ids), twice)

	urls := defaultEndpointURLs(t, dbPath)
	for name, url := range urls {
		if !strings.HasPrefix(url, recvB+"/hooks/") {
			t.Errorf("after the takeover %s points at %s, not at the new holder's receiver %s", name, url, recvB)
		}
	}
}

// The console attaches beside a live process that runs the outbox when
// asked, or when it is given no address of its own; given --listen or
// --api, it runs its own receiver beside it; with no holder it does not
// attach unasked.
func TestShouldAttachBesideAHolder(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "hookscope.db")
	for _, c := range []struct {
		asked, ownPorts, want bool
	}{{false, false, false}, {true, false, true}, {true, true, true}, {false, true, false}} {
		if got, err := shouldAttach(ctx, dbPath, c.asked, c.ownPorts); err != nil || got != c.want {
			t.Errorf("no holder, asked %v, own ports %v: attach %v (%v), want %v", c.asked, c.ownPorts, got, err, c.want)
		}
	}
	d, err := db.Open(ctx, dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	holder := sender.New(d, sender.Options{Kind: "serve"})
	if err := holder.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		asked, ownPorts, want bool
	}{{false, false, true}, {true, false, true}, {false, true, false}} {
		if got, err := shouldAttach(ctx, dbPath, c.asked, c.ownPorts); err != nil || got != c.want {
			t.Errorf("beside a holder, asked %v, own ports %v: attach %v (%v), want %v", c.asked, c.ownPorts, got, err, c.want)
		}
	}
	holder.Stop() // gives the outbox up: nothing to attach beside
	if got, err := shouldAttach(ctx, dbPath, false, false); err != nil || got {
		t.Errorf("after the holder stopped: attach %v (%v), want false", got, err)
	}
}

// TestConsoleAttachedBesideServe: a console opened with --attach on the
// database a running serve uses has no receiver or sender of its own: its
// header names serve's receiver and says serve runs the outbox; sending a
// fixture from it reaches serve's receiver, whose request the attached
// console shows; serve keeps the outbox and its endpoints throughout.
func TestConsoleAttachedBesideServe(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "hookscope.db")
	serve, recv, api := startServe(t, dbPath)
	before := defaultEndpointURLs(t, dbPath)

	c := startConsoleOn(t, dbPath, 120, 40, "--attach")
	c.waitFor(20*time.Second, "attached", fmt.Sprintf("sender: in serve, pid %d", serve.Process.Pid),
		"receiver "+strings.TrimPrefix(recv, "http://"))
	row, event, title := fixtureRow(t, "standardwebhooks")
	c.keys("4")
	c.waitFor(5*time.Second, "cyscale")
	c.repeat("j", row)
	c.waitFor(5*time.Second, title, event)
	c.keys("s")
	c.waitFor(5*time.Second, "send standardwebhooks "+event+" to", "local-standardwebhooks")
	c.keys("Enter")
	c.waitFor(5*time.Second, "[y/n]")
	c.keys("y")
	c.waitFor(10*time.Second, "✓ sent standardwebhooks "+event+" as delivery #1")
	c.keys("1")
	c.waitFor(10*time.Second, "received 1", "standardwebhooks", "✓ valid")

	if pid := outboxHolderPID(t, api); pid != serve.Process.Pid {
		t.Errorf("with the console attached the outbox is run by pid %d, want serve (%d)", pid, serve.Process.Pid)
	}
	c.keys("q")
	deadline := time.Now().Add(20 * time.Second)
	for tmuxCommand("has-session", "-t", c.session).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the console did not quit:\n%s", c.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if after := defaultEndpointURLs(t, dbPath); !reflect.DeepEqual(after, before) {
		t.Errorf("the attached console changed the default endpoints:\n got %v\nwant %v", after, before)
	}
	if got := testDefaultEndpoint(t, api); got != db.DeliverySucceeded {
		t.Errorf("serve's built-in loop after the attached console quit: %s", got)
	}
}
