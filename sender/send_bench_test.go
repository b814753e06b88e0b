package sender

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// BenchmarkSendPath is the per-delivery Go path of BenchmarkThroughput's
// sender side without its SQLite writes: frame, sign, send to a bare
// net/http server on loopback, read the answer, and decide the outcome,
// for one claimed PolicyCortex delivery. Its allocs/op and B/op (server
// side included) are steady from run to run, unlike the throughput; its
// cpu-us/op (the whole process's CPU time, server included) is steadier
// than ns/op on a busy machine:
//
//	go test -run '^$' -bench SendPath -benchmem ./sender
func BenchmarkSendPath(b *testing.B) {
	ctx := context.Background()
	url, body, _, d := benchSetup(b)
	s := New(d, Options{Seed: 1})
	prof, _, err := fixtures.Find("policycortex", "policy.violation.created")
	if err != nil {
		b.Fatal(err)
	}
	ep, err := s.adHocTarget(ctx, prof, url, fixtures.Credentials{Secret: "bench-secret"}, SendOptions{})
	if err != nil {
		b.Fatal(err)
	}
	pol := prof.Policy()
	c := &db.Claimed{
		Delivery: db.Delivery{ID: 1, EndpointID: ep.ID, Vendor: prof.Name(), MessageID: "msg_bench"},
		Events:   []db.Event{{ID: 1, Vendor: prof.Name(), Type: "policy.violation.created", Payload: body, CreatedAt: time.Now()}},
		NoRetry:  true,
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for range b.N {
		x := s.send(ctx, c, ep, prof, pol, false, nil)
		if !x.ok {
			b.Fatalf("attempt failed: %s", x.attempt.Error)
		}
		if o := s.outcome(c, ep, prof, pol, x, false); o.Status != db.DeliverySucceeded {
			b.Fatalf("outcome %+v", o)
		}
	}
	reportCPU(b, cpu)
}

// reportCPU reports the process's CPU time per op since cpu (none where
// processCPU is unknown).
func reportCPU(b *testing.B, cpu time.Duration) {
	if used := processCPU() - cpu; used > 0 {
		b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-us/op")
	}
}

// BenchmarkSendPathPlain is BenchmarkSendPath's floor: the same request
// as BenchmarkThroughput's plain net/http loop sends it, one at a time.
func BenchmarkSendPathPlain(b *testing.B) {
	url, body, client, _ := benchSetup(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	defer reportCPU(b, cpu)
	for range b.N {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
