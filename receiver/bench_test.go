package receiver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/validate"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// loadResult is what one run of the load generator measured.
type loadResult struct {
	n       int
	elapsed time.Duration
	lat     []time.Duration
	errors  int64
	// cpu is the process's CPU time during the run.
	cpu time.Duration
}

// cpuPerRequest is the CPU time per request, in microseconds.
func (r loadResult) cpuPerRequest() float64 {
	return float64(r.cpu.Microseconds()) / float64(r.n)
}

func (r loadResult) perSecond() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r loadResult) p99() time.Duration {
	s := slices.Clone(r.lat)
	slices.Sort(s)
	return s[len(s)*99/100]
}

// payload is one request the load generator sends.
type payload struct {
	hdr  http.Header
	body []byte
}

// runLoad posts body n times to url from conc workers over keep-alive
// connections.
func runLoad(tb testing.TB, url string, hdr http.Header, body []byte, n, conc int) loadResult {
	return runLoadSeq(tb, url, []payload{{hdr: hdr, body: body}}, n, conc)
}

// runLoadSeq posts n requests from conc workers over keep-alive connections,
// request i carrying ws[i%len(ws)]: the same generator for every target.
// It also measures the process's CPU time (user+system, client and server
// alike since both run in this process) over the run.
func runLoadSeq(tb testing.TB, url string, ws []payload, n, conc int) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	lat := make([]time.Duration, n)
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	cpu0 := cpuTime()
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
				w := ws[int(i)%len(ws)]
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(w.body))
				for k, vs := range w.hdr {
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
	elapsed := time.Since(start)
	return loadResult{n: n, elapsed: elapsed, cpu: cpuTime() - cpu0, lat: lat, errors: errs.Load()}
}

// cpuTime is the CPU time (user + system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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

// BenchmarkReceiverVsBare runs the same load against a bare net/http
// handler that stores nothing and against the recording receiver,
// alternating in rounds, from 32 or 128 concurrent keep-alive clients, and
// reports both rates, their ratio, the CPU time per request of each (the
// process's getrusage over the run: client and server, as both run here)
// and p99 latencies.
//
// The load is realistic: distinct signed ~1 KB PolicyCortex events (each
// with its own id, so none is a duplicate), generated before the timer
// starts, and the very same sequence is sent to both targets, so the
// generator costs the same for each. BenchmarkDuplicateHeavyVsBare is the
// opposite extreme: one event sent again and again, every copy after the
// first a duplicate.
//
//	go test ./receiver -run '^$' -bench ReceiverVsBare -benchtime 30000x
func BenchmarkReceiverVsBare(b *testing.B) {
	for _, conc := range []int{32, 128} {
		b.Run(fmt.Sprintf("c=%d", conc), func(b *testing.B) { benchVsBare(b, conc, false) })
	}
}

// BenchmarkDuplicateHeavyVsBare is BenchmarkReceiverVsBare with the same
// signed event posted every time (as a vendor retrying one delivery
// forever would): every recorded request after the first is a duplicate.
//
//	go test ./receiver -run '^$' -bench DuplicateHeavyVsBare -benchtime 30000x
func BenchmarkDuplicateHeavyVsBare(b *testing.B) {
	b.Run("c=32", func(b *testing.B) { benchVsBare(b, 32, true) })
}

const benchRounds = 3

func benchVsBare(b *testing.B, conc int, duplicates bool) {
	h := newHarness(b, Options{})
	route := h.Route("policycortex")
	const warm = 2000
	per := max(b.N/benchRounds, conc)
	// Warm-up and each round get events of their own: a round never
	// repeats an event another round already recorded.
	n := 1
	if !duplicates {
		n = warm + benchRounds*per
	}
	events := make([]payload, n)
	for i := range events {
		w := testkit.Frame(b, "policycortex", "policy.violation.created", testkit.CredsOf(route), uint64(7+i))
		events[i] = payload{hdr: w.Header.HTTP(), body: w.Body}
	}
	if n := len(events[0].body); n < 600 || n > 2000 {
		b.Logf("body is %d bytes", n)
	}
	slice := func(from, k int) []payload {
		if duplicates {
			return events
		}
		return events[from : from+k]
	}
	bare := bareServer(b)
	recording := h.URL + validate.HookPrefix + "policycortex"
	// Warm both (connections, page cache, allocator).
	runLoadSeq(b, bare, slice(0, warm), warm, conc)
	runLoadSeq(b, recording, slice(0, warm), warm, conc)
	before := h.Count()
	dupBefore := h.duplicates()

	var bareRes, recRes []loadResult
	b.ResetTimer()
	for round := range benchRounds {
		ws := slice(warm+round*per, per)
		bareRes = append(bareRes, runLoadSeq(b, bare, ws, per, conc))
		recRes = append(recRes, runLoadSeq(b, recording, ws, per, conc))
	}
	b.StopTimer()
	merge := func(rs []loadResult) loadResult {
		var m loadResult
		for _, r := range rs {
			m.n += r.n
			m.elapsed += r.elapsed
			m.cpu += r.cpu
			m.lat = append(m.lat, r.lat...)
			m.errors += r.errors
		}
		return m
	}
	br, rr := merge(bareRes), merge(recRes)
	if br.errors+rr.errors > 0 {
		b.Fatalf("non-2xx answers: bare %d, recording %d", br.errors, rr.errors)
	}
	if got := h.Count() - before; got != int64(rr.n) {
		b.Fatalf("recorded %d requests, sent %d", got, rr.n)
	}
	wantDup := int64(0)
	if duplicates {
		wantDup = int64(rr.n)
	}
	if got := h.duplicates() - dupBefore; got != wantDup {
		b.Fatalf("recorded %d duplicates, want %d", got, wantDup)
	}
	b.ReportMetric(float64(h.Srv.recorder.jobsDone.Load())/float64(max(h.Srv.recorder.batches.Load(), 1)), "req/commit")
	b.ReportMetric(br.perSecond(), "bare-req/s")
	b.ReportMetric(rr.perSecond(), "recording-req/s")
	b.ReportMetric(rr.perSecond()/br.perSecond(), "ratio")
	b.ReportMetric(br.cpuPerRequest(), "bare-cpu-us/req")
	b.ReportMetric(rr.cpuPerRequest(), "recording-cpu-us/req")
	b.ReportMetric(float64(br.p99().Microseconds())/1000, "bare-p99-ms")
	b.ReportMetric(float64(rr.p99().Microseconds())/1000, "recording-p99-ms")
}

