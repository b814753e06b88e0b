package db

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func sampleEndpoint(name string) *Endpoint {
	at := time.Unix(1700000000, 5).UTC()
	return &Endpoint{
		Name: name, URL: "http://127.0.0.1:9000/hook", Profile: "policycortex",
		Secret: "s3cret", Token: "t0ken", Header: "X-Token",
		Events:         []string{"policy.violated", "scan.completed"},
		Filters:        Filters{Severity: []string{"high"}, Environments: []string{"prod"}, CloudProviders: []string{"aws"}},
		Headers:        []Header{{Name: "X-A", Value: "1"}, {Name: "X-A", Value: "2"}},
		Retry:          &RetryConfig{MaxAttempts: 5, BackoffMultiplier: 2.5},
		TimeoutSeconds: 30,
		Enabled:        true,
		CreatedAt:      at,
		UpdatedAt:      at,
	}
}

func TestEndpointRoundTrip(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	s := NewEndpointStore()
	in := sampleEndpoint("pc")
	write(t, d, func(tx Handle) error { return s.CreateEndpoint(ctx, tx, in) })
	got, err := s.GetEndpoint(ctx, d.Reader(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
	byName, err := s.GetEndpointByName(ctx, d.Reader(), "pc")
	if err != nil || byName.ID != in.ID {
		t.Errorf("GetEndpointByName = %+v, %v", byName, err)
	}

	// Names are unique, on create and on update.
	if err := d.Write(ctx, func(tx Handle) error { return s.CreateEndpoint(ctx, tx, sampleEndpoint("pc")) }); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate name: %v, want ErrConflict", err)
	}
	other := &Endpoint{Name: "other", URL: "http://127.0.0.1:1/", Profile: "generic"}
	write(t, d, func(tx Handle) error { return s.CreateEndpoint(ctx, tx, other) })
	if other.Events == nil && other.CreatedAt.IsZero() {
		t.Error("CreateEndpoint did not stamp CreatedAt")
	}
	other.Name = "pc"
	if err := d.Write(ctx, func(tx Handle) error { return s.UpdateEndpoint(ctx, tx, other) }); !errors.Is(err, ErrConflict) {
		t.Errorf("rename onto a taken name: %v, want ErrConflict", err)
	}

	// Update replaces every field but the creation time.
	upd := *in
	upd.URL, upd.Retry, upd.Events, upd.Headers = "http://127.0.0.1:9001/", nil, []string{}, []Header{}
	upd.UpdatedAt = in.UpdatedAt.Add(time.Hour)
	upd.CreatedAt = time.Time{}
	write(t, d, func(tx Handle) error { return s.UpdateEndpoint(ctx, tx, &upd) })
	got, _ = s.GetEndpoint(ctx, d.Reader(), in.ID)
	upd.CreatedAt = in.CreatedAt
	if !reflect.DeepEqual(got, &upd) {
		t.Errorf("after update:\n got %+v\nwant %+v", got, &upd)
	}

	// Disable with a reason and time, then enable.
	at := time.Unix(1700000100, 0).UTC()
	write(t, d, func(tx Handle) error { return s.SetEndpointEnabled(ctx, tx, in.ID, false, "410 Gone", at) })
	got, _ = s.GetEndpoint(ctx, d.Reader(), in.ID)
	if got.Enabled || got.DisabledReason != "410 Gone" || got.DisabledAt == nil || !got.DisabledAt.Equal(at) {
		t.Errorf("disabled: %+v", got)
	}
	write(t, d, func(tx Handle) error { return s.SetEndpointEnabled(ctx, tx, in.ID, true, "", at) })
	got, _ = s.GetEndpoint(ctx, d.Reader(), in.ID)
	if !got.Enabled || got.DisabledReason != "" || got.DisabledAt != nil {
		t.Errorf("enabled: %+v", got)
	}

	list, err := s.ListEndpoints(ctx, d.Reader())
	if err != nil || len(list) != 2 || list[0].ID != in.ID || list[1].ID != other.ID {
		t.Errorf("ListEndpoints = %+v, %v", list, err)
	}

	for name, fn := range map[string]func(tx Handle) error{
		"update":  func(tx Handle) error { e := *in; e.ID = 999; return s.UpdateEndpoint(ctx, tx, &e) },
		"delete":  func(tx Handle) error { return s.DeleteEndpoint(ctx, tx, 999) },
		"disable": func(tx Handle) error { return s.SetEndpointEnabled(ctx, tx, 999, false, "x", at) },
	} {
		if err := d.Write(ctx, fn); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of an absent endpoint: %v, want ErrNotFound", name, err)
		}
	}
	if _, err := s.GetEndpoint(ctx, d.Reader(), 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetEndpoint(absent) = %v", err)
	}
	if _, err := s.GetEndpointByName(ctx, d.Reader(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetEndpointByName(absent) = %v", err)
	}
}
