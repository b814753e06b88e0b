package db

import (
	"context"
	"testing"
)

// A database from before ad-hoc targets kept each `hookscope send` target
// as an enabled endpoint named "send:PROFILE:URL": opening it marks those
// ad hoc, so they leave the user's list and keep their deliveries, while
// the user's own endpoints stay as they were.
func TestMigrationMarksOldSendEndpointsAdHoc(t *testing.T) {
	ctx := context.Background()
	conn, path := migratedTo(t, 9)
	for _, name := range []string{"local-holm", "send:holm:http://127.0.0.1:9/x"} {
		if _, err := conn.Exec(`INSERT INTO endpoints (name, url, profile, created_at, updated_at) VALUES (?, 'http://127.0.0.1:9/x', 'holm', 1, 1)`, name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(`INSERT INTO deliveries (endpoint_id, vendor, status, created_at, updated_at) VALUES (2, 'holm', 'succeeded', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	d := openMigrated(t, conn, path)
	defer d.Close()
	eps, err := NewEndpointStore().ListEndpoints(ctx, d.Reader())
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 1 || eps[0].Name != "local-holm" || eps[0].AdHoc {
		t.Errorf("the user's endpoints after the migration: %+v, want local-holm alone", eps)
	}
	old, err := NewEndpointStore().GetEndpoint(ctx, d.Reader(), 2)
	if err != nil || !old.AdHoc {
		t.Fatalf("the old send endpoint: %+v, %v; want it kept, ad hoc", old, err)
	}
	if _, err := NewDeliveryStore().GetDelivery(ctx, d.Reader(), 1); err != nil {
		t.Errorf("its delivery: %v", err)
	}
}
