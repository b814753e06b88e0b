//go:build unix

package export_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/export"
)

// BenchmarkExportMemory runs `hookscope export` (the real binary, built
// for the run) over a history of HOOKSCOPE_EXPORT_ROWS requests (1,000,000
// by default; 100,000 with -short): the first 10,000 of them (--until)
// beside the whole history, as JSON lines and as HAR, and reports each
// run's peak resident memory (the child's VmHWM, sampled from /proc while
// it runs: its rusage maxrss would start from this test process's size,
// which a forked child inherits) and rows per second.
// Equal peaks for 10,000 and 1,000,000 rows say the memory does not grow
// with the rows.
//
//	go test ./export -run '^$' -bench BenchmarkExportMemory -benchtime 1x -timeout 30m
func BenchmarkExportMemory(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads the child's peak RSS from Linux's /proc")
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
	dir := b.TempDir()
	bin := filepath.Join(dir, "hookscope")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/hookscope/hookscope/cmd/hookscope").CombinedOutput(); err != nil {
		b.Fatalf("building hookscope: %v\n%s", err, out)
	}
	d := openDB(b)
	seedRequests(b, d, rows)
	dbPath := filepath.Join(dir, "copy.db")
	if _, err := d.Reader().ExecContext(context.Background(), "VACUUM INTO ?", dbPath); err != nil {
		b.Fatal(err)
	}
	until := t0.Add(10_000 * time.Second).Format(time.RFC3339)
	for _, format := range []string{export.JSONL, export.HARFormat} {
		for _, c := range []struct {
			name string
			rows int
			args []string
		}{{"first-10000", 10_000, []string{"--until", until}}, {"all-" + strconv.Itoa(rows), rows, nil}} {
			b.Run(format+"/"+c.name, func(b *testing.B) {
				var peakKB int64
				for b.Loop() {
					cmd := exec.Command(bin, append([]string{"--db", dbPath, "export", "--format", format, "--out", os.DevNull}, c.args...)...)
					var stderr bytes.Buffer
					cmd.Stderr = &stderr
					if err := cmd.Start(); err != nil {
						b.Fatal(err)
					}
					done := make(chan error, 1)
					go func() { done <- cmd.Wait() }()
					var err error
					for waiting := true; waiting; {
						select {
						case err = <-done:
							waiting = false
						case <-time.After(5 * time.Millisecond):
							peakKB = max(peakKB, vmHWM(cmd.Process.Pid))
						}
					}
					if err != nil {
						b.Fatalf("%v: %v\n%s", cmd.Args, err, stderr.String())
					}
					if want := fmt.Sprintf("exported %d requests", c.rows); !strings.Contains(stderr.String(), want) {
						b.Fatalf("stderr %q, want %q", stderr.String(), want)
					}
				}
				b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
				b.ReportMetric(float64(c.rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

// vmHWM is a running process's peak resident memory in kB (0 once it has
// exited).
func vmHWM(pid int) int64 {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(st) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(rest)), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
