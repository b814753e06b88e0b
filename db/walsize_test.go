package db

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// A burst of writes grows the WAL; once it is copied back, the next write
// restarts it and the file shrinks to the limit instead of staying at its
// peak on disk.
func TestWALFileShrinksAfterABurst(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t, Options{})
	limit, _ := strconv.ParseInt(walSizeLimit, 10, 64)
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
