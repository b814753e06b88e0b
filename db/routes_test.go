package db

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestRouteRoundTrip(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	s := NewRouteStore()
	created := time.Unix(1700000000, 1).UTC()
	in := &Route{
		Name: "holm", Profile: "holm", Secret: "whsec_x", Token: "tok", Header: "X-Auth",
		Response: SimResponse{Status: 202, Body: "ok", Headers: []Header{{Name: "A", Value: "1"}, {Name: "A", Value: "2"}},
			DelayMS: 5, FailFirst: 3, FailStatus: 503, FailureRate: 0.25, Seed: 42, OversizeBytes: 1 << 20},
		CreatedAt: created, UpdatedAt: created,
	}
	write(t, d, func(tx Handle) error { return s.PutRoute(ctx, tx, in) })
	got, err := s.GetRoute(ctx, d.Reader(), "holm")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}

	// Counting, then replacing: the counter is what PutRoute says, the
	// creation time is kept.
	for want := int64(1); want <= 3; want++ {
		var n int64
		write(t, d, func(tx Handle) error {
			var err error
			n, err = s.CountRouteRequest(ctx, tx, "holm")
			return err
		})
		if n != want {
			t.Fatalf("CountRouteRequest = %d, want %d", n, want)
		}
	}
	re := &Route{Name: "holm", Profile: "generic", Response: SimResponse{Hang: true}}
	write(t, d, func(tx Handle) error { return s.PutRoute(ctx, tx, re) })
	got, err = s.GetRoute(ctx, d.Reader(), "holm")
	if err != nil {
		t.Fatal(err)
	}
	if got.Profile != "generic" || !got.Response.Hang || got.Counters.Received != 0 || !got.CreatedAt.Equal(created) || got.Secret != "" {
		t.Errorf("after replace: %+v", got)
	}

	write(t, d, func(tx Handle) error { return s.PutRoute(ctx, tx, &Route{Name: "a", Profile: "generic"}) })
	list, err := s.ListRoutes(ctx, d.Reader())
	if err != nil || len(list) != 2 || list[0].Name != "a" || list[1].Name != "holm" {
		t.Errorf("ListRoutes = %+v, %v", list, err)
	}
	write(t, d, func(tx Handle) error { return s.DeleteRoute(ctx, tx, "a") })
	if err := d.Write(ctx, func(tx Handle) error { return s.DeleteRoute(ctx, tx, "a") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	if _, err := s.GetRoute(ctx, d.Reader(), "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetRoute(deleted) = %v, want ErrNotFound", err)
	}
	if err := d.Write(ctx, func(tx Handle) error { _, err := s.CountRouteRequest(ctx, tx, "nope"); return err }); !errors.Is(err, ErrNotFound) {
		t.Errorf("CountRouteRequest(absent) = %v, want ErrNotFound", err)
	}
}

// Concurrent receivers counting on one route never lose a count: the
// fail-first simulation depends on it.
func TestCountRouteRequestConcurrent(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	s := NewRouteStore()
	write(t, d, func(tx Handle) error { return s.PutRoute(ctx, tx, &Route{Name: "r", Profile: "generic"}) })
	const n = 100
	seen := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := d.Write(ctx, func(tx Handle) error {
				var err error
				seen[i], err = s.CountRouteRequest(ctx, tx, "r")
				return err
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := map[int64]bool{}
	for _, v := range seen {
		got[v] = true
	}
	if len(got) != n || !got[1] || !got[n] {
		t.Errorf("counts are not 1..%d each once: %v", n, seen)
	}
}
