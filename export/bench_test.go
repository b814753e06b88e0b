package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/export"
	"github.com/hookscope/hookscope/receiver"
)

// benchRows is how many requests BenchmarkExport exports per op.
const benchRows = 20_000

// BenchmarkExport measures rows written per second, exporting benchRows
// requests to io.Discard, beside two baselines run on the same rows:
//   - encode-only: encoding/json of the same views already in memory (no
//     database), the floor of any JSON export;
//   - get-per-id: one GetRequest per id, then the same encoding (what the
//     console's export did, page by page).
//
//	go test ./export -run '^$' -bench 'BenchmarkExport$' -benchtime 5x
func BenchmarkExport(b *testing.B) {
	d := openDB(b)
	seedRequests(b, d, benchRows)
	ctx := context.Background()
	rate := func(b *testing.B, rows int) {
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	}
	for _, format := range []string{export.JSONL, export.HARFormat} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				sum, err := export.Write(ctx, d.Reader(), io.Discard, export.Spec{Format: format, What: export.Requests})
				if err != nil || sum.Rows != benchRows {
					b.Fatal(sum, err)
				}
			}
			rate(b, benchRows)
		})
	}
	b.Run("baseline-encode-only", func(b *testing.B) {
		store := db.NewRequestStore()
		views := make([]receiver.RequestView, 0, benchRows)
		for id := int64(1); id <= benchRows; id++ {
			r, err := store.GetRequest(ctx, d.Reader(), id)
			if err != nil {
				b.Fatal(err)
			}
			views = append(views, receiver.NewRequestView(r, true))
		}
		b.ResetTimer()
		for b.Loop() {
			enc := json.NewEncoder(io.Discard)
			for i := range views {
				if err := enc.Encode(&views[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		rate(b, benchRows)
	})
	b.Run("baseline-get-per-id", func(b *testing.B) {
		store := db.NewRequestStore()
		for b.Loop() {
			enc := json.NewEncoder(io.Discard)
			for id := int64(1); id <= benchRows; id++ {
				r, err := store.GetRequest(ctx, d.Reader(), id)
				if err != nil {
					b.Fatal(err)
				}
				if err := enc.Encode(receiver.NewRequestView(r, true)); err != nil {
					b.Fatal(err)
				}
			}
		}
		rate(b, benchRows)
	})
}

// BenchmarkExportMemory exports a history of HOOKSCOPE_EXPORT_ROWS
// requests (1,000,000 by default; 100,000 with -short) whole, and the
// first 10,000 of them alone (a --until), and reports each run's peak
// resident memory (VmHWM, reset before the run). Equal peaks for both
// runs say the export's memory does not grow with the rows.
//
//	go test ./export -run '^$' -bench BenchmarkExportMemory -benchtime 1x -timeout 30m
func BenchmarkExportMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/clear_refs"); err != nil {
		b.Skip("needs Linux's /proc to read the peak RSS")
	}
	rows := 1_000_000
	if testing.Short() {
		rows = 100_000
	}
	if v := os.Getenv("HOOKSCOPE_EXPORT_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10_000 {
			b.Fatalf("HOOKSCOPE_EXPORT_ROWS=%q: give a number of at least 10000", v)
		}
		rows = n
	}
	d := openDB(b)
	seedRequests(b, d, rows)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		rows int
	}{{"first-10000", 10_000}, {"all-" + strconv.Itoa(rows), rows}} {
		b.Run(c.name, func(b *testing.B) {
			spec := export.Spec{Format: export.JSONL, What: export.Requests}
			if c.rows < rows {
				spec.Span.Until = t0.Add(time.Duration(c.rows) * time.Second)
			}
			var peak float64
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				debug.FreeOSMemory()
				resetPeakRSS(b)
				b.StartTimer()
				sum, err := export.Write(ctx, d.Reader(), io.Discard, spec)
				if err != nil || sum.Rows != int64(c.rows) {
					b.Fatal(sum, err)
				}
				peak = max(peak, peakRSSMB(b))
			}
			b.ReportMetric(peak, "peak-RSS-MB")
			b.ReportMetric(float64(c.rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// resetPeakRSS resets the process's VmHWM to its current RSS.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak RSS: %v", err)
	}
}

// peakRSSMB reads VmHWM from /proc/self/status, in MB.
func peakRSSMB(b *testing.B) float64 {
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range bytes.Lines(st) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(string(rest)), " kB"))
			if err != nil {
				b.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
