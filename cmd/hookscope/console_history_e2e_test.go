package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// seedHistory stores n received requests in one SQL transaction (as the
// console's benchmarks seed a million): request i's event id is evt_i.
func seedHistory(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	start := time.Unix(1773480413, 0).UnixNano()
	err = d.Write(ctx, func(tx db.Handle) error {
		_, err := tx.ExecContext(ctx, `
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO requests (id, received_at, route, method, path, headers, body, body_size, json_valid,
				vendor, event_types, sig_status, sig_reason, shape_issues, resp_status, resp_headers, resp_body, latency_ms)
			SELECT i, ? + i * 1000000, 'policycortex', 'POST', '/hooks/policycortex', '[]',
				CAST(printf('{"id":"evt_%d","type":"policy.violation.created"}', i) AS BLOB),
				40, 1, 'policycortex', '["policy.violation.created"]', 'valid', '', '[]', 200, '[]', CAST('{"ok":true}' AS BLOB), 1.5
			FROM n`, n, start)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConsoleOldestOfALargeHistory opens a 10,000-request database at
// 120x40, goes to the oldest request with G (its detail shown, the title
// placing it last), then back to the newest with g.
func TestConsoleOldestOfALargeHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	seedHistory(t, path, 10000)
	c := startConsole(t, 120, 40, "--db", path)
	c.waitFor(10*time.Second, "Inbox · 10,000 · row 1 ", "Request #10000 ", `"evt_10000"`)
	c.keys("G")
	c.waitFor(5*time.Second, "Inbox · 10,000 · row 10,000", "Request #1 ", `"evt_1"`)
	c.keys("k")
	c.waitFor(5*time.Second, "row 9,999", "Request #2 ")
	c.keys("g")
	c.waitFor(5*time.Second, "Inbox · 10,000 · row 1 ", "Request #10000 ")
}
