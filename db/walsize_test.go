package db

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A burst of writes while a reader holds an old snapshot grows the WAL past
// its limit (nothing can start it again meanwhile); once the reader is
// done and the WAL copied back, the next write restarts it and the file
// shrinks to the limit instead of staying at its peak on disk.
func TestWALFileShrinksAfterABurst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := openTest(t, Options{})
	limit := int64(walSizeLimit)
	reader, err := d.read.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 64<<10)
	rows := int(limit/int64(len(big))) + 400 // well past the limit
	for i := 0; i < rows; i += 50 {
		err := d.Write(ctx, func(tx Handle) error {
			for j := i; j < i+50 && j < rows; j++ {
				if _, err := tx.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, created_at) VALUES ('generic', 'event', ?, ?)`, big, j); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	wal := d.Path() + "-wal"
	peak := walBytes(t, wal)
	if peak <= limit {
		t.Fatalf("the burst left a WAL of %d bytes, not past the %d limit: the test proves nothing", peak, limit)
	}
	reader.Rollback()
	// Let the checkpointer copy it back, then write once more.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := d.Write(ctx, func(tx Handle) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, created_at) VALUES ('generic', 'event', x'', 0)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n := walBytes(t, wal); n <= limit {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("WAL still %d bytes (peak %d) after the checkpointer ran; want at most %d", walBytes(t, wal), peak, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func walBytes(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(fmt.Errorf("stat %s: %w", path, err))
	}
	return st.Size()
}

// Writers that never pause still leave the WAL within four times its
// journal_size_limit: once past it, the checkpointer holds the writes for a
// RESTART checkpoint and the log starts again, where PASSIVE checkpoints
// alone let it grow for as long as the writes go on. (The bound is a
// small one here, so a few seconds of writes run far past it.)
func TestWALStaysBoundedUnderSustainedWrites(t *testing.T) {
	const limit = 4 << 20
	d, path := openTest(t, Options{walBytes: limit})
	bound := int64(4 * limit)
	// The writers run until four bounds' worth is written (the WAL must
	// have wrapped several times); the timeout only stops a machine too
	// slow to get there, which fails below rather than passing untested.
	want := 4 * bound
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rs := NewRequestStore()
	body := make([]byte, 3000)
	var wg sync.WaitGroup
	var written atomic.Int64
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				r := &Request{Method: "POST", Path: fmt.Sprintf("/w%d/%d", w, i), Body: body}
				if err := d.Write(ctx, func(tx Handle) error { return rs.CreateRequest(ctx, tx, r) }); err != nil {
					if ctx.Err() == nil {
						t.Error(err)
					}
					return
				}
				if written.Add(int64(len(body))) >= want {
					cancel()
				}
			}
		})
	}
	var peak int64
	for ctx.Err() == nil {
		if st, err := os.Stat(path + "-wal"); err == nil {
			peak = max(peak, st.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
	wg.Wait()
	if written.Load() < want {
		t.Fatalf("only %d bytes written in 90 s: not enough to test a %d-byte bound", written.Load(), bound)
	}
	if peak > bound {
		t.Errorf("the WAL reached %d bytes under sustained writes (%d bytes written); want at most %d", peak, written.Load(), bound)
	}
	t.Logf("%d MiB written, largest WAL %d KiB, bound %d KiB", written.Load()>>20, peak>>10, bound>>10)
}
