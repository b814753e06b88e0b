package sender

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// benchConcurrency is the concurrency both sides of the comparison use.
const benchConcurrency = 16

// benchRounds is how many alternating rounds each side's b.N requests are
// split into, so that machine noise (other processes on a shared box)
// falls on both sides alike.
const benchRounds = 10

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

// plainLoop posts body n times to url from benchConcurrency goroutines
// with a bare net/http client, returning each request's latency in ms.
func plainLoop(b *testing.B, client *http.Client, url string, body []byte, n int) []float64 {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		lat  = make([]float64, 0, n)
	)
	for range benchConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]float64, 0, n/benchConcurrency+1)
			defer func() { mu.Lock(); lat = append(lat, mine...); mu.Unlock() }()
			for next.Add(1) <= int64(n) {
				start := time.Now()
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
				mine = append(mine, ms(time.Since(start)))
			}
		}()
	}
	wg.Wait()
	return lat
}

// p99 is the 99th percentile of lat (sorted in place).
func p99(lat []float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	return lat[min(len(lat)-1, int(0.99*float64(len(lat))))]
}

// benchSetup is what both sides of a comparison share: the bare server's
// URL, the rendered PolicyCortex payload, the plain loop's client and a
// fresh database (closed at cleanup).
func benchSetup(b *testing.B) (url string, body []byte, client *http.Client, d *db.DB) {
	b.Helper()
	url = bareServer(b)
	_, body, err := fixtures.RenderEvent("policycortex", "policy.violation.created", 1, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	d, err = db.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return url, body, client, d
}

// BenchmarkThroughput compares, in one run, against the same bare net/http
// server at the same concurrency and with the same rendered PolicyCortex
// payload, a plain net/http client loop ("plain") with the sender's load
// mode ("sender"): each event and its delivery recorded and claimed in
// SQLite before it is sent, then framed, signed, sent, and its attempt
// (request URL, headers, body; response status, headers, body) and outcome
// recorded. Each side sends b.N requests in benchRounds alternating rounds
// (the side going first alternates too); the time of each side is summed
// over its rounds. It fails unless every delivery succeeded with exactly
// one recorded attempt. It reports both rates, their ratio, both p99s and
// the process's CPU time per request on each side. The figure in docs/performance.md is
// from rounds of 2,000 requests (rounds of 500, -benchtime 5000x, swing
// more from run to run):
//
//	go test -run '^$' -bench Throughput -benchtime 20000x ./sender
func BenchmarkThroughput(b *testing.B) {
	ctx := context.Background()
	url, body, client, d := benchSetup(b)
	s := New(d, Options{Seed: 1})

	rounds := min(benchRounds, b.N)
	var (
		plainTime, senderTime time.Duration
		plainCPU, senderCPU   time.Duration
		plainLat, senderLat   []float64
		senderOK              int
	)
	plain := func(n int) {
		start, cpu := time.Now(), processCPU()
		plainLat = append(plainLat, plainLoop(b, client, url, body, n)...)
		plainTime += time.Since(start)
		plainCPU += processCPU() - cpu
	}
	sender := func(n int) {
		start, cpu := time.Now(), processCPU()
		rep, err := s.Load(ctx, LoadOptions{
			Vendor: "policycortex", Event: "policy.violation.created", URL: url,
			Credentials: fixtures.Credentials{Secret: "bench-secret"}, Count: n, Concurrency: benchConcurrency,
			Payload: body,
		})
		senderTime += time.Since(start)
		senderCPU += processCPU() - cpu
		if err != nil {
			b.Fatal(err)
		}
		if rep.Succeeded != n {
			b.Fatalf("%d of %d succeeded: %v", rep.Succeeded, n, rep.Errors)
		}
		senderOK += rep.Succeeded
		senderLat = append(senderLat, rep.latencies...)
	}
	b.ResetTimer()
	for r := range rounds {
		n := b.N / rounds
		if r < b.N%rounds {
			n++
		}
		if r%2 == 0 {
			plain(n)
			sender(n)
		} else {
			sender(n)
			plain(n)
		}
	}
	b.StopTimer()
	plainRate := float64(b.N) / plainTime.Seconds()
	senderRate := float64(senderOK) / senderTime.Seconds()
	b.ReportMetric(plainRate, "plain-req/s")
	b.ReportMetric(senderRate, "sender-req/s")
	b.ReportMetric(senderRate/plainRate, "ratio")
	b.ReportMetric(p99(plainLat), "plain-p99-ms")
	b.ReportMetric(p99(senderLat), "sender-p99-ms")
	if plainCPU > 0 && senderCPU > 0 {
		// The process's CPU time per request while each side ran (server
		// included): on a busy machine, a steadier view of the cost than
		// the rates.
		b.ReportMetric(float64(plainCPU.Microseconds())/float64(b.N), "plain-cpu-us/req")
		b.ReportMetric(float64(senderCPU.Microseconds())/float64(senderOK), "sender-cpu-us/req")
	}

	// Every attempt as a reader of the store (the CLI, the API, the
	// console) sees it: the full request sent, and the answer.
	var deliveries, events int
	rd := d.Reader()
	rd.QueryRow(`SELECT count(*) FROM deliveries WHERE status = 'succeeded' AND attempt_count = 1 AND claimed_until IS NULL`).Scan(&deliveries)
	rd.QueryRow(`SELECT count(*) FROM events`).Scan(&events)
	rows, err := rd.Query(`SELECT id FROM deliveries`)
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	store, attempts := db.NewDeliveryStore(), 0
	for _, id := range ids {
		dl, err := store.GetDelivery(ctx, rd, id)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range dl.Attempts {
			sig := false
			for _, h := range a.Request.Headers {
				sig = sig || h.Name == fixtures.PolicyCortexSignatureHeader && len(h.Value) > len("sha256=")
			}
			if a.Request.URL == url && bytes.Equal(a.Request.Body, body) && sig && a.Response != nil && a.Response.Status == http.StatusOK {
				attempts++
			}
		}
	}
	if attempts != b.N || deliveries != b.N || events != b.N || len(ids) != b.N {
		b.Fatalf("recorded %d complete attempts, %d succeeded deliveries, %d events, %d deliveries; want %d of each", attempts, deliveries, events, len(ids), b.N)
	}
}

// BenchmarkDurableFloor is BenchmarkThroughput's plain client loop side by
// side with the same loop made durable in the least way a sender that
// records its attempts can be: after each answer, one row (the status and
// the response body, no index, no headers, no outbox) committed through
// the same group committer before the worker sends its next request. It
// bounds the ratio any design recording every attempt can reach here.
//
//	go test -run '^$' -bench DurableFloor -benchtime 5000x ./sender
func BenchmarkDurableFloor(b *testing.B) {
	ctx := context.Background()
	url, body, client, d := benchSetup(b)
	if err := d.Write(ctx, func(h db.Handle) error {
		_, err := h.ExecContext(ctx, `CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, status INTEGER NOT NULL, body BLOB NOT NULL)`)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	floorLoop := func(n int) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range benchConcurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(n) {
					req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					rb, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err := d.Write(ctx, func(h db.Handle) error {
						_, err := h.ExecContext(ctx, `INSERT INTO bench_floor (status, body) VALUES (?, ?)`, resp.StatusCode, rb)
						return err
					}); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	rounds := min(benchRounds, b.N)
	var plainTime, floorTime, plainCPU, floorCPU time.Duration
	b.ResetTimer()
	for r := range rounds {
		n := b.N / rounds
		if r < b.N%rounds {
			n++
		}
		start, cpu := time.Now(), processCPU()
		plainLoop(b, client, url, body, n)
		plainTime += time.Since(start)
		plainCPU += processCPU() - cpu
		start, cpu = time.Now(), processCPU()
		floorLoop(n)
		floorTime += time.Since(start)
		floorCPU += processCPU() - cpu
	}
	b.StopTimer()
	b.ReportMetric(plainTime.Seconds()/floorTime.Seconds(), "ratio")
	b.ReportMetric(float64(b.N)/plainTime.Seconds(), "plain-req/s")
	b.ReportMetric(float64(b.N)/floorTime.Seconds(), "floor-req/s")
	if plainCPU > 0 && floorCPU > 0 {
		b.ReportMetric(float64(plainCPU.Microseconds())/float64(b.N), "plain-cpu-us/req")
		b.ReportMetric(float64(floorCPU.Microseconds())/float64(b.N), "floor-cpu-us/req")
	}
}
