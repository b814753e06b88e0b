package db

import (
	"context"
	"errors"
	"testing"
)

// TestSetRequestOutcome: the latency and error note of a stored request
// change, nothing else does; an unknown id is ErrNotFound.
func TestSetRequestOutcome(t *testing.T) {
	d, _ := openTest(t, Options{})
	s := NewRequestStore()
	ctx := context.Background()
	r := sampleRequest()
	write(t, d, func(tx Handle) error { return s.CreateRequest(ctx, tx, r) })
	write(t, d, func(tx Handle) error {
		return s.SetRequestOutcome(ctx, tx, r.ID, 30012.5, "simulated hang: held 30s")
	})
	got, err := s.GetRequest(ctx, d.Reader(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Response.LatencyMS != 30012.5 || got.Error != "simulated hang: held 30s" {
		t.Errorf("after the update: latency %v, error %q", got.Response.LatencyMS, got.Error)
	}
	if got.Response.Status != r.Response.Status || string(got.Body) != string(r.Body) || got.Vendor != r.Vendor {
		t.Errorf("the update changed other fields: %+v", got)
	}
	err = d.Write(ctx, func(tx Handle) error { return s.SetRequestOutcome(ctx, tx, r.ID+100, 1, "x") })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
}
