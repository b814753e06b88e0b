package main

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// check --junit naming a named pipe is refused before the run (exit
// status 2), instead of hanging on the pipe once the run is over.
func TestCheckJUnitRefusesAPipe(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	dir := t.TempDir()
	fifo := filepath.Join(dir, "check.xml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, hookscopeBinary(t), "--db", filepath.Join(dir, "c.db"), "check", "codescoring",
		"--to", "http://127.0.0.1:18301/", "--token", "t", "--event", "project_sca_analysis_started", "--junit", fifo).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("check --junit at a FIFO still running after 20s: %s", out)
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), fifo+": is a named pipe") {
		t.Fatalf("%v: %s; want exit status 2 saying it is a named pipe", err, out)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO changed: %v", err)
	}
}
