package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
)

// benchRows is the history the benchmarks run over (SPEC: one million).
const benchRows = 1_000_000

var (
	benchOnce sync.Once
	benchDB   *db.DB
	benchPath string
	benchErr  error
)

// openBenchDB seeds (once per run) a database of benchRows received
// requests in the real schema, in one transaction, then opens it the way
// the console does.
func openBenchDB(b *testing.B) *db.DB {
	b.Helper()
	benchOnce.Do(func() {
		// HOOKSCOPE_BENCH_DB reuses a database seeded by an earlier run, so
		// the resident memory measured is the console's, not the seeding's.
		if path := os.Getenv("HOOKSCOPE_BENCH_DB"); path != "" {
			if _, err := os.Stat(path); err == nil {
				benchPath = path
				benchDB, benchErr = db.Open(context.Background(), path, db.Options{})
				return
			}
		}
		dir, err := os.MkdirTemp("", "hookscope-bench-")
		if err != nil {
			benchErr = err
			return
		}
		path := filepath.Join(dir, "bench.db")
		if p := os.Getenv("HOOKSCOPE_BENCH_DB"); p != "" {
			path = p
		}
		benchPath = path
		d, err := db.Open(context.Background(), path, db.Options{})
		if err != nil {
			benchErr = err
			return
		}
		start := time.Now()
		benchErr = d.Write(context.Background(), func(tx db.Handle) error {
			_, err := tx.ExecContext(context.Background(), `
				WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
				INSERT INTO requests (id, received_at, route, method, path, headers, body, body_size, json_valid,
					vendor, event_types, sig_status, sig_reason, shape_issues, resp_status, resp_headers, resp_body, latency_ms)
				SELECT i, ? + i * 1000000, 'policycortex', 'POST', '/hooks/policycortex',
					'[{"name":"Content-Type","value":"application/json"},{"name":"X-PolicyCortex-Signature","value":"sha256=ab12"}]',
					CAST(printf('{"id":"evt_%07d","type":"policy.violation.created","created":"2026-03-14T09:26:53Z","data":{"severity":"high","resource":"vm-%d"}}', i, i % 977) AS BLOB),
					120, 1, 'policycortex', '["policy.violation.created"]', 'valid', 'HMAC-SHA256 of the raw body matches', '[]',
					CASE WHEN i % 10 = 0 THEN 503 ELSE 200 END, '[]', CAST('{"ok":true}' AS BLOB), 1.5
				FROM n`, benchRows, t0.UnixNano())
			return err
		})
		fmt.Fprintf(os.Stderr, "seeded %d requests in %s (%s)\n", benchRows, time.Since(start).Round(time.Millisecond), path)
		benchDB = d
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDB
}

// rssMB reads the process's resident memory.
func rssMB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func benchModel(b *testing.B, d *db.DB) *Model {
	m := New(Config{Source: NewDBSource(d), Info: Info{ReceiverAddr: "127.0.0.1:8088", APIAddr: "127.0.0.1:8089", TimeScale: 1},
		Now: func() time.Time { return t0 }, Location: time.UTC, NoTick: true})
	run(b, m, m.Init())
	send(b, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	return m
}

// BenchmarkFirstFrame: a console opening on a million requests — New, Init
// (first pages, counts, first detail, every Cmd run to completion) and the
// first View.
func BenchmarkFirstFrame(b *testing.B) {
	d := openBenchDB(b)
	for b.Loop() {
		m := benchModel(b, d)
		if v := m.View(); !strings.Contains(v.Content, "1000000") {
			b.Fatal("first frame lacks the newest request")
		}
	}
	reportMemory(b)
}

// reportMemory reports resident memory and the Go heap in use.
func reportMemory(b *testing.B) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(rssMB(), "RSS-MB")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
}

// benchKeys measures one key press handled and rendered: Update, the Cmds
// it returns (page query, detail load and render) and View.
func benchKeys(b *testing.B, keys ...string) {
	d := openBenchDB(b)
	m := benchModel(b, d)
	i := 0
	for b.Loop() {
		send(b, m, keyMsg(keys[i%len(keys)]))
		_ = m.View()
		i++
	}
	reportMemory(b)
	if len(m.inbox.pg.rows) > m.inbox.pg.size {
		b.Fatalf("%d rows held, page is %d", len(m.inbox.pg.rows), m.inbox.pg.size)
	}
}

// BenchmarkKeyMove: j then k within the page (each loads the new detail).
func BenchmarkKeyMove(b *testing.B) { benchKeys(b, "j", "k") }

// BenchmarkKeyPage: page down through the history (a keyset query each).
func BenchmarkKeyPage(b *testing.B) { benchKeys(b, "pgdown") }

// BenchmarkKeyOpenDetail: enter (focus the detail) and esc.
func BenchmarkKeyOpenDetail(b *testing.B) { benchKeys(b, "enter", "esc") }

// BenchmarkView: one View of a full frame.
func BenchmarkView(b *testing.B) {
	m := benchModel(b, openBenchDB(b))
	for b.Loop() {
		_ = m.View()
	}
}

var (
	hugeOnce sync.Once
	hugeDB   *db.DB
	hugeErr  error
)

// openHugeBenchDB is the million-request database with one more request,
// the newest, holding a 10 MB one-line body, a 1 MB header value and a
// 100 KB path: a copy of openBenchDB's file (VACUUM INTO, once: it is kept
// beside that file), so the plain benchmarks keep their history.
func openHugeBenchDB(b *testing.B) *db.DB {
	b.Helper()
	plain := openBenchDB(b)
	hugeOnce.Do(func() {
		path := benchPath + ".huge.db"
		if _, err := os.Stat(path); err != nil {
			if _, err := plain.Reader().ExecContext(context.Background(), `VACUUM INTO ?`, path); err != nil {
				hugeErr = fmt.Errorf("copying the bench database: %w", err)
				return
			}
		}
		hugeDB, hugeErr = db.Open(context.Background(), path, db.Options{})
		if hugeErr != nil {
			return
		}
		var n int
		if err := hugeDB.Reader().QueryRowContext(context.Background(), `SELECT count(*) FROM requests WHERE id > ?`, benchRows).Scan(&n); err != nil {
			hugeErr = err
			return
		}
		if n == 0 {
			seedHuge(b, hugeDB, benchRows+1)
		}
	})
	if hugeErr != nil {
		b.Fatal(hugeErr)
	}
	return hugeDB
}

// BenchmarkFirstFrameHuge: BenchmarkFirstFrame with the huge request the
// newest, so its detail is the one shown on open.
func BenchmarkFirstFrameHuge(b *testing.B) {
	d := openHugeBenchDB(b)
	for b.Loop() {
		m := benchModel(b, d)
		if v := m.View(); !strings.Contains(v.Content, "line cut") {
			b.Fatal("first frame lacks the huge request's cut line")
		}
	}
	reportMemory(b)
}

// BenchmarkKeyMoveHuge: j then k between the huge request and the next
// (each loads and renders that detail), then the frame.
func BenchmarkKeyMoveHuge(b *testing.B) {
	m := benchModel(b, openHugeBenchDB(b))
	keys := []string{"j", "k"}
	i := 0
	for b.Loop() {
		send(b, m, keyMsg(keys[i%2]))
		_ = m.View()
		i++
	}
	reportMemory(b)
}

// BenchmarkKeyOntoHuge: only the key that selects the huge request (k,
// from the request after it), its detail loaded and rendered, then the
// frame; the j back is not timed.
func BenchmarkKeyOntoHuge(b *testing.B) {
	m := benchModel(b, openHugeBenchDB(b))
	for b.Loop() {
		b.StopTimer()
		send(b, m, keyMsg("j"))
		b.StartTimer()
		send(b, m, keyMsg("k"))
		if v := m.View(); !strings.Contains(v.Content, "line cut") {
			b.Fatal("the frame lacks the huge request's cut line")
		}
	}
	reportMemory(b)
}

// BenchmarkKeyOldest: G (the oldest page, its place from the row count
// already known) then g (the newest), alternately.
func BenchmarkKeyOldest(b *testing.B) { benchKeys(b, "G", "g") }

// BenchmarkCounts: what the list's title counts, each in its tea.Cmd:
// every row, the matches of a filter, and a row's place (the rows above
// the middle of the history), without and with a text filter.
func BenchmarkCounts(b *testing.B) {
	d := openBenchDB(b)
	m := benchModel(b, d)
	for _, c := range []struct {
		name string
		f    db.RequestFilter
		pos  bool
	}{
		{"all", db.RequestFilter{}, false},
		{"status-503", db.RequestFilter{Status: "503"}, false},
		{"text", db.RequestFilter{Text: "vm-42}"}, false},
		{"place-mid", db.RequestFilter{After: benchRows / 2}, true},
		{"place-mid-status-503", db.RequestFilter{Status: "503", After: benchRows / 2}, true},
		{"place-mid-text", db.RequestFilter{Text: "vm-42}", After: benchRows / 2}, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if c.pos {
					if _, err := m.src.CountRequests(context.Background(), c.f); err != nil {
						b.Fatal(err)
					}
					continue
				}
				m.inbox.filter = c.f
				msg := m.countList(viewInbox, true)()
				if cm := msg.(countsMsg); cm.err != nil || cm.total != benchRows {
					b.Fatalf("%+v", cm)
				}
			}
		})
	}
}

// BenchmarkKeyFrameHuge: j then k between the huge request and the next,
// each key's Update and the frame drawn right after it — the selection
// moved — without waiting for the detail, which loads in its Cmd as the
// running program does (BenchmarkKeyMoveHuge adds that load).
func BenchmarkKeyFrameHuge(b *testing.B) {
	m := benchModel(b, openHugeBenchDB(b))
	keys := []string{"j", "k"}
	i := 0
	for b.Loop() {
		_, _ = m.Update(keyMsg(keys[i%2]))
		_ = m.View()
		i++
	}
	reportMemory(b)
}
