//go:build unix

package db

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// plainReader opens path with SQLite's default VFS, as another program
// (or an older hookscope) would: it reads the WAL through its own file
// descriptor, so it sees only what the writer has really written.
func plainReader(t *testing.T, path string) *sql.DB {
	t.Helper()
	r, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	r.SetMaxOpenConns(1)
	t.Cleanup(func() { r.Close() })
	return r
}

func countEvents(t *testing.T, r *sql.DB) int {
	t.Helper()
	var n int
	if err := r.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func insertEvents(ctx context.Context, d *DB, n int, payload []byte) error {
	return d.Write(ctx, func(tx Handle) error {
		for range n {
			if _, err := tx.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, created_at) VALUES ('generic', 'event', ?, 0)`, payload); err != nil {
				return err
			}
		}
		return nil
	})
}

// Every commit is in the file the moment Write returns: a reader with its
// own file descriptor and the default VFS counts it at once. The frames
// went out in far fewer writes than SQLite made, also after the log
// restarted, and never late (no commit was still buffered when it was
// published).
func TestWALVFSCommitIsInTheFileAtOnce(t *testing.T) {
	ctx := context.Background()
	d, path := openTest(t, Options{})
	r := plainReader(t, path)
	writes0, flushes0, late0 := walVFSStats()
	payload := []byte(strings.Repeat("x", 700))
	for i := 1; i <= 200; i++ {
		if i%50 == 0 {
			// Copy the log back and empty it: the next commit restarts it
			// from its first byte, and must still be gathered.
			if _, err := r.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				t.Fatal(err)
			}
		}
		if err := insertEvents(ctx, d, 1+i%7, payload); err != nil {
			t.Fatal(err)
		}
		want := 0
		for j := 1; j <= i; j++ {
			want += 1 + j%7
		}
		if got := countEvents(t, r); got != want {
			t.Fatalf("after commit %d another connection counts %d events, want %d", i, got, want)
		}
	}
	writes, flushes, late := walVFSStats()
	writes, flushes, late = writes-writes0, flushes-flushes0, late-late0
	if late != 0 {
		t.Errorf("%d commits were still buffered when published", late)
	}
	// Each commit here writes a few pages: two writes each from SQLite.
	if writes < 4*200 || flushes*3 > writes {
		t.Errorf("%d WAL writes went out in %d writes: want them gathered (at least 3 to 1)", writes, flushes)
	}
	var ok string
	if err := r.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q, %v", ok, err)
	}
}

// A transaction larger than the page cache spills frames into the WAL
// before it commits. Rolled back, its frames must reach the file before
// the write lock is released (as they would unbuffered), and must never
// land over what another connection commits next; committed, every row is
// there.
func TestWALVFSSpilledTransactions(t *testing.T) {
	ctx := context.Background()
	d, path := openTest(t, Options{})
	r := plainReader(t, path)
	_, _, late0 := walVFSStats()
	big := []byte(strings.Repeat("y", 3000))
	spill := func(fail bool) error {
		return d.Write(ctx, func(tx Handle) error {
			if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = 20`); err != nil {
				return err
			}
			for range 400 { // ~1.2 MB: far past 20 pages
				if _, err := tx.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, created_at) VALUES ('generic', 'event', ?, 0)`, big); err != nil {
					return err
				}
			}
			if fail {
				return errors.New("rolled back on purpose")
			}
			return nil
		})
	}
	want := 0
	for round := range 6 {
		if err := spill(true); err == nil {
			t.Fatal("the failing write committed")
		}
		// Another connection (the plain one) commits next, then ours.
		if _, err := r.Exec(`INSERT INTO events (vendor, event_type, payload, created_at) VALUES ('generic', 'other', x'01', 0)`); err != nil {
			t.Fatalf("round %d: another connection's commit: %v", round, err)
		}
		want++
		if err := spill(false); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		want += 400
		if err := insertEvents(ctx, d, 3, []byte("z")); err != nil {
			t.Fatal(err)
		}
		want += 3
		if got := countEvents(t, r); got != want {
			t.Fatalf("round %d: %d events, want %d", round, got, want)
		}
	}
	var ok string
	if err := r.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q, %v", ok, err)
	}
	if _, _, late := walVFSStats(); late != late0 {
		t.Errorf("%d commits were still buffered when published", late-late0)
	}
}

// walCrashChild is the process TestWALVFSSurvivesSIGKILL kills: it commits
// batches of events and prints the running total after each commit.
func walCrashChild(path string) {
	ctx := context.Background()
	d, err := Open(ctx, path, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	payload := []byte(strings.Repeat("k", 900))
	var total int // what the earlier children left, then ours
	if err := d.Reader().QueryRow(`SELECT count(*) FROM events`).Scan(&total); err != nil {
		fmt.Println("count:", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		n := 1 + i%40
		if err := insertEvents(ctx, d, n, payload); err != nil {
			fmt.Println("write:", err)
			os.Exit(1)
		}
		total += n
		fmt.Println(total)
	}
}

// walWriterChild is one of the processes TestWALVFSProcessesShareTheFile
// runs at once: it commits `commits` batches of its own event type, while
// its checkpointer copies and restarts the log as it sees fit, then exits.
func walWriterChild(path, kind string, commits int) {
	ctx := context.Background()
	d, err := Open(ctx, path, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	payload := []byte(strings.Repeat(kind, 500))
	for i := range commits {
		err := d.Write(ctx, func(tx Handle) error {
			for range 1 + i%25 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, created_at) VALUES ('generic', ?, ?, 0)`, kind, payload); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			fmt.Println("write:", err)
			os.Exit(1)
		}
	}
	if err := d.Close(); err != nil {
		fmt.Println("close:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func init() {
	if p := os.Getenv("HOOKSCOPE_WAL_CRASH_CHILD"); p != "" {
		walCrashChild(p)
	}
	if p := os.Getenv("HOOKSCOPE_WAL_WRITER_CHILD"); p != "" {
		commits, _ := strconv.Atoi(os.Getenv("HOOKSCOPE_WAL_WRITER_COMMITS"))
		walWriterChild(p, os.Getenv("HOOKSCOPE_WAL_WRITER_KIND"), commits)
	}
}

// Three processes write the same file at once, each through its own
// buffered log writes, taking the write lock in turn and restarting the
// log after one another's checkpoints: every row of every one is there,
// and the file is whole. Meanwhile a plain reader never sees the count go
// down or the file go bad.
func TestWALVFSProcessesShareTheFile(t *testing.T) {
	path := t.TempDir() + "/shared.db"
	d, err := Open(context.Background(), path, Options{}) // migrate once, up front
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	const commits = 400
	kinds := []string{"a", "b", "c"}
	cmds := make([]*exec.Cmd, len(kinds))
	outs := make([]strings.Builder, len(kinds))
	for i, kind := range kinds {
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), "HOOKSCOPE_WAL_WRITER_CHILD="+path, "HOOKSCOPE_WAL_WRITER_KIND="+kind,
			"HOOKSCOPE_WAL_WRITER_COMMITS="+strconv.Itoa(commits))
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	r := plainReader(t, path)
	done := make(chan struct{})
	go func() {
		for _, cmd := range cmds {
			cmd.Wait()
		}
		close(done)
	}()
	last, checks := 0, 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		n := countEvents(t, r)
		if checks++; checks%16 == 0 {
			// Copy the log back and restart it under the writers.
			if _, err := r.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				t.Fatal(err)
			}
		}
		if n < last {
			t.Fatalf("the event count went from %d down to %d", last, n)
		}
		last = n
	}
	per := 0
	for i := range commits {
		per += 1 + i%25
	}
	for i, cmd := range cmds {
		if !cmd.ProcessState.Success() {
			t.Fatalf("writer %s: %v: %s", kinds[i], cmd.ProcessState, outs[i].String())
		}
	}
	for _, kind := range kinds {
		var n int
		if err := r.QueryRow(`SELECT count(*) FROM events WHERE event_type = ? AND payload = ?`, kind, []byte(strings.Repeat(kind, 500))).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != per {
			t.Errorf("writer %s: %d events, want %d", kind, n, per)
		}
	}
	var ok string
	if err := r.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q, %v", ok, err)
	}
}

