package db

import (
	"context"
	"testing"
	"time"
)

// The outbox has one holder at a time: another process takes it only
// once the holder's lease has run out or the holder is known gone; a
// renewal keeps when the holder took it; ReleaseHolder frees it and hands
// the releasing process's own deliveries to the holder.
func TestTakeHolder(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	now := time.Unix(1700000000, 0)
	alive := func(Holder) bool { return false }
	dead := func(Holder) bool { return true }
	take := func(h Holder, at time.Time, gone func(Holder) bool) (cur Holder, took bool) {
		t.Helper()
		write(t, d, func(tx Handle) error {
			var err error
			cur, took, err = NewOutboxStore().TakeHolder(ctx, tx, h, at, gone)
			return err
		})
		return cur, took
	}
	a := Holder{Owner: 1, PID: 100, Host: "h", Kind: "serve", Receiver: "127.0.0.1:7401", TimeScale: 1, Since: now, ExpiresAt: now.Add(10 * time.Second)}
	b := Holder{Owner: 2, PID: 200, Host: "h", Kind: "console", TimeScale: 600, Since: now, ExpiresAt: now.Add(10 * time.Second)}

	if cur, took := take(a, now, alive); !took || cur.Owner != 1 {
		t.Fatalf("a free outbox: took %v, holder %+v", took, cur)
	}
	if cur, took := take(b, now.Add(time.Second), alive); took || cur.Owner != 1 || cur.Receiver != "127.0.0.1:7401" {
		t.Fatalf("a held outbox was taken (%v) or misread: %+v", took, cur)
	}
	renew := a
	renew.Since, renew.ExpiresAt = now.Add(5*time.Second), now.Add(15*time.Second)
	if cur, took := take(renew, now.Add(5*time.Second), alive); !took || !cur.Since.Equal(now) {
		t.Fatalf("a renewal: took %v, since %v (want the first take's %v)", took, cur.Since, now)
	}
	if _, took := take(b, now.Add(12*time.Second), alive); took {
		t.Fatal("taken before the renewed lease ran out")
	}
	if cur, took := take(b, now.Add(12*time.Second), dead); !took || cur.Owner != 2 {
		t.Fatalf("a gone holder's outbox was not taken: %v %+v", took, cur)
	}
	if cur, took := take(a, now.Add(30*time.Second), alive); !took || cur.Owner != 1 {
		t.Fatalf("an expired lease was not taken over: %v %+v", took, cur)
	}
	got, err := NewOutboxStore().LoadHolder(ctx, d.Reader())
	if err != nil || got == nil || got.Owner != 1 || got.PID != 100 || got.Kind != "serve" {
		t.Fatalf("LoadHolder = %+v, %v", got, err)
	}

	// Releasing: only the holder's release frees the outbox; a process's
	// own deliveries go to the holder either way.
	write(t, d, func(tx Handle) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO endpoints (name, url, profile, enabled, created_at, updated_at) VALUES ('e', 'http://127.0.0.1:1/', 'holm', 1, 0, 0)`)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO deliveries (endpoint_id, vendor, event_types, status, runner, created_at, updated_at) VALUES (1, 'holm', '[]', 'pending', 2, 0, 0)`)
		return err
	})
	write(t, d, func(tx Handle) error { return NewOutboxStore().ReleaseHolder(ctx, tx, 2) })
	if got, _ := NewOutboxStore().LoadHolder(ctx, d.Reader()); got == nil || got.Owner != 1 {
		t.Fatalf("another process's release freed the outbox: %+v", got)
	}
	var runners int
	if err := d.Reader().QueryRow(`SELECT count(*) FROM deliveries WHERE runner IS NOT NULL`).Scan(&runners); err != nil || runners != 0 {
		t.Fatalf("%d deliveries still run alone by a released process (%v)", runners, err)
	}
	write(t, d, func(tx Handle) error { return NewOutboxStore().ReleaseHolder(ctx, tx, 1) })
	if got, err := NewOutboxStore().LoadHolder(ctx, d.Reader()); got != nil || err != nil {
		t.Fatalf("after the holder's release: %+v, %v", got, err)
	}
}
