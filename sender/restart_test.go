package sender

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// Environment of the child process TestRestartAfterSIGKILL runs.
const (
	restartEnvDB    = "HOOKSCOPE_RESTART_DB"
	restartEnvURL   = "HOOKSCOPE_RESTART_URL"
	restartEnvRaise = "HOOKSCOPE_RESTART_RAISE"
)

// restartEvents is how many events the first process raises.
const restartEvents = 20

// TestRestartChild is the process TestRestartAfterSIGKILL starts (and
// kills): it does nothing unless run by it.
func TestRestartChild(t *testing.T) {
	path := os.Getenv(restartEnvDB)
	if path == "" {
		t.Skip("run by TestRestartAfterSIGKILL")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// 1000× time scale: Standard Webhooks' 5 s and 5 min retries wait
	// 5 ms and 300 ms. A short lease makes a delivery the killed process
	// held come back quickly.
	s := New(d, Options{TimeScale: 1000, Lease: time.Second, Poll: 50 * time.Millisecond})
	start := func() {
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	defer s.Stop()
	if n, _ := strconv.Atoi(os.Getenv(restartEnvRaise)); n > 0 {
		// Every event is in the outbox before the workers start, so the
		// kill finds all of them recorded, some with retries pending.
		ep := &db.Endpoint{Name: "restart", URL: os.Getenv(restartEnvURL), Profile: "standardwebhooks", Enabled: true}
		if err := s.CreateEndpoint(ctx, ep); err != nil {
			t.Fatal(err)
		}
		event := s.firstEvent(t, "standardwebhooks")
		for range n {
			if _, err := s.Raise(ctx, "standardwebhooks", event, nil, "test"); err != nil {
				t.Fatal(err)
			}
		}
		start()
		time.Sleep(time.Minute) // until killed
		t.Fatal("not killed")
	}
	// The restarted process: run until every delivery is final.
	start()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var open int
		if err := d.Reader().QueryRow(`SELECT count(*) FROM deliveries WHERE status IN ('pending', 'retrying')`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("deliveries still unfinished after 30 s")
}

// TestRestartAfterSIGKILL raises Standard Webhooks events in a child
// process whose receiver fails each message's first two attempts, kills it
// with SIGKILL while retries are pending (and attempts may be in flight),
// starts a second process on the same database file, and checks that every
// delivery completes: none lost, and none sent more often than
// at-least-once allows (an attempt sent but not yet recorded when the
// process died is the only one that may be repeated).
func TestRestartAfterSIGKILL(t *testing.T) {
	if os.Getenv(restartEnvDB) != "" {
		t.Skip("in the child")
	}
	var (
		mu    sync.Mutex
		seen  = map[string]int{} // requests per webhook-id
		ok    = map[string]int{} // 2xx answers per webhook-id
		total int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("webhook-id")
		mu.Lock()
		seen[id]++
		total++
		n := seen[id]
		if n > 2 {
			ok[id]++
		}
		mu.Unlock()
		if n <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "hookscope.db")
	child := func(raise int) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestRestartChild$", "-test.v")
		cmd.Env = append(os.Environ(), restartEnvDB+"="+path, restartEnvURL+"="+srv.URL, restartEnvRaise+"="+strconv.Itoa(raise))
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("child (raise %d) output:\n%s", raise, out.String())
			}
		})
		return cmd
	}
	requests := func() int {
		mu.Lock()
		defer mu.Unlock()
		return total
	}

	first := child(restartEvents)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once every first attempt has failed and some second attempts
	// have run, while third attempts (300 ms away) are still pending.
	deadline := time.Now().Add(20 * time.Second)
	for requests() < restartEvents+restartEvents/2 {
		if time.Now().After(deadline) {
			first.Process.Kill()
			t.Fatalf("the first process made only %d requests", requests())
		}
		time.Sleep(time.Millisecond)
	}
	if err := first.Process.Signal(syscallKill); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	atKill := requests()

	ctx := context.Background()
	d, err := db.Open(ctx, path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	count := func(q string) int {
		var n int
		if err := d.Reader().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM deliveries`); n != restartEvents {
		t.Fatalf("%d deliveries in the database after the kill, want %d", n, restartEvents)
	}
	unfinished := count(`SELECT count(*) FROM deliveries WHERE status IN ('pending', 'retrying')`)
	if unfinished == 0 {
		t.Fatalf("every delivery finished before the kill (%d requests): the test proves nothing", atKill)
	}
	t.Logf("killed after %d requests with %d of %d deliveries unfinished", atKill, unfinished, restartEvents)

	second := child(0)
	if err := second.Run(); err != nil {
		t.Fatalf("the restarted process: %v", err)
	}
	if n := count(`SELECT count(*) FROM deliveries WHERE status = 'succeeded'`); n != restartEvents {
		t.Fatalf("%d of %d deliveries succeeded after the restart", n, restartEvents)
	}
	rows, err := d.Reader().Query(`SELECT message_id, attempt_count FROM deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	mu.Lock()
	defer mu.Unlock()
	duplicates := 0
	for rows.Next() {
		var id string
		var attempts int
		if err := rows.Scan(&id, &attempts); err != nil {
			t.Fatal(err)
		}
		if ok[id] == 0 {
			t.Errorf("message %s: the receiver never got it successfully", id)
		}
		duplicates += ok[id] - 1
		// Every recorded attempt reached the receiver; at most one that
		// reached it went unrecorded (in flight at the kill).
		if seen[id] < attempts || seen[id] > attempts+1 {
			t.Errorf("message %s: %d attempts recorded, %d received", id, attempts, seen[id])
		}
	}
	if len(ok) != restartEvents {
		t.Errorf("the receiver got %d distinct messages successfully, want %d", len(ok), restartEvents)
	}
	if duplicates > unfinished {
		t.Errorf("%d duplicate successful deliveries, more than the %d unfinished at the kill", duplicates, unfinished)
	}
}

// lockedBuffer collects a child's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
