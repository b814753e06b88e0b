package db

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Benchmarks of the request store over a seeded database of a million
// requests (~1 KB vendor-like JSON bodies, 5 vendors, several routes,
// statuses and signature verdicts), seeded once per `go test -bench` run
// into a temp file. Under -short the seed is 20,000 rows. Tests never seed.
//
//	go test -run '^$' -bench . -benchtime 2s ./db/

// benchFile is a database seeded once per `go test -bench` run, with a
// million rows (20,000 under -short), in a temp dir TestMain removes.
type benchFile struct {
	once sync.Once
	dir  string
	path string
	rows int
	err  error
}

// get seeds f (the first time) by seed(path, rows), in a temp dir named
// after prefix, and returns its path.
func (f *benchFile) get(b *testing.B, prefix string, seed func(path string, rows int) error) string {
	b.Helper()
	f.once.Do(func() {
		f.rows = 1_000_000
		if testing.Short() {
			f.rows = 20_000
		}
		if f.dir, f.err = os.MkdirTemp("", prefix); f.err != nil {
			return
		}
		f.path = filepath.Join(f.dir, "bench.db")
		f.err = seed(f.path, f.rows)
	})
	if f.err != nil {
		b.Fatalf("seeding: %v", f.err)
	}
	return f.path
}

