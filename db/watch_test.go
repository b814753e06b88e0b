package db

import (
	"context"
	"testing"
	"time"
)

// Watch fires when another *DB (another process, in life) commits, and
// coalesces many commits into few signals.
func TestWatchSeesOtherDB(t *testing.T) {
	t.Parallel()
	d, path := openTest(t, Options{})
	other, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := d.Watch(ctx, 10*time.Millisecond)

	// Let the watcher read its baseline, then check nothing fires yet.
	time.Sleep(50 * time.Millisecond)
	select {
	case <-ch:
		t.Fatal("Watch fired with no commit")
	default:
	}
	// Commit from the other DB until the signal comes (the first commits
	// may land before the watcher has read its baseline).
	rs := NewRequestStore()
	deadline := time.After(10 * time.Second)
wait:
	for {
		write(t, other, func(tx Handle) error {
			return rs.CreateRequest(context.Background(), tx, &Request{Method: "POST", Path: "/"})
		})
		select {
		case <-ch:
			break wait
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("Watch did not fire after the other DB committed")
		}
	}
	// Our own writes are seen too (the watcher has its own connection).
	write(t, d, func(tx Handle) error {
		return rs.CreateRequest(context.Background(), tx, &Request{Method: "POST", Path: "/"})
	})
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not fire after this DB committed")
	}
	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			// A last signal may have been queued; the close follows.
			if _, ok := <-ch; ok {
				t.Fatal("channel still open after cancel")
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("channel not closed after cancel")
	}
}

func TestWatchEndsOnClose(t *testing.T) {
	d, path := openTest(t, Options{})
	_ = path
	ch := d.Watch(context.Background(), time.Millisecond)
	d.Close()
	for range ch {
	}
	if _, ok := <-d.Watch(context.Background(), 0); ok {
		t.Error("Watch on a closed DB sent a signal")
	}
}
