package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hookscope/hookscope/fixtures"
)

// hostileFixtures is a fixtures folder with one good file beside a named
// pipe, a symlink to /dev/zero, a symlink to a non-JSON file outside the
// folder and a 300 MB (sparse) file.
func hostileFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	pc := filepath.Join(dir, "policycortex")
	if err := os.MkdirAll(pc, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pc, "custom.audit.json"), []byte(`{"type":"custom.audit"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(pc, "fifo.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(outside, []byte("outside the folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	for link, to := range map[string]string{"zero.json": "/dev/zero", "outside.json": outside} {
		if err := os.Symlink(to, filepath.Join(pc, link)); err != nil {
			t.Fatal(err)
		}
	}
	huge := filepath.Join(pc, "huge.json")
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 300<<20); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runBounded runs the built binary with args, failing the test if it is
// still running after 20s; it returns stdout, stderr and the peak memory
// (max RSS, KiB).
func runBounded(t *testing.T, args ...string) (string, string, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, hookscopeBinary(t), args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v: still running after 20s", args)
	}
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss - baselineRSS(t)
}

var (
	baselineOnce sync.Once
	baselineKiB  int64
)

// baselineRSS is the peak a child started the same way reports when it does
// next to nothing (`hookscope version`). A child's ru_maxrss also counts the
// memory of the process it was started from, until its exec (os/exec
// shares the parent's memory until then), so a large test process (a -race
// build) shows in every child's figure: what the command itself adds is
// its figure less this one.
func baselineRSS(t *testing.T) int64 {
	t.Helper()
	baselineOnce.Do(func() {
		cmd := exec.Command(hookscopeBinary(t), "version")
		if err := cmd.Run(); err != nil {
			t.Fatalf("hookscope version: %v", err)
		}
		baselineKiB = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	})
	return baselineKiB
}

// fixtures list with a hostile folder finishes promptly, in little memory,
// listing the good file and giving one `path: reason` line for each of the
// others; nothing outside the folder is shown.
func TestFixturesListHostileFolder(t *testing.T) {
	dir := hostileFixtures(t)
	pc := filepath.Join(dir, "policycortex")
	out, stderr, rss := runBounded(t, "fixtures", "list", "--vendor", "policycortex", "--fixtures", dir)
	t.Logf("fixtures list: max RSS %d KiB beyond `hookscope version`", rss)
	if !strings.Contains(out, "custom.audit") {
		t.Errorf("the good file is not listed:\n%s", out)
	}
	for _, want := range []string{
		filepath.Join(pc, "fifo.json") + ": a named pipe: only regular files are read",
		filepath.Join(pc, "zero.json") + ": a symlink leading out of the fixtures folder",
		filepath.Join(pc, "outside.json") + ": a symlink leading out of the fixtures folder",
		filepath.Join(pc, "huge.json") + ": is 314572800 bytes, over the 1024 KiB a fixture may be",
	} {
		if !strings.Contains(stderr, "hookscope: fixture not loaded: "+want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "'o'") || strings.Contains(stderr, "outside the folder") {
		t.Errorf("stderr shows the file outside the folder:\n%s", stderr)
	}
	if rss > 100<<10 {
		t.Errorf("fixtures list peaked at %d MiB", rss>>10)
	}
}

// A command that takes no fixtures (requests list) never reads the folder:
// with the hostile one it finishes promptly and says nothing about it.
func TestRequestsListDoesNotReadFixtures(t *testing.T) {
	dir := hostileFixtures(t)
	_, stderr, rss := runBounded(t, "--db", filepath.Join(t.TempDir(), "r.db"), "requests", "list", "--fixtures", dir)
	t.Logf("requests list: max RSS %d KiB beyond `hookscope version`", rss)
	if stderr != "" {
		t.Errorf("requests list wrote to stderr:\n%s", stderr)
	}
	if rss > 100<<10 {
		t.Errorf("requests list peaked at %d MiB", rss>>10)
	}

	// In process: the folder's good file is not put in use.
	fixtures.UseUserFixtures(nil)
	t.Cleanup(func() { fixtures.UseUserFixtures(nil) })
	good := t.TempDir()
	if err := os.MkdirAll(filepath.Join(good, "policycortex"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(good, "policycortex", "custom.audit.json"), []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "--db", filepath.Join(t.TempDir(), "r.db"), "requests", "list", "--fixtures", good); err != nil {
		t.Fatal(err)
	}
	if _, _, err := fixtures.Find("policycortex", "custom.audit"); err == nil {
		t.Fatal("requests list loaded the fixtures folder")
	}
	// While a command that takes them does.
	if _, err := runCLI(t, "fixtures", "list", "--fixtures", good); err != nil {
		t.Fatal(err)
	}
	if _, _, err := fixtures.Find("policycortex", "custom.audit"); err != nil {
		t.Fatalf("fixtures list did not load the folder: %v", err)
	}
}
