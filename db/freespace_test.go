package db

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Below the floor a write is refused before it runs, with an error that
// says so and maps to 503 with Retry-After; a write marked WithoutFloor,
// and a prune, still run.
func TestWritesBelowTheFloor(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t, Options{MinFree: 1 << 60}) // no disk has that much
	ran := false
	err := d.Write(ctx, func(tx Handle) error { ran = true; return nil })
	var low *LowSpaceError
	if !errors.As(err, &low) || !errors.Is(err, ErrLowSpace) || ran || low.Floor != 1<<60 {
		t.Fatalf("Write below the floor = %v (ran %v); want a *LowSpaceError before running", err, ran)
	}
	if r, ok := Refused(err); !ok || r.Status != 503 || r.RetryAfterHeader() == "0" {
		t.Errorf("Refused(%v) = %+v, %v; want 503 with a Retry-After", err, r, ok)
	}
	if err := d.Health(ctx); !errors.Is(err, ErrLowSpace) {
		t.Errorf("Health = %v, want the low space", err)
	}
	rs := NewRequestStore()
	if err := d.Write(WithoutFloor(ctx), func(tx Handle) error {
		return rs.CreateRequest(ctx, tx, &Request{Method: "POST", Path: "/kept"})
	}); err != nil {
		t.Fatalf("a write WithoutFloor: %v", err)
	}
	if res, err := d.Prune(ctx, time.Time{}); err != nil || res.Requests != 1 {
		t.Fatalf("Prune below the floor = %+v, %v; want the request gone", res, err)
	}
	free, _ := openTest(t, Options{MinFree: 1})
	if err := free.Health(ctx); err != nil {
		t.Errorf("Health with room = %v", err)
	}
}
