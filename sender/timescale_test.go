package sender

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
)

// A delivery keeps the time scale it was scheduled with: a `send` run
// (OwnOnly) at ×100000 makes the first attempt and stops; the outbox's
// holder, a process at ×1 on the same file, sends every retry of its
// ladder at ×100000 (the whole CodeScoring ladder, 87.6 h, in about 3 s),
// and records that scale on the delivery and each wait.
func TestDeliveryKeepsItsTimeScaleInAnotherSender(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hookscope.db")
	open := func() *db.DB { return testkit.OpenPath(t, path) }
	srv := testkit.NewHookServer(t, testkit.Status(http.StatusServiceUnavailable))

	// The holder at real time, as `serve` runs by default.
	holder := New(open(), Options{Poll: 20 * time.Millisecond, Kind: "serve"})
	if err := holder.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(holder.Stop)
	if !holder.Holding() {
		t.Fatal("the first sender to start does not hold the free outbox")
	}

	sendRun := New(open(), Options{TimeScale: 100000, Kind: "send", OwnOnly: true})
	del, err := sendRun.SendTo(ctx, "codescoring", "project_sca_analysis_finished", srv.URL, fixtures.Credentials{Token: "T"}, SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if del.Status != db.DeliveryRetrying || del.TimeScale != 100000 {
		t.Fatalf("after the first 503: status %s, time scale %g; want retrying at ×100000", del.Status, del.TimeScale)
	}
	// The send run stops before its first retry: the holder carries the
	// delivery on, at the delivery's scale, not its own.
	sendRun.Stop() // not started: only gives its deliveries up

	var got *db.Delivery
	testkit.Eventually(t, 60*time.Second, "the ladder ends", func() bool {
		got, err = holder.Delivery(ctx, del.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status == db.DeliveryFailed
	})
	if n := len(srv.Requests()); n != 8 {
		t.Errorf("%d requests, want 8 (the first and 7 retries)", n)
	}
	if got.TimeScale != 100000 {
		t.Errorf("the delivery's time scale is %g after the holder sent it, want 100000", got.TimeScale)
	}
	for _, a := range got.Attempts[1:] {
		if a.VendorWaitMS <= 0 {
			t.Errorf("attempt %d records no vendor wait", a.N)
		}
	}
	if len(got.Attempts) > 1 {
		last := got.Attempts[len(got.Attempts)-1]
		prev := got.Attempts[len(got.Attempts)-2]
		// The 48 h wait before the last retry ran as 1.728 s, not 48 h.
		if gap := last.StartedAt.Sub(prev.StartedAt); gap > 30*time.Second {
			t.Errorf("the last retry came %s after the one before: the holder used its own scale", gap)
		}
	}
}

// While a `send` run (OwnOnly) lives, its deliveries are its own: the
// outbox's holder never claims them, even when they are due, and the run
// sends them itself; the run's own loop claims nothing else.
func TestSendRunKeepsItsOwnDeliveries(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hookscope.db")
	open := func() *db.DB { return testkit.OpenPath(t, path) }
	srv := testkit.NewHookServer(t, testkit.FailFirst(1))
	holder := New(open(), Options{Poll: 20 * time.Millisecond, Kind: "serve"})
	sendRun := New(open(), Options{TimeScale: 1000, Poll: 20 * time.Millisecond, Kind: "send", OwnOnly: true})
	del, err := sendRun.SendTo(ctx, "standardwebhooks", sendRun.firstEvent(t, "standardwebhooks"), srv.URL, fixtures.Credentials{Secret: "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ="}, SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if del.Status != db.DeliveryRetrying {
		t.Fatalf("status %s after a 500, want retrying", del.Status)
	}
	// Due now: the holder still leaves it alone.
	if err := sendRun.db.Write(ctx, func(tx db.Handle) error {
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = ? WHERE id = ?`, time.Now().Add(-time.Second).UnixNano(), del.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The holder takes the outbox (as its dispatcher does each poll) and
	// looks for due work.
	holder.hold(ctx)
	t.Cleanup(holder.Stop)
	if !holder.Holding() {
		t.Fatal("the holder does not hold the free outbox")
	}
	if ids, err := holder.claimDue(ctx, 10); err != nil || len(ids) != 0 {
		t.Fatalf("the holder claimed %v (%v): a live send run's delivery", ids, err)
	}
	// A delivery the holder raised is not the send run's to claim.
	if ids, err := sendRun.claimDue(ctx, 10); err != nil || len(ids) != 1 || ids[0] != del.ID {
		t.Fatalf("the send run claimed %v (%v), want only its own delivery %d", ids, err, del.ID)
	}
	if err := sendRun.process(ctx, del.ID, false); err != nil {
		t.Fatal(err)
	}
	got, err := sendRun.Delivery(ctx, del.ID)
	if err != nil || got.Status != db.DeliverySucceeded {
		t.Fatalf("delivery %v (%v), want succeeded by the send run", got, err)
	}
}
