package db

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// Statements run through execFast belong to the write's transaction: a
// batched write that fails undoes its own rows (its savepoint) and no
// other's, a write alone that fails undoes everything it ran, and the
// result reports the row written.
func TestExecFastIsPartOfTheWrite(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	const n = 100
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = d.Write(ctx, func(tx Handle) error {
				res, err := execFast(ctx, tx, `INSERT INTO events (vendor, event_type, payload, source, created_at) VALUES (?, ?, ?, ?, ?)`,
					"generic", "e", []byte("{}"), fmt.Sprint(i), int64(i))
				if err != nil {
					return err
				}
				if id, err := res.LastInsertId(); err != nil || id == 0 {
					return fmt.Errorf("LastInsertId = %d, %v", id, err)
				}
				if i%7 == 0 {
					return fmt.Errorf("writer %d refuses", i)
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	want := 0
	for i, err := range errs {
		if (err != nil) != (i%7 == 0) {
			t.Errorf("writer %d: %v", i, err)
		}
		if i%7 != 0 {
			want++
		}
	}
	var got, refused int
	d.Reader().QueryRow(`SELECT count(*), count(*) FILTER (WHERE CAST(source AS INTEGER) % 7 = 0) FROM events`).Scan(&got, &refused)
	if got != want || refused != 0 {
		t.Fatalf("%d events kept, %d of refused writers; want %d and 0", got, refused, want)
	}
	if s := d.Stats(); s.Commits >= n {
		t.Logf("no write was batched (%d commits): the savepoint path went untested", s.Commits)
	}
}
