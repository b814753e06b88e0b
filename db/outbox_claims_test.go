package db

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestClaimDueNeverTwice: concurrent claimers never get the same delivery.
func TestClaimDueNeverTwice(t *testing.T) {
	d, o, ids := outboxSetup(t, 200, false)
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var got []int64
				now := time.Now()
				err := d.Write(ctx, func(tx Handle) error {
					var err error
					got, err = o.ClaimDue(ctx, tx, 0, false, now, now.Add(time.Minute), 7)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, id := range got {
					seen[id]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != len(ids) {
		t.Fatalf("claimed %d distinct deliveries, want %d", len(seen), len(ids))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("delivery %d claimed %d times", id, n)
		}
	}
}

// TestLeaseLostAndOrdering: a finish under a stale lease is refused, and an
// ordered endpoint's later delivery waits for the earlier one.
func TestLeaseLostAndOrdering(t *testing.T) {
	d, o, ids := outboxSetup(t, 2, true)
	ctx := context.Background()
	now := time.Now()
	var got []int64
	write(t, d, func(tx Handle) error {
		var err error
		got, err = o.ClaimDue(ctx, tx, 0, false, now, now.Add(time.Minute), 10)
		return err
	})
	if len(got) != 1 || got[0] != ids[0] {
		t.Fatalf("claimed %v, want only the first of an ordered endpoint (%d)", got, ids[0])
	}
	err := d.Write(ctx, func(tx Handle) error {
		return o.Finish(ctx, tx, ids[0], now.Add(time.Hour), Outcome{Status: DeliverySucceeded}, now)
	})
	if !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("finish under a wrong lease: %v, want ErrLeaseLost", err)
	}
	write(t, d, func(tx Handle) error {
		return o.Finish(ctx, tx, ids[0], now.Add(time.Minute), Outcome{Status: DeliverySucceeded}, now)
	})
	write(t, d, func(tx Handle) error {
		var err error
		got, err = o.ClaimDue(ctx, tx, 0, false, now, now.Add(time.Minute), 10)
		return err
	})
	if len(got) != 1 || got[0] != ids[1] {
		t.Fatalf("after the first succeeded, claimed %v, want %d", got, ids[1])
	}
}
