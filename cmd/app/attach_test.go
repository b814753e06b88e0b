package app

import (
	"context"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// An App started attached beside another on the same file binds nothing,
// runs no sender of its own (the first keeps the outbox), names the first
// one's receiver, raises events into the shared outbox that the first
// sends, and shuts down leaving the first untouched.
func TestStartAttachedBesideARunningApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.Kind = "serve"
	first, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Shutdown(ctx)
	if !first.Sender.Holding() {
		t.Fatal("the first app does not run the free outbox")
	}

	att := cfg
	att.Kind, att.Attach, att.TimeScale = "console", true, 60
	a, err := Start(ctx, att)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Attached() || a.APIAddr() != "" || a.ReceiverListenAddr() != "" {
		t.Errorf("attached app: attached %v, API %q, listening on %q; want no listener", a.Attached(), a.APIAddr(), a.ReceiverListenAddr())
	}
	if a.ReceiverAddr() != first.ReceiverAddr() {
		t.Errorf("attached app names receiver %q, want the holder's %q", a.ReceiverAddr(), first.ReceiverAddr())
	}
	ds, err := a.Sender.Raise(ctx, "holm", "finished_scan", nil, "test")
	if err != nil || len(ds) != 1 {
		t.Fatalf("raising from the attached app: %d deliveries, %v", len(ds), err)
	}
	if ds[0].TimeScale != 60 {
		t.Errorf("the raised delivery's time scale is %g, want the attached app's 60", ds[0].TimeScale)
	}
	deadline := 300 // × 20 ms
	for {
		d, err := first.Sender.Delivery(ctx, ds[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == db.DeliverySucceeded {
			break
		}
		if deadline--; deadline == 0 {
			t.Fatalf("the holder did not send the attached app's event: %s %s", d.Status, d.LastError)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if !first.Sender.Holding() {
		t.Error("the first app lost the outbox to the attached one")
	}
}
