//go:build unix

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// loadTarget is a service for a load run: it answers the first `answer`
// requests 200 and holds every later one open until the client goes away,
// so that requests are in flight when the run is stopped. held is closed
// once it holds loadConcurrency requests: every worker of the run is then
// waiting on one, and every earlier request has had its answer.
type loadTarget struct {
	*httptest.Server
	mu      sync.Mutex
	n       int
	held    chan struct{} // closed when loadConcurrency requests are held
	release chan struct{}
}

func newLoadTarget(t *testing.T, answer int) *loadTarget {
	t.Helper()
	lt := &loadTarget{held: make(chan struct{}), release: make(chan struct{})}
	var once sync.Once
	lt.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then the server notices the client going
		lt.mu.Lock()
		lt.n++
		n := lt.n
		lt.mu.Unlock()
		if n <= answer {
			return
		}
		if n == answer+loadConcurrency {
			once.Do(func() { close(lt.held) })
		}
		select {
		case <-r.Context().Done():
		case <-lt.release:
		}
	}))
	t.Cleanup(lt.Close)
	t.Cleanup(func() { close(lt.release) })
	return lt
}

func (lt *loadTarget) requests() int {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return lt.n
}

// loadConcurrency is the load runs' --concurrency.
const loadConcurrency = 4

// startLoad starts `hookscope send holm finished_scan --count 5000` against
// url on dbPath and waits until the target holds a request.
func startLoad(t *testing.T, dbPath string, lt *loadTarget) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(hookscopeBinary(t), "--db", dbPath, "send", "holm", "finished_scan", "--to", lt.URL,
		"--count", "5000", "--concurrency", strconv.Itoa(loadConcurrency), "--json")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("send stderr:\n%s", stderr.String())
		}
	})
	select {
	case <-lt.held:
	case <-time.After(30 * time.Second):
		t.Fatalf("the load run sent %d requests in 30 s, not %d in flight", lt.requests(), loadConcurrency)
	}
	return cmd, &stdout
}

// deliveryCounts counts the run's deliveries by status.
func deliveryCounts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	rows, err := d.Reader().Query(`SELECT status, count(*) FROM deliveries GROUP BY status`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		out[s] = n
	}
	return out
}

// A load run stopped with SIGINT leaves nothing to send: the deliveries it
// had created and not sent are cancelled, saying why, the requests in
// flight are recorded and counted as interrupted (not as failures of the
// network), and a serve started later on the database sends nothing more.
func TestLoadRunInterruptedCancelsWhatItDidNotSend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbPath := filepath.Join(t.TempDir(), "load.db")
	lt := newLoadTarget(t, 100)
	cmd, stdout := startLoad(t, dbPath, lt)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the load run did not stop within 30 s of SIGINT")
	}
	var rep struct {
		Sent        int            `json:"sent"`
		Succeeded   int            `json:"succeeded"`
		Failed      int            `json:"failed"`
		Interrupted int            `json:"interrupted"`
		Cancelled   int            `json:"cancelled"`
		Errors      map[string]int `json:"errors"`
	}
	if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, stdout.String())
	}
	if rep.Interrupted != loadConcurrency || rep.Succeeded != 100 || rep.Failed != 0 {
		t.Errorf("report: %d succeeded, %d failed, %d interrupted; want the 100 answered, none failed, the held ones interrupted", rep.Succeeded, rep.Failed, rep.Interrupted)
	}
	for class := range rep.Errors {
		if strings.HasPrefix(class, "network") {
			t.Errorf("report counts %q errors: an interrupted request is not a network failure", class)
		}
	}

	d, err := db.Open(context.Background(), dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	counts := deliveryCounts(t, d)
	if counts[db.DeliveryPending]+counts[db.DeliveryRetrying] != 0 {
		t.Fatalf("after SIGINT the database holds deliveries still to send: %v", counts)
	}
	if counts[db.DeliveryCancelled] != rep.Interrupted+rep.Cancelled || counts[db.DeliverySucceeded] != 100 {
		t.Errorf("deliveries by status %v; want 100 succeeded and the report's %d interrupted + %d cancelled as cancelled", counts, rep.Interrupted, rep.Cancelled)
	}
	var unexplained, networkErrs int
	d.Reader().QueryRow(`SELECT count(*) FROM deliveries WHERE status = 'cancelled' AND last_error NOT LIKE '%interrupted%'`).Scan(&unexplained)
	d.Reader().QueryRow(`SELECT count(*) FROM attempts WHERE error LIKE 'network%'`).Scan(&networkErrs)
	if unexplained != 0 || networkErrs != 0 {
		t.Errorf("%d cancelled deliveries do not say why, %d attempts recorded as network failures", unexplained, networkErrs)
	}

	// The command line lists them by their status and says why.
	out, err := runCLI(t, "--db", dbPath, "deliveries", "list", "--status", "cancelled", "--limit", "1000", "--json")
	var listed []struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if err != nil || json.Unmarshal([]byte(out), &listed) != nil || len(listed) != counts[db.DeliveryCancelled] {
		t.Fatalf("deliveries list --status cancelled: %v, %d listed, want %d:\n%s", err, len(listed), counts[db.DeliveryCancelled], out)
	}
	out, err = runCLI(t, "--db", dbPath, "deliveries", "show", strconv.FormatInt(listed[0].ID, 10))
	if err != nil || !strings.Contains(out, ": cancelled\ncancelled: the load run was interrupted") {
		t.Errorf("deliveries show %d: %v\n%s", listed[0].ID, err, out)
	}
}

// A load run killed with SIGKILL cannot clean up: its deliveries stay
// claimed by its process. No other process sends them: a serve started on
// the database cancels them, saying why, and the target gets nothing more.
func TestLoadRunKilledIsNeverResumedByAnotherProcess(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbPath := filepath.Join(t.TempDir(), "load.db")
	lt := newLoadTarget(t, 100)
	cmd, _ := startLoad(t, dbPath, lt)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	atKill := lt.requests()

	d, err := db.Open(context.Background(), dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	left := deliveryCounts(t, d)[db.DeliveryPending]
	if left == 0 {
		t.Fatal("the killed run left no pending delivery: the test proves nothing")
	}
	startServe(t, dbPath)
	for i := 0; ; i++ {
		if deliveryCounts(t, d)[db.DeliveryPending] == 0 {
			break
		}
		if i == 1500 { // 30 s
			t.Fatalf("30 s after serve started, the killed run's deliveries are still pending: %v", deliveryCounts(t, d))
		}
		time.Sleep(20 * time.Millisecond)
	}
	counts := deliveryCounts(t, d)
	if counts[db.DeliveryCancelled] != left {
		t.Errorf("deliveries by status %v; want the %d the killed run left pending cancelled", counts, left)
	}
	var unexplained int
	d.Reader().QueryRow(`SELECT count(*) FROM deliveries WHERE status = 'cancelled' AND last_error NOT LIKE '%ended before%'`).Scan(&unexplained)
	if unexplained != 0 {
		t.Errorf("%d cancelled deliveries do not say why", unexplained)
	}
	if n := lt.requests(); n != atKill {
		t.Errorf("the target got %d requests after the kill", n-atKill)
	}
}
