package receiver

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// loadResult is what one run of the load generator measured.
type loadResult struct {
	n       int
	elapsed time.Duration
	lat     []time.Duration
	errors  int64
}

func (r loadResult) perSecond() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r loadResult) p99() time.Duration {
	s := slices.Clone(r.lat)
	slices.Sort(s)
	return s[len(s)*99/100]
}

// runLoad posts body n times to url from conc workers over keep-alive
// connections: the same generator for every target.
func runLoad(tb testing.TB, url string, hdr http.Header, body []byte, n, conc int) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	lat := make([]time.Duration, n)
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				for k, vs := range hdr {
					req.Header[k] = vs
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode/100 != 2 {
						errs.Add(1)
					}
				} else {
					errs.Add(1)
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	return loadResult{n: n, elapsed: time.Since(start), lat: lat, errors: errs.Load()}
}

// bareServer is the baseline: net/http with a handler that reads the body
// and answers 200, storing nothing.
func bareServer(tb testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(okBody)
	}), ReadHeaderTimeout: DefaultReadHeaderTimeout}
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String()
}

// BenchmarkReceiverVsBare runs the same load (a signed ~1 KB PolicyCortex
// event from 32 or 128 concurrent keep-alive clients) against a bare
// net/http handler that stores nothing and against the recording receiver,
// alternating in rounds, and reports both rates, their ratio and p99
// latencies.
//
//	go test ./receiver -run '^$' -bench ReceiverVsBare -benchtime 30000x
func BenchmarkReceiverVsBare(b *testing.B) {
	for _, conc := range []int{32, 128} {
		b.Run(fmt.Sprintf("c=%d", conc), func(b *testing.B) { benchVsBare(b, conc) })
	}
}

func benchVsBare(b *testing.B, conc int) {
	h := newHarness(b, Options{})
	route := h.route("policycortex")
	w := frame(b, "policycortex", "policy.violation.created", credsOf(route), 7)
	if n := len(w.Body); n < 600 || n > 2000 {
		b.Logf("body is %d bytes", n)
	}
	bare := bareServer(b)
	recording := h.url + HookPrefix + "policycortex"
	// Warm both (connections, page cache, JIT-free but allocator warm).
	runLoad(b, bare, w.Header, w.Body, 2000, conc)
	runLoad(b, recording, w.Header, w.Body, 2000, conc)
	before := h.count()

	const rounds = 3
	per := max(b.N/rounds, conc)
	var bareRes, recRes []loadResult
	b.ResetTimer()
	for range rounds {
		bareRes = append(bareRes, runLoad(b, bare, w.Header, w.Body, per, conc))
		recRes = append(recRes, runLoad(b, recording, w.Header, w.Body, per, conc))
	}
	b.StopTimer()
	merge := func(rs []loadResult) loadResult {
		var m loadResult
		for _, r := range rs {
			m.n += r.n
			m.elapsed += r.elapsed
			m.lat = append(m.lat, r.lat...)
			m.errors += r.errors
		}
		return m
	}
	br, rr := merge(bareRes), merge(recRes)
	if br.errors+rr.errors > 0 {
		b.Fatalf("non-2xx answers: bare %d, recording %d", br.errors, rr.errors)
	}
	if got := h.count() - before; got != int64(rr.n) {
		b.Fatalf("recorded %d requests, sent %d", got, rr.n)
	}
	b.ReportMetric(float64(h.rc.recorder.jobsDone.Load())/float64(max(h.rc.recorder.batches.Load(), 1)), "req/commit")
	b.ReportMetric(br.perSecond(), "bare-req/s")
	b.ReportMetric(rr.perSecond(), "recording-req/s")
	b.ReportMetric(rr.perSecond()/br.perSecond(), "ratio")
	b.ReportMetric(float64(br.p99().Microseconds())/1000, "bare-p99-ms")
	b.ReportMetric(float64(rr.p99().Microseconds())/1000, "recording-p99-ms")
}
