package sender

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// OutboxNote names another live process that runs the outbox, says
// "none" once its lease has run out, and says nothing when this process
// runs it or none ever did.
func TestOutboxNote(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "hookscope.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	note := func() string {
		t.Helper()
		s, err := OutboxNote(ctx, d.Reader())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	put := func(h db.Holder) {
		t.Helper()
		if err := d.Write(ctx, func(tx db.Handle) error {
			_, _, err := db.NewOutboxStore().TakeHolder(ctx, tx, h, time.Now(), func(db.Holder) bool { return true })
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if got := note(); got != "" {
		t.Errorf("no holder ever: %q, want nothing", got)
	}
	now := time.Now()
	// pid 1 runs on this host (start unknown: not judged reused).
	put(db.Holder{Owner: 7, PID: 1, Host: self().Host, Kind: "serve", Since: now, ExpiresAt: now.Add(time.Minute)})
	if got := note(); got != "sender: in serve, pid 1" {
		t.Errorf("another live holder: %q", got)
	}
	put(db.Holder{Owner: 7, PID: 1, Host: self().Host, Kind: "serve", Since: now, ExpiresAt: now.Add(-time.Second)})
	if got := note(); got != "sender: none" {
		t.Errorf("a holder whose lease ran out: %q", got)
	}
	me := self()
	put(db.Holder{Owner: 8, PID: me.PID, Host: me.Host, Start: me.Start, Kind: "console", Since: now, ExpiresAt: now.Add(time.Minute)})
	if got := note(); got != "" {
		t.Errorf("this process holds it: %q, want nothing", got)
	}
}
