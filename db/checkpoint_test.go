package db

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// walFrames reads how many frames the WAL holds and how many of them are
// already copied into the database file.
func walFrames(t *testing.T, d *DB) (log, done int) {
	t.Helper()
	var busy int
	if err := d.read.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil {
		t.Fatal(err)
	}
	return log, done
}

// Commits never checkpoint (the write connection has automatic
// checkpoints off), yet the checkpointer keeps the WAL copied back; two
// handles on one file, as two processes would be, both write with their
// checkpointers running, and every row is there; Close leaves the file
// complete without its WAL.
func TestCheckpointsOffTheCommitPath(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hookscope.db")
	ctx := context.Background()
	a, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var auto int
	if err := a.write.QueryRow("PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("write connection wal_autocheckpoint = %d, %v; want 0", auto, err)
	}

	rs := NewRequestStore()
	body := make([]byte, 3000) // about a page per row: the WAL grows fast
	const perHandle = 1600
	var wg sync.WaitGroup
	for hi, d := range []*DB{a, b} {
		for w := range 8 {
			wg.Go(func() {
				for i := range perHandle / 8 {
					r := &Request{Method: "POST", Path: fmt.Sprintf("/h%d/w%d/%d", hi, w, i), Body: body}
					if err := d.Write(ctx, func(tx Handle) error { return rs.CreateRequest(ctx, tx, r) }); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	// With automatic checkpoints off and no checkpointer, 3000 pages of
	// rows would all still be in the WAL; the checkpointers keep it copied.
	a.ckpt.run()
	if log, done := walFrames(t, a); done < log {
		t.Errorf("after a checkpoint with no reader pinning it: %d of %d WAL frames copied", done, log)
	}
	n, err := rs.CountRequests(ctx, b.Reader(), RequestFilter{})
	if err != nil || n != 2*perHandle {
		t.Fatalf("CountRequests = %d, %v; want %d", n, err, 2*perHandle)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > 0 {
		t.Errorf("the WAL is %d bytes after both closed; the last close should checkpoint and remove it", st.Size())
	}
	c, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n, err := rs.CountRequests(ctx, c.Reader(), RequestFilter{}); err != nil || n != 2*perHandle {
		t.Fatalf("reopened: CountRequests = %d, %v; want %d", n, err, 2*perHandle)
	}
}

// A failing write alone in its transaction (no savepoint) is rolled back
// whole and counted, and the next write commits.
func TestLoneWriteFailsAlone(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	rs := NewRequestStore()
	err := d.Write(ctx, func(tx Handle) error {
		if err := rs.CreateRequest(ctx, tx, &Request{Method: "POST", Path: "/gone"}); err != nil {
			return err
		}
		return fmt.Errorf("refused")
	})
	if err == nil || err.Error() != "refused" {
		t.Fatalf("Write = %v, want its own error", err)
	}
	err = d.Write(ctx, func(tx Handle) error { panic("boom") })
	if err == nil {
		t.Fatal("a panicking write returned nil")
	}
	write(t, d, func(tx Handle) error { return rs.CreateRequest(ctx, tx, &Request{Method: "POST", Path: "/kept"}) })
	list, err := rs.ListRequests(ctx, d.Reader(), RequestFilter{})
	if err != nil || len(list) != 1 || list[0].Path != "/kept" {
		t.Fatalf("rows = %+v, %v; want only /kept", list, err)
	}
	if st := d.Stats(); st.Writes != 3 || st.FailedWrites != 2 || st.Commits != 1 {
		t.Errorf("Stats = %+v, want 3 writes, 2 failed, 1 commit", st)
	}
}
