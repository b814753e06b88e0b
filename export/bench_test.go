package export_test

import (
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/export"
)

// benchRows is how many requests BenchmarkExport exports per op.
const benchRows = 20_000

// BenchmarkExport measures rows written per second, exporting benchRows
// requests to io.Discard, beside two baselines run on the same rows:
//
//   - encode-only: encoding/json of the same views already in memory (no
//     database), the floor of any JSON export;
//
//   - get-per-id: one GetRequest per id, then the same encoding (what the
//     console's export did, page by page).
//
//     go test ./export -run '^$' -bench 'BenchmarkExport$' -benchtime 5x
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
		views := make([]api.RequestView, 0, benchRows)
		for id := int64(1); id <= benchRows; id++ {
			r, err := store.GetRequest(ctx, d.Reader(), id)
			if err != nil {
				b.Fatal(err)
			}
			views = append(views, api.NewRequestView(r, true))
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
				if err := enc.Encode(api.NewRequestView(r, true)); err != nil {
					b.Fatal(err)
				}
			}
		}
		rate(b, benchRows)
	})
}