// benchSeed is the requests benchmarks' file.
var benchSeed benchFile

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for _, dir := range []string{benchSeed.dir, deliverySeed.dir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

var (
	benchVendors  = []string{"cyscale", "securityscorecard", "policycortex", "holm", "codescoring"}
	benchRoutes   = []string{"cyscale", "ssc", "pc-prod", "pc-staging", "holm", "codescoring", "generic"}
	benchEvents   = []string{"alert.new", "compliance.threshold", "policy.violated", "scan.completed", "issue.created", "vulnerability.found"}
	benchSeverity = []string{"low", "medium", "high", "critical"}
)

// benchStatus spreads responses like a real inbox: mostly 2xx, some 4xx
// and 5xx.
func benchStatus(r *rand.Rand) int {
	switch p := r.IntN(100); {
	case p < 70:
		return 200
	case p < 80:
		return 202
	case p < 85:
		return 204
	case p < 89:
		return 400
	case p < 92:
		return 401
	case p < 95:
		return 404
	case p < 98:
		return 500
	default:
		return 503
	}
}

func benchSig(r *rand.Rand) string {
	switch p := r.IntN(100); {
	case p < 85:
		return "valid"
	case p < 92:
		return "invalid"
	case p < 97:
		return "missing"
	default:
		return "unverifiable"
	}
}

// benchBody is a ~1 KB JSON body in the manner of vendor, carrying the
// rare token "CVE-2031-0042" in one row of 10,000.
func benchBody(r *rand.Rand, vendor string, i int) []byte {
	sev := benchSeverity[r.IntN(len(benchSeverity))]
	cve := fmt.Sprintf("CVE-20%02d-%04d", 10+r.IntN(15), r.IntN(9999))
	if i%10000 == 0 {
		cve = "CVE-2031-0042"
	}
	desc := "Resource configuration drifted from the approved baseline; review the change history, the owner and the exposure before remediating. "
	switch vendor {
	case "cyscale":
		return fmt.Appendf(nil, `[{"id":"%016x","title":"Storage bucket allows public read","severity":"%s","status":"open","resolvedAtTimestamp":"0001-01-01T00:00:00Z","createdAtTimestamp":"2025-0%d-1%dT10:%02d:00Z","policy":{"id":"pol-%d","name":"Public buckets"},"asset":{"id":"arn:aws:s3:::bucket-%d","type":"aws.s3.bucket","cloud":"aws","account":"%012d"},"description":"%s%s","references":["%s"]}]`,
			r.Uint64(), sev, 1+r.IntN(9), r.IntN(10), r.IntN(60), r.IntN(500), r.IntN(100000), r.Int64N(1e12), desc, desc, cve)
	case "securityscorecard":
		return fmt.Appendf(nil, `{"event_type":"issue.created","company":{"domain":"example%d.com","name":"Example %d"},"score":{"current":%d,"previous":%d,"grade":"B"},"issue":{"type":"patching_cadence_%s","severity":"%s","count":%d,"first_seen":"2025-06-%02dT00:00:00Z","detail":"%s%s","cve":"%s"},"portfolio_id":"%024x"}`,
			r.IntN(9999), r.IntN(9999), 60+r.IntN(40), 60+r.IntN(40), sev, sev, r.IntN(50), 1+r.IntN(28), desc, desc, cve, r.Uint64())
	case "policycortex":
		return fmt.Appendf(nil, `{"id":"evt_%024x","type":"policy.violated","created":"2025-07-%02dT12:00:00Z","data":{"policy_id":"pc-%d","policy_name":"Encrypt data at rest","severity":"%s","environment":"prod","cloud_provider":"azure","resource":{"id":"/subscriptions/%08x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct%d","type":"storage_account"},"message":"%s%s","cve":"%s"}}`,
			r.Uint64(), 1+r.IntN(28), r.IntN(400), sev, r.Uint32(), r.IntN(10000), desc, desc, cve)
	case "holm":
		return fmt.Appendf(nil, `{"eventId":"%032x","eventType":"vulnerability.found","occurredAt":"2025-08-%02dT08:30:00Z","tenant":"t-%d","finding":{"title":"Outdated OpenSSL on host-%d","severity":"%s","cvss":%d.%d,"cve":"%s","host":{"name":"host-%d.internal","ip":"10.%d.%d.%d"},"summary":"%s%s"}}`,
			r.Uint64(), 1+r.IntN(28), r.IntN(50), r.IntN(5000), sev, r.IntN(10), r.IntN(10), cve, r.IntN(5000), r.IntN(255), r.IntN(255), r.IntN(255), desc, desc)
	default:
		return fmt.Appendf(nil, `{"event":"scan.completed","project":{"id":%d,"name":"service-%d"},"policy":"block-critical","results":[{"package":"lodash","version":"4.17.%d","vulnerability":"%s","severity":"%s","license":"MIT"},{"package":"log4j-core","version":"2.%d.0","vulnerability":"CVE-2021-44228","severity":"critical","license":"Apache-2.0"}],"notes":"%s%s"}`,
			r.IntN(1000), r.IntN(1000), r.IntN(21), cve, sev, r.IntN(17), desc, desc)
	}
}

// seedBench creates (once per run) the seeded database of requests,
// indexes it and returns its path.
func seedBench(b *testing.B) string {
	return benchSeed.get(b, "hookscope-bench-", func(path string, rows int) error {
		start := time.Now()
		if err := bulkInsert(path, rows); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "seeded %d requests in %v (%s)\n", rows, time.Since(start).Round(time.Millisecond), fileSize(path))
		return indexBench(path)
	})
}