// floorServer is the least a handler can do and still keep the promise
// the receiver keeps: read the body, commit it to SQLite through the same
// group committer, gathered as the receiver's recorder gathers (one write
// per gathering, no savepoint per row), one row each with no index, no
// headers and no analysis, and only then answer. It bounds what any
// recording design on this store can reach.
func floorServer(tb testing.TB, d *db.DB) string {
	ctx := context.Background()
	if err := d.Write(ctx, func(h db.Handle) error {
		_, err := h.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`)
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	type job struct {
		body []byte
		err  chan error
	}
	jobs := make(chan job, 1024)
	stop := make(chan struct{})
	go func() {
		for {
			var batch []job
			select {
			case j := <-jobs:
				batch = append(batch, j)
			case <-stop:
				return
			}
		fill:
			for {
				select {
				case j := <-jobs:
					batch = append(batch, j)
				default:
					break fill
				}
			}
			err := d.Write(ctx, func(h db.Handle) error {
				for _, j := range batch {
					if _, err := h.ExecContext(ctx, `INSERT INTO bench_floor (body) VALUES (?)`, j.body); err != nil {
						return err
					}
				}
				return nil
			})
			for _, j := range batch {
				j.err <- err
			}
		}
	}()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			j := job{body: body, err: make(chan error, 1)}
			jobs <- j
			err = <-j.err
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(okBody)
	}), ReadHeaderTimeout: DefaultReadHeaderTimeout}
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close(); close(stop) })
	return "http://" + l.Addr().String()
}

// BenchmarkDurableFloorVsBare is BenchmarkReceiverVsBare's load against
// bare net/http and against floorServer, side by side: the ratio no
// receiver that commits each request to SQLite before answering can beat
// on this machine, whatever else it does or does not do.
//
//	go test ./receiver -run '^$' -bench DurableFloorVsBare -benchtime 30000x
func BenchmarkDurableFloorVsBare(b *testing.B) {
	h := newHarness(b, Options{})
	route := h.Route("policycortex")
	const warm, conc = 2000, 32
	per := max(b.N/benchRounds, conc)
	events := make([]payload, warm+benchRounds*per)
	for i := range events {
		w := testkit.Frame(b, "policycortex", "policy.violation.created", testkit.CredsOf(route), uint64(7+i))
		events[i] = payload{hdr: w.Header.HTTP(), body: w.Body}
	}
	bare, floor := bareServer(b), floorServer(b, h.DB)
	runLoadSeq(b, bare, events[:warm], warm, conc)
	runLoadSeq(b, floor, events[:warm], warm, conc)
	var br, fr loadResult
	b.ResetTimer()
	for round := range benchRounds {
		ws := events[warm+round*per : warm+(round+1)*per]
		for _, t := range []struct {
			url string
			acc *loadResult
		}{{bare, &br}, {floor, &fr}} {
			r := runLoadSeq(b, t.url, ws, per, conc)
			t.acc.n += r.n
			t.acc.elapsed += r.elapsed
			t.acc.cpu += r.cpu
			t.acc.errors += r.errors
		}
	}
	b.StopTimer()
	if br.errors+fr.errors > 0 {
		b.Fatalf("non-2xx answers: bare %d, floor %d", br.errors, fr.errors)
	}
	b.ReportMetric(fr.perSecond()/br.perSecond(), "ratio")
	b.ReportMetric(br.perSecond(), "bare-req/s")
	b.ReportMetric(fr.perSecond(), "floor-req/s")
	b.ReportMetric(br.cpuPerRequest(), "bare-cpu-us/req")
	b.ReportMetric(fr.cpuPerRequest(), "floor-cpu-us/req")
}
