package sender

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// benchConcurrency is the concurrency both sides of the comparison use.
const benchConcurrency = 16

// bareServer is a plain net/http server on 127.0.0.1 answering 200.
func bareServer(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/hooks/policycortex"
}

// BenchmarkThroughput compares, in one run and against the same bare
// net/http server at the same concurrency, a plain net/http client loop
// posting a rendered PolicyCortex payload ("plain") with the sender's load
// mode delivering that payload as PolicyCortex events ("sender"): each
// event and its delivery recorded and claimed in SQLite before it is sent,
// then framed, signed, sent, and its attempt and outcome recorded. It
// fails unless every delivery succeeded with exactly one attempt row.
// Compare their req/s:
//
//	go test -run '^$' -bench Throughput -benchtime 5000x ./sender
func BenchmarkThroughput(b *testing.B) {
	b.Run("plain", func(b *testing.B) {
		url := bareServer(b)
		_, body, err := fixtures.RenderEvent("policycortex", "policy.violation.created", 1, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
		var next atomic.Int64
		var wg sync.WaitGroup
		b.ResetTimer()
		start := time.Now()
		for range benchConcurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(b.N) {
					req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	})
	b.Run("sender", func(b *testing.B) {
		url := bareServer(b)
		ctx := context.Background()
		d, err := db.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), db.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		s := New(d, Options{Seed: 1})
		_, body, err := fixtures.RenderEvent("policycortex", "policy.violation.created", 1, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		rep, err := s.Load(ctx, LoadOptions{
			Vendor: "policycortex", Event: "policy.violation.created", URL: url,
			Credentials: fixtures.Credentials{Secret: "bench-secret"}, Count: b.N, Concurrency: benchConcurrency,
			Payload: body,
		})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Succeeded != b.N {
			b.Fatalf("%d of %d succeeded: %v", rep.Succeeded, b.N, rep.Errors)
		}
		b.ReportMetric(rep.PerSecond, "req/s")
		b.ReportMetric(rep.P99MS, "p99-ms")
		b.StopTimer()
		var attempts, deliveries, events, ok int
		r := d.Reader()
		r.QueryRow(`SELECT count(*) FROM attempts WHERE resp_status = 200 AND length(req_body) > 0`).Scan(&attempts)
		r.QueryRow(`SELECT count(*) FROM deliveries WHERE status = 'succeeded' AND attempt_count = 1 AND claimed_until IS NULL`).Scan(&deliveries)
		r.QueryRow(`SELECT count(*) FROM events`).Scan(&events)
		r.QueryRow(`SELECT count(*) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id`).Scan(&ok)
		if attempts != b.N || deliveries != b.N || events != b.N || ok != b.N {
			b.Fatalf("recorded %d attempts, %d succeeded deliveries, %d events, %d linked; want %d of each", attempts, deliveries, events, ok, b.N)
		}
	})
}
