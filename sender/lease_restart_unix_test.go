//go:build unix

package sender

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// Environment of the children TestKilledClaimResumesAtItsDueTime runs.
const (
	leaseEnvDB   = "HOOKSCOPE_LEASE_DB"
	leaseEnvURL  = "HOOKSCOPE_LEASE_URL"
	leaseEnvRole = "HOOKSCOPE_LEASE_ROLE" // claim | resume
)

// TestLeaseChild is a process TestKilledClaimResumesAtItsDueTime starts: as
// "claim" it raises one event and sends it (and is killed while the
// request is in flight); as "resume" it runs a sender until that delivery
// has succeeded. Both use the default lease (2 minutes).
func TestLeaseChild(t *testing.T) {
	path := os.Getenv(leaseEnvDB)
	if path == "" {
		t.Skip("run by TestKilledClaimResumesAtItsDueTime")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := New(d, Options{Poll: 50 * time.Millisecond})
	if os.Getenv(leaseEnvRole) == "claim" {
		ep := &db.Endpoint{Name: "lease", URL: os.Getenv(leaseEnvURL), Profile: "standardwebhooks", Enabled: true}
		if err := s.CreateEndpoint(ctx, ep); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Raise(ctx, "standardwebhooks", s.firstEvent(t, "standardwebhooks"), nil, "test"); err != nil {
			t.Fatal(err)
		}
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute) // until killed
		t.Fatal("not killed")
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	for range 3000 { // 60 s at most
		var status string
		if err := d.Reader().QueryRow(`SELECT status FROM deliveries WHERE id = 1`).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status == db.DeliverySucceeded {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the delivery did not succeed within 60 s")
}

// A delivery claimed by a process that is then killed (SIGKILL, the
// request in flight) is sent by the restarted process at its due time, not
// once the killed process's 2-minute lease runs out; and while the
// claiming process lives, another process leaves its claim alone. The
// receiver gets the request twice (the one in flight at the kill, then the
// resumed one), no more.
func TestKilledClaimResumesAtItsDueTime(t *testing.T) {
	if os.Getenv(leaseEnvDB) != "" {
		t.Skip("in the child")
	}
	var (
		mu    sync.Mutex
		count int
	)
	first, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then the server notices the client going
		mu.Lock()
		count++
		n := count
		mu.Unlock()
		if n == 1 {
			close(first)
			select { // in flight until the sender dies
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	defer close(release)
	requests := func() int {
		mu.Lock()
		defer mu.Unlock()
		return count
	}
	path := filepath.Join(t.TempDir(), "hookscope.db")
	child := func(role string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestLeaseChild$", "-test.v")
		cmd.Env = append(os.Environ(), leaseEnvDB+"="+path, leaseEnvURL+"="+srv.URL, leaseEnvRole+"="+role)
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("%s child output:\n%s", role, out.String())
			}
		})
		return cmd
	}

	claimer := child("claim")
	if err := claimer.Start(); err != nil {
		t.Fatal(err)
	}
	defer claimer.Process.Kill()
	select {
	case <-first:
	case <-time.After(30 * time.Second):
		t.Fatal("the claiming process sent nothing in 30 s")
	}

	// While the claimer lives, this process does not take its delivery.
	ctx := context.Background()
	d, err := db.Open(ctx, path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	other := New(d, Options{})
	if ids, err := other.claimDue(ctx, 10); err != nil || len(ids) != 0 {
		t.Fatalf("another process claimed %v (%v) while the claimer lives", ids, err)
	}
	// Nor would it as the outbox's holder: the claim itself keeps it.
	other.holding.Store(true)
	if ids, err := other.claimDue(ctx, 10); err != nil || len(ids) != 0 {
		t.Fatalf("another process holding the outbox claimed %v (%v) while the claimer lives", ids, err)
	}
	other.holding.Store(false)

	if err := claimer.Process.Signal(syscallKill); err != nil {
		t.Fatal(err)
	}
	claimer.Wait()
	var until int64
	if err := d.Reader().QueryRow(`SELECT claimed_until FROM deliveries WHERE id = 1`).Scan(&until); err != nil {
		t.Fatalf("the delivery is not claimed after the kill: %v", err)
	}
	if left := time.Until(time.Unix(0, until)); left < time.Minute {
		t.Fatalf("the killed claim has %s of its lease left: the test proves nothing", left)
	}

	start := time.Now()
	resumed := child("resume")
	if err := resumed.Run(); err != nil {
		t.Fatalf("the restarted process: %v", err)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the restarted process took %s to send the delivery: it waited for the dead process's lease", took.Round(time.Second))
	}
	if n := requests(); n != 2 {
		t.Errorf("the receiver got %d requests, want 2 (the one in flight at the kill, then the resumed one)", n)
	}
	var attempts int
	if err := d.Reader().QueryRow(`SELECT attempt_count FROM deliveries WHERE id = 1`).Scan(&attempts); err != nil || attempts != 1 {
		t.Errorf("%d attempts recorded (%v), want 1", attempts, err)
	}
}