// indexBench builds the text index of the seeded file, as a running
// hookscope's indexer does in the background, and says what it took.
func indexBench(path string) error {
	ctx := context.Background()
	d, err := Open(ctx, path, Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	blocks, err := d.IndexText(ctx)
	if err != nil {
		return err
	}
	st, err := readTextIndexState(ctx, d.Reader())
	if err != nil {
		return err
	}
	rows := int64(blocks) * st.blockSize
	var indexBytes int64
	if err := d.Reader().QueryRowContext(ctx, `SELECT sum(length(ids)) FROM request_grams`).Scan(&indexBytes); err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(os.Stderr, "indexed %d blocks (%d requests) in %v: %.1f µs per request, bitmaps %.0f MB (%.0f bytes per request); file now %s\n",
		blocks, rows, took.Round(time.Millisecond), float64(took.Microseconds())/float64(max(rows, 1)),
		float64(indexBytes)/1e6, float64(indexBytes)/float64(max(rows, 1)), fileSize(path))
	return nil
}

func fileSize(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.0f MB", float64(st.Size())/1e6)
}

// bulkInsert writes n requests in large transactions through one prepared
// statement on the write connection.
func bulkInsert(path string, n int) error {
	ctx := context.Background()
	d, err := Open(ctx, path, Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	const chunk = 20_000
	for start := 0; start < n; start += chunk {
		err := d.Write(ctx, func(h Handle) error {
			stmt, err := h.(*writeTx).PrepareContext(ctx, `INSERT INTO requests (received_at, route, method,
				path, headers, body, body_size, remote_addr, json_valid, vendor, event_types,
				sig_status, resp_status, resp_headers, resp_body, latency_ms)
				VALUES (?,?,'POST',?,?,?,?,'127.0.0.1:40000',1,?,?,?,?,'[]',x'',?)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for i := start; i < min(start+chunk, n); i++ {
				v := i % len(benchVendors)
				route := benchRoutes[r.IntN(len(benchRoutes))]
				body := benchBody(r, benchVendors[v], i)
				headers := fmt.Sprintf(`[{"name":"Content-Type","value":"application/json"},{"name":"User-Agent","value":"%s-webhooks/1.0"},{"name":"X-Request-Id","value":"%016x"}]`, benchVendors[v], r.Uint64())
				event := fmt.Sprintf(`["%s"]`, benchEvents[r.IntN(len(benchEvents))])
				if _, err := stmt.ExecContext(ctx, t0+int64(i)*int64(time.Second), route, "/hooks/"+route,
					headers, body, len(body), benchVendors[v], event, benchSig(r), benchStatus(r), float64(r.IntN(2000))/100); err != nil {
					return err
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

func openBench(b *testing.B) *DB {
	path := seedBench(b)
	d, err := Open(context.Background(), path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

func BenchmarkListRequests(b *testing.B) {
	d := openBench(b)
	ctx := context.Background()
	rs := NewRequestStore()
	rows := int64(benchSeed.rows)
	cases := []struct {
		name string
		f    RequestFilter
	}{
		{"first-page", RequestFilter{}},
		{"deep-page", RequestFilter{Before: rows / 100}},
		{"mid-page", RequestFilter{Before: rows / 2}},
		{"vendor", RequestFilter{Vendor: "holm"}},
		{"vendor-deep", RequestFilter{Vendor: "holm", Before: rows / 100}},
		{"route", RequestFilter{Route: "pc-staging"}},
		{"status-exact-503", RequestFilter{Status: "503"}},
		{"status-2xx", RequestFilter{Status: "2xx"}},
		{"status-4xx", RequestFilter{Status: "4xx"}},
		{"status-5xx", RequestFilter{Status: "5xx"}},
		{"status-5xx-deep", RequestFilter{Status: "5xx", Before: rows / 100}},
		{"status-3xx-none", RequestFilter{Status: "3xx"}},
		{"signature-invalid", RequestFilter{Signature: "invalid"}},
		{"vendor+5xx+invalid", RequestFilter{Vendor: "cyscale", Status: "5xx", Signature: "invalid"}},
		{"text-common", RequestFilter{Text: "critical"}},
		{"text-rare", RequestFilter{Text: "CVE-2031-0042"}},
		{"text-absent", RequestFilter{Text: "no-such-token-xyz"}},
		{"text-rare+vendor", RequestFilter{Text: "CVE-2031-0042", Vendor: "holm"}},
		{"text-rare-deep", RequestFilter{Text: "CVE-2031-0042", Before: rows / 2}},
		{"text-id-fragment", RequestFilter{Text: "acct4242"}},
		{"oldest-page", RequestFilter{Oldest: true}},
		{"after-mid", RequestFilter{After: rows / 2}},
		{"vendor-oldest", RequestFilter{Vendor: "holm", Oldest: true}},
		{"status-5xx-oldest", RequestFilter{Status: "5xx", Oldest: true}},
		{"text-common-oldest", RequestFilter{Text: "critical", Oldest: true}},
		{"text-rare-oldest", RequestFilter{Text: "CVE-2031-0042", Oldest: true}},
		{"text-absent-oldest", RequestFilter{Text: "no-such-token-xyz", Oldest: true}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				page, err := rs.ListRequests(ctx, d.Reader(), c.f)
				if err != nil {
					b.Fatal(err)
				}
				n = len(page)
			}
			b.ReportMetric(float64(n), "rows/page")
		})
		if c.f.Text != "" {
			// The baseline: the same page found by reading every row, as
			// without the text index.
			b.Run(c.name+"/scan", func(b *testing.B) {
				for b.Loop() {
					if _, err := listRequests(ctx, d.Reader(), c.f, 0, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkCountRequests(b *testing.B) {
	d := openBench(b)
	ctx := context.Background()
	rs := NewRequestStore()
	for _, c := range []struct {
		name string
		f    RequestFilter
	}{
		{"all", RequestFilter{}},
		{"vendor", RequestFilter{Vendor: "holm"}},
		{"status-5xx", RequestFilter{Status: "5xx"}},
		{"status-2xx", RequestFilter{Status: "2xx"}},
		{"signature-invalid", RequestFilter{Signature: "invalid"}},
		{"text-rare", RequestFilter{Text: "CVE-2031-0042"}},
		{"above-mid", RequestFilter{After: int64(benchSeed.rows) / 2}},
		{"vendor-above-mid", RequestFilter{Vendor: "holm", After: int64(benchSeed.rows) / 2}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var n int64
			for b.Loop() {
				var err error
				if n, err = rs.CountRequests(ctx, d.Reader(), c.f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
}

// BenchmarkWrite compares group commit with one transaction per write
// (MaxBatch 1), 16 parallel writers each saving a ~1 KB request, as the
// receiver does. "fts4" adds an FTS4 index maintained by trigger, to show
// what full-text indexing would cost every insert.
func BenchmarkWrite(b *testing.B) {
	for _, c := range []struct {
		name string
		opts Options
		fts  bool
	}{
		{"group", Options{}, false},
		{"batch1", Options{MaxBatch: 1}, false},
		{"group-fts4", Options{}, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			d, _ := openTest(b, c.opts)
			ctx := context.Background()
			if c.fts {
				write(b, d, func(tx Handle) error {
					_, err := tx.ExecContext(ctx, `CREATE VIRTUAL TABLE requests_fts USING fts4(content);
						CREATE TRIGGER requests_fts_ai AFTER INSERT ON requests BEGIN
							INSERT INTO requests_fts (docid, content)
							VALUES (new.id, new.path || ' ' || new.headers || ' ' || CAST(new.body AS TEXT));
						END`)
					return err
				})
			}
			rs := NewRequestStore()
			r := rand.New(rand.NewPCG(3, 4))
			bodies := make([][]byte, 64)
			for i := range bodies {
				bodies[i] = benchBody(r, benchVendors[i%5], i+1)
			}
			b.SetParallelism(8) // 8 × GOMAXPROCS writers
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					req := &Request{
						ReceivedAt: time.Now(), Route: "holm", Method: "POST", Path: "/hooks/holm",
						Headers: []Header{{Name: "Content-Type", Value: "application/json"}, {Name: "X-Holm-Signature", Value: "sha256=abc"}},
						Body:    bodies[i%len(bodies)], Vendor: "holm", EventTypes: []string{"vulnerability.found"},
						Signature: Signature{Status: "valid"}, Response: Response{Status: 200},
					}
					if err := d.Write(ctx, func(tx Handle) error { return rs.CreateRequest(ctx, tx, req) }); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			st := d.Stats()
			if st.Commits > 0 {
				b.ReportMetric(float64(st.Writes)/float64(st.Commits), "writes/commit")
			}
		})
	}
}
