package check

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hookscope/hookscope/atomicfile"
)

func junitReport() *Report {
	return &Report{Vendor: "codescoring", URL: "http://127.0.0.1:1/", StartedAt: time.Unix(1_700_000_000, 0),
		Results: []Result{{ID: "CS-1", Scenario: "a valid event", Verdict: Pass}}}
}

// --junit replaces a report that was there, whole; a symlink or a named
// pipe at the path is refused and left as it was.
func TestWriteJUnitFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "check.xml")
	if err := os.WriteFile(path, []byte("last run's report"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteJUnitFile(path, junitReport()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `<testcase name="CS-1: a valid event"`) {
		t.Fatalf("wrote %s", b)
	}

	fifo := filepath.Join(dir, "pipe.xml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.xml")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	for _, p := range []string{fifo, link} {
		done := make(chan error, 1)
		go func() { done <- WriteJUnitFile(p, junitReport()) }()
		select {
		case err := <-done:
			if !errors.Is(err, atomicfile.ErrNotRegular) || !strings.Contains(err.Error(), p+": is a") {
				t.Errorf("WriteJUnitFile(%s): %v", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("WriteJUnitFile(%s) blocked", p)
		}
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO changed: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != string(before) {
		t.Errorf("the symlink's target changed")
	}
}