// A process killed with SIGKILL in the middle of committing loses nothing
// it had committed: reopened, the file is whole and holds at least every
// event the child reported committed.
func TestWALVFSSurvivesSIGKILL(t *testing.T) {
	path := t.TempDir() + "/crash.db"
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), "HOOKSCOPE_WAL_CRASH_CHILD="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		committed, lines := 0, 0
		killAt := 150 + 70*round
		for sc.Scan() {
			n, err := strconv.Atoi(sc.Text())
			if err != nil {
				t.Fatalf("child: %s", sc.Text())
			}
			committed, lines = n, lines+1
			if lines == killAt {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
		cmd.Wait()
		if lines < killAt {
			t.Fatalf("round %d: the child stopped after %d commits", round, lines)
		}
		d, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopening after SIGKILL: %v", round, err)
		}
		var got int
		var ok string
		d.Reader().QueryRow(`SELECT count(*) FROM events`).Scan(&got)
		d.Reader().QueryRow(`PRAGMA integrity_check`).Scan(&ok)
		d.Close()
		if ok != "ok" {
			t.Fatalf("round %d: integrity_check after SIGKILL: %s", round, ok)
		}
		if got < committed {
			t.Fatalf("round %d: %d events after SIGKILL; the child had committed %d", round, got, committed)
		}
	}
}
