package db

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// Benchmarks of delivery text search over a seeded database of a million
// deliveries (~1.3 attempts each: ~1 KB request bodies as benchBody
// makes them, a fifth of them stored as an event's payload, small
// response bodies, errors on failures, and retries of older deliveries
// written later). Seeded once per `go test -bench` run into a temp file;
// under -short 20,000 deliveries.
//
//	go test -run '^$' -bench 'ListDeliveries|IndexAttempts' -benchtime 2s ./db/

// deliverySeed is the deliveries benchmarks' file.
var deliverySeed benchFile

var benchDeliveryStatus = []string{"delivered", "delivered", "delivered", "delivered", "failed", "retrying", "pending"}

// seedDeliveries appends n bench deliveries to d with their attempts, in
// large transactions through prepared statements on the write
// connection. One attempt in 50 is a retry of an older delivery, written
// after newer deliveries' attempts.
func seedDeliveries(d *DB, r *rand.Rand, n int) error {
	ctx := context.Background()
	var eps []int64
	if err := d.Write(ctx, func(h Handle) error {
		for i, v := range benchVendors {
			name := fmt.Sprintf("bench-%s-%d", v, r.Uint32())
			res, err := h.ExecContext(ctx, `INSERT INTO endpoints (name, url, profile, created_at, updated_at) VALUES (?,?,?,?,?)`,
				name, fmt.Sprintf("https://hooks%d.example.com/%s", i, v), v, 1, 1)
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			eps = append(eps, id)
		}
		return nil
	}); err != nil {
		return err
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	var recent []int64 // recent delivery ids, for retries
	const chunk = 10_000
	for start := 0; start < n; start += chunk {
		err := d.Write(ctx, func(h Handle) error {
			tx := h.(*writeTx)
			insD, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (endpoint_id, vendor, event_types, status,
				execution_id, message_id, attempt_count, last_error, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)`)
			if err != nil {
				return err
			}
			defer insD.Close()
			insE, err := tx.PrepareContext(ctx, `INSERT INTO events (vendor, event_type, payload, source, created_at) VALUES (?,?,?,'bench',?)`)
			if err != nil {
				return err
			}
			defer insE.Close()
			insA, err := tx.PrepareContext(ctx, `INSERT INTO attempts (delivery_id, n, started_at, duration_ms, req_url,
				req_headers, req_body, req_body_event, resp_status, resp_body, error) VALUES (?,?,?,?,?,'[]',?,?,?,?,?)`)
			if err != nil {
				return err
			}
			defer insA.Close()
			attempt := func(del int64, n, v int, ts int64, body []byte, event any) (string, error) {
				status, resp, errText := 200, fmt.Appendf(nil, `{"received":true,"id":"%016x"}`, r.Uint64()), ""
				switch p := r.IntN(100); {
				case p < 6:
					status, resp, errText = 503, fmt.Appendf(nil, `{"error":"upstream unavailable","trace":"tr-%d"}`, r.IntN(1e6)), "HTTP 503 from endpoint"
				case p < 9:
					status, resp, errText = 0, nil, fmt.Sprintf("dial tcp 10.0.%d.%d:443: connect: connection refused", r.IntN(255), r.IntN(255))
				}
				if resp == nil {
					resp = []byte{}
				}
				_, err := insA.ExecContext(ctx, del, n, ts, float64(r.IntN(3000))/10,
					fmt.Sprintf("https://hooks%d.example.com/%s?d=%d", v, benchVendors[v], del), body, event, status, resp, errText)
				return errText, err
			}
			for i := start; i < min(start+chunk, n); i++ {
				v := i % len(benchVendors)
				ts := t0 + int64(i)*int64(time.Second)
				body := benchBody(r, benchVendors[v], i)
				typ := benchEvents[r.IntN(len(benchEvents))]
				var event any
				if v == 2 { // policycortex: the body is the event's payload
					res, err := insE.ExecContext(ctx, benchVendors[v], typ, body, ts)
					if err != nil {
						return err
					}
					event, body = mustID(res), []byte{}
				}
				res, err := insD.ExecContext(ctx, eps[v], benchVendors[v], `["`+typ+`"]`,
					benchDeliveryStatus[r.IntN(len(benchDeliveryStatus))], fmt.Sprintf("exec-%08x", r.Uint32()),
					fmt.Sprintf("msg-%d", i), 1, "", ts, ts)
				if err != nil {
					return err
				}
				del := mustID(res)
				tries := 1
				if r.IntN(10) == 0 {
					tries = 2 + r.IntN(2)
				}
				for k := range tries {
					if _, err := attempt(del, k+1, v, ts, body, event); err != nil {
						return err
					}
				}
				if len(recent) > 0 && r.IntN(50) == 0 {
					old := recent[r.IntN(len(recent))]
					if _, err := attempt(old, 10+i, int(old%int64(len(benchVendors))), ts, benchBody(r, "holm", i+1), nil); err != nil {
						return err
					}
				}
				if len(recent) < 5000 {
					recent = append(recent, del)
				} else {
					recent[r.IntN(len(recent))] = del
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func mustID(res sql.Result) int64 {
	id, err := res.LastInsertId()
	if err != nil {
		panic(err)
	}
	return id
}

// seedDeliveryBench creates (once per run) the seeded database, indexes
// it and says what that cost.
func seedDeliveryBench(b *testing.B) string {
	return deliverySeed.get(b, "hookscope-dbench-", func(path string, rows int) error {
		ctx := context.Background()
		d, err := Open(ctx, path, Options{})
		if err != nil {
			return err
		}
		defer d.Close()
		start := time.Now()
		if err := seedDeliveries(d, rand.New(rand.NewPCG(5, 6)), rows); err != nil {
			return err
		}
		var attempts int64
		d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM attempts`).Scan(&attempts)
		fmt.Fprintf(os.Stderr, "seeded %d deliveries, %d attempts in %v (%s)\n", rows, attempts, time.Since(start).Round(time.Millisecond), fileSize(path))
		start = time.Now()
		blocks, err := d.IndexText(ctx)
		if err != nil {
			return err
		}
		took := time.Since(start)
		st, _ := attemptText.readState(ctx, d.Reader())
		ost, _ := deliveryText.readState(ctx, d.Reader())
		var indexBytes, ownBytes, spans int64
		d.Reader().QueryRowContext(ctx, `SELECT sum(length(ids)) FROM attempt_grams`).Scan(&indexBytes)
		d.Reader().QueryRowContext(ctx, `SELECT sum(length(ids)) FROM delivery_grams`).Scan(&ownBytes)
		d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM attempt_grams_spans`).Scan(&spans)
		fmt.Fprintf(os.Stderr, "indexed %d blocks (%d attempts, %d deliveries) in %v: %.1f µs per attempt, attempt bitmaps %.0f MB (%.0f bytes per attempt), %d spans, own-column bitmaps %.1f MB (%.1f bytes per delivery); file now %s\n",
			blocks, st.upto, ost.upto, took.Round(time.Millisecond), float64(took.Microseconds())/float64(max(st.upto, 1)),
			float64(indexBytes)/1e6, float64(indexBytes)/float64(max(st.upto, 1)), spans,
			float64(ownBytes)/1e6, float64(ownBytes)/float64(max(ost.upto, 1)), fileSize(path))
		return nil
	})
}

func BenchmarkListDeliveries(b *testing.B) {
	path := seedDeliveryBench(b)
	ctx := context.Background()
	d, err := Open(ctx, path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	rows := int64(deliverySeed.rows)
	ds := NewDeliveryStore()
	for _, c := range []struct {
		name string
		f    DeliveryFilter
	}{
		{"text-common", DeliveryFilter{Text: "critical"}},
		{"text-rare", DeliveryFilter{Text: "CVE-2031-0042"}},
		{"text-absent", DeliveryFilter{Text: "no-such-token-xyz"}},
		{"text-rare+vendor", DeliveryFilter{Text: "CVE-2031-0042", Vendor: "holm"}},
		{"text-rare-deep", DeliveryFilter{Text: "CVE-2031-0042", Before: rows / 2}},
		{"text-error", DeliveryFilter{Text: "connection refused", Status: "failed"}},
	} {
		var n int
		b.Run(c.name+"/index", func(b *testing.B) {
			for b.Loop() {
				page, err := ds.ListDeliveries(ctx, d.Reader(), c.f)
				if err != nil {
					b.Fatal(err)
				}
				n = len(page)
			}
			b.ReportMetric(float64(n), "rows/page")
		})
		if c.name == "text-absent" {
			// The deliveries' own columns alone, over every delivery:
			// through their index, and read row by row.
			b.Run(c.name+"/own-columns-only", func(b *testing.B) {
				own, _ := deliveryTextMatch(c.f.Text)
				ost, err := deliveryText.readState(ctx, d.Reader())
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					idx := &ownIndex{st: ost, buckets: textBuckets(c.f.Text), blocks: map[int64][]int64{}}
					if _, err := decidedDeliveries(ctx, d.Reader(), c.f, own, idx, 0, math.MaxInt64, nil, 50, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(c.name+"/own-columns-only-rows", func(b *testing.B) {
				own, _ := deliveryTextMatch(c.f.Text)
				for b.Loop() {
					if _, err := decidedDeliveries(ctx, d.Reader(), c.f, own, nil, 0, math.MaxInt64, nil, 50, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(c.name+"/scan", func(b *testing.B) {
			for b.Loop() {
				page, err := listDeliveries(ctx, d.Reader(), c.f)
				if err != nil {
					b.Fatal(err)
				}
				n = len(page)
			}
			b.ReportMetric(float64(n), "rows/page")
		})
	}
}

// BenchmarkIndexAttempts measures what the background indexer spends per
// attempt: one block (the default 16384 ids) read, its trigrams gathered
// and its bitmaps written.
//
//	go test ./db -run '^$' -bench IndexAttempts
func BenchmarkIndexAttempts(b *testing.B) {
	d, _ := openTest(b, Options{})
	ctx := context.Background()
	if err := seedDeliveries(d, rand.New(rand.NewPCG(7, 8)), 15_000); err != nil {
		b.Fatal(err)
	}
	var attempts int64
	d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM attempts`).Scan(&attempts)
	if attempts <= 16384 {
		b.Fatalf("seeded %d attempts, want a closed block", attempts)
	}
	reindexLoop(b, d, `DELETE FROM attempt_grams; DELETE FROM attempt_grams_spans; UPDATE attempt_grams_state SET upto = 0`)
	var size int64
	d.Reader().QueryRowContext(ctx, `SELECT sum(length(ids)) FROM attempt_grams`).Scan(&size)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*16384), "µs/attempt")
	b.ReportMetric(float64(size)/16384, "bytes/attempt")
}
