package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// 200 concurrent writers all land, in fewer transactions than writes, and
// a failing write undoes only itself and gets its own error.
func TestGroupCommit(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	rs := NewRequestStore()
	const n = 200
	const failEvery = 10
	errs := make([]error, n)
	ids := make([]int64, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = d.Write(ctx, func(tx Handle) error {
				r := &Request{Method: "POST", Path: fmt.Sprintf("/w/%d", i)}
				if err := rs.CreateRequest(ctx, tx, r); err != nil {
					return err
				}
				ids[i] = r.ID
				if i%failEvery == 0 {
					return fmt.Errorf("writer %d refuses", i)
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()

	for i, err := range errs {
		if i%failEvery == 0 {
			if err == nil || err.Error() != fmt.Sprintf("writer %d refuses", i) {
				t.Errorf("writer %d got %v, want its own error", i, err)
			}
			if _, gerr := rs.GetRequest(ctx, d.Reader(), ids[i]); !errors.Is(gerr, ErrNotFound) {
				// The id may have been reused by a later writer in the batch.
				if r, _ := rs.GetRequest(ctx, d.Reader(), ids[i]); r != nil && r.Path == fmt.Sprintf("/w/%d", i) {
					t.Errorf("writer %d's rolled-back row is present", i)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
			continue
		}
		r, err := rs.GetRequest(ctx, d.Reader(), ids[i])
		if err != nil || r.Path != fmt.Sprintf("/w/%d", i) {
			t.Errorf("writer %d's row: %+v, %v", i, r, err)
		}
	}
	total, err := rs.CountRequests(ctx, d.Reader(), RequestFilter{})
	if want := int64(n - n/failEvery); err != nil || total != want {
		t.Errorf("CountRequests = %d, %v; want %d", total, err, want)
	}
	st := d.Stats()
	if st.Writes != n || st.FailedWrites != n/failEvery {
		t.Errorf("Stats = %+v, want %d writes, %d failed", st, n, n/failEvery)
	}
	if st.Commits >= st.Writes || st.LargestBatch < 2 {
		t.Errorf("no group commit: %+v", st)
	}
	t.Logf("stats: %+v", st)
}

// With MaxBatch 1 every write is its own transaction.
func TestMaxBatchOne(t *testing.T) {
	d, _ := openTest(t, Options{MaxBatch: 1})
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if err := d.Write(ctx, func(tx Handle) error {
				return NewRequestStore().CreateRequest(ctx, tx, &Request{Method: "POST", Path: "/"})
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if st := d.Stats(); st.Writes != 50 || st.Commits != 50 || st.LargestBatch != 1 {
		t.Errorf("Stats = %+v, want 50 writes in 50 commits", st)
	}
}

// A write is visible to another connection to the file (another process,
// in life) as soon as Write returns.
func TestWriteVisibleToSecondOpen(t *testing.T) {
	d, path := openTest(t, Options{})
	other, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	rs := NewRequestStore()
	for i := range 20 {
		r := &Request{Method: "POST", Path: fmt.Sprint("/", i)}
		write(t, d, func(tx Handle) error { return rs.CreateRequest(ctx, tx, r) })
		got, err := rs.GetRequest(ctx, other.Reader(), r.ID)
		if err != nil || got.Path != r.Path {
			t.Fatalf("write %d not visible to the other Open: %+v, %v", i, got, err)
		}
	}
}

// Two *DB on one file (the console and `hookscope serve`) write at once
// and both succeed.
func TestTwoDBsWriteConcurrently(t *testing.T) {
	a, path := openTest(t, Options{})
	b, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	rs := NewRequestStore()
	const per = 100
	var wg sync.WaitGroup
	for _, d := range []*DB{a, b} {
		for w := range 10 {
			wg.Go(func() {
				for i := range per / 10 {
					err := d.Write(ctx, func(tx Handle) error {
						return rs.CreateRequest(ctx, tx, &Request{Method: "POST", Path: fmt.Sprintf("/%p/%d/%d", d, w, i)})
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	for _, d := range []*DB{a, b} {
		n, err := rs.CountRequests(ctx, d.Reader(), RequestFilter{})
		if err != nil || n != 2*per {
			t.Errorf("CountRequests = %d, %v; want %d", n, err, 2*per)
		}
	}
}

func TestWriteAfterClose(t *testing.T) {
	d, _ := openTest(t, Options{})
	d.Close()
	if err := d.Write(context.Background(), func(Handle) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
}

// A COMMIT that fails (here a deferred foreign-key check) fails its
// write, leaves nothing of it behind, and leaves the connection outside any
// transaction: the next write commits normally.
func TestFailedCommitIsRolledBack(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t, Options{})
	err := d.Write(ctx, func(h Handle) error {
		if _, err := h.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
		_, err := h.ExecContext(ctx, `INSERT INTO deliveries (endpoint_id, vendor, event_types, status, created_at, updated_at) VALUES (999999, 'generic', '[]', 'pending', 0, 0)`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "committing") {
		t.Fatalf("write with a dangling endpoint: %v; want its commit to fail", err)
	}
	if err := d.Write(ctx, func(h Handle) error {
		_, err := h.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, created_at) VALUES ('generic', 'e', x'', 0)`)
		return err
	}); err != nil {
		t.Fatalf("the next write: %v", err)
	}
	var deliveries, events int
	d.Reader().QueryRow(`SELECT (SELECT count(*) FROM deliveries), (SELECT count(*) FROM events)`).Scan(&deliveries, &events)
	if deliveries != 0 || events != 1 {
		t.Fatalf("%d deliveries and %d events; want 0 and 1", deliveries, events)
	}
}
