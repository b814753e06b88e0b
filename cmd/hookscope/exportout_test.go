package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// bigExportDB stores n requests of bodySize bytes each (random letters,
// so nothing shrinks them) and returns the database's path.
func bigExportDB(t *testing.T, n, bodySize int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "big.db")
	ctx := context.Background()
	d, err := db.Open(ctx, path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := rand.New(rand.NewPCG(1, 2))
	store := db.NewRequestStore()
	for start := 0; start < n; start += 200 {
		err := d.Write(ctx, func(h db.Handle) error {
			for i := start; i < min(start+200, n); i++ {
				body := make([]byte, bodySize)
				for j := range body {
					body[j] = 'a' + byte(r.IntN(26))
				}
				req := &db.Request{ReceivedAt: time.Unix(1_700_000_000+int64(i), 0).UTC(), Route: "generic", Method: "POST",
					Path: "/hooks/generic", RemoteAddr: "127.0.0.1:5000", Vendor: "generic",
					Headers: []db.Header{{Name: "Content-Type", Value: "text/plain"}},
					Body:    body, BodySize: int64(len(body)), ShapeIssues: []string{}, EventTypes: []string{},
					Signature: db.Signature{Status: "unverifiable"}, Response: db.Response{Status: 200}}
				if err := store.CreateRequest(ctx, h, req); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// usersFile writes a file the user had at dir/name and returns its path
// and content.
func usersFile(t *testing.T, dir, name string) (string, []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	content := bytes.Repeat([]byte("the user's own file, not an export\n"), 500)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, content
}

// sameFile fails unless path holds want byte for byte.
func sameFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s changed: %d bytes (starting %.40q), want its %d bytes", path, len(got), got, len(want))
	}
}

// names lists dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// An export whose writes fail part-way (the process may write no file
// past 2 MiB: a real EFBIG, as on a full disk) leaves the file at --out
// byte for byte, and no temporary file.
func TestExportFailingPartWayLeavesTarget(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	dbPath := bigExportDB(t, 400, 32<<10)
	dir := t.TempDir()
	target, before := usersFile(t, dir, "requests.jsonl")
	cmd := exec.Command("sh", "-c", `ulimit -f 4096 && exec "$0" "$@"`, hookscopeBinary(t),
		"--db", dbPath, "export", "--format", "jsonl", "--out", target)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("an export past the file size limit succeeded: %s", out)
	}
	if !strings.Contains(string(out), "file too large") || !strings.Contains(string(out), "left as it was") {
		t.Errorf("the error does not say what failed: %s", out)
	}
	sameFile(t, target, before)
	if got := names(t, dir); len(got) != 1 {
		t.Fatalf("the folder holds %v, want the user's file alone", got)
	}
}

// startExport runs `hookscope export` of dbPath to target and waits until
// its temporary file holds more than 1 MiB.
func startExport(t *testing.T, dbPath, target string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(hookscopeBinary(t), "--db", dbPath, "export", "--format", "har", "--out", target)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(filepath.Dir(target))
		for _, e := range entries {
			// The old code wrote the target itself; either way, kill once
			// the export is well under way.
			if info, err := e.Info(); err == nil && info.Size() > 1<<20 {
				return cmd
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("the export wrote nothing in 20s")
	return nil
}

// A SIGKILL mid-export leaves the target as it was: what is left beside
// it is a hidden temporary file, never a truncated HAR at the target.
// SIGTERM (like Ctrl-C) cancels the export, which removes the temporary
// file as well.
func TestExportKilledLeavesTarget(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	dbPath := bigExportDB(t, 2000, 32<<10)
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			target, before := usersFile(t, dir, "all.har")
			cmd := startExport(t, dbPath, target)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err == nil {
				t.Fatal("the export finished before the signal: give it more to export")
			}
			sameFile(t, target, before)
			got := names(t, dir)
			for _, n := range got {
				if n != "all.har" && !(strings.HasPrefix(n, ".all.har.") && strings.HasSuffix(n, ".tmp")) {
					t.Errorf("stray file %q beside the target", n)
				}
			}
			if sig == syscall.SIGTERM && len(got) != 1 {
				t.Errorf("after SIGTERM the folder holds %v, want the target alone", got)
			}
		})
	}
}

// --out naming a named pipe, a device node or a symlink is refused at
// once (exit status 2, the path and what it is), the node left as it was.
func TestExportOutRefusesWhatIsNotAFile(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	dbPath := exportDB(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	linked, before := usersFile(t, dir, "linked.txt")
	link := filepath.Join(dir, "link.har")
	if err := os.Symlink(linked, link); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, what string }{{fifo, "a named pipe"}, {link, "a symbolic link"}}
	dev := filepath.Join(dir, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		cases = append(cases, struct{ path, what string }{dev, "a character device"})
	} else {
		t.Logf("no device node (%v): its case is left out", err)
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		out, err := exec.CommandContext(ctx, hookscopeBinary(t), "--db", dbPath, "export", "--format", "har", "--out", c.path).CombinedOutput()
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			t.Fatalf("--out %s: still running after 15s", c.path)
		}
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), c.path+": is "+c.what) {
			t.Errorf("--out %s: %v, %s; want exit status 2 saying it is %s", c.path, err, out, c.what)
		}
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO changed: %v %v", st, err)
	}
	if got, err := os.Readlink(link); err != nil || got != linked {
		t.Errorf("the symlink changed: %q %v", got, err)
	}
	sameFile(t, linked, before)
	if st, err := os.Lstat(dev); err == nil && st.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("the device node changed: %v", st.Mode())
	}
	if got := fmt.Sprint(names(t, dir)); got != "[link.har linked.txt null pipe]" && got != "[link.har linked.txt pipe]" {
		t.Errorf("the folder holds %s", got)
	}
}

// An export whose database read fails part-way (a page of late rows
// overwritten with 0xFF bytes: a read error once the rows before it are
// out) leaves the file at --out byte for byte.
func TestExportDatabaseErrorLeavesTarget(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	dbPath := bigExportDB(t, 2000, 8<<10)
	st, err := os.Stat(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(dbPath, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// One page four fifths into the file: a page of late rows' bodies.
	page := int64(4096)
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xff}, int(page)), st.Size()*4/5/page*page); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// To standard output, the same export writes rows before it fails: the
	// failure is part-way.
	stdout, _, err := runCLIStderr(t, "--db", dbPath, "export", "--format", "jsonl")
	if err == nil || strings.Count(stdout, "\n") < 100 {
		t.Fatalf("the corrupt database exported %d lines to stdout, then %v: the test needs a failure part-way", strings.Count(stdout, "\n"), err)
	}
	dir := t.TempDir()
	target, before := usersFile(t, dir, "requests.jsonl")
	_, _, err = runCLIStderr(t, "--db", dbPath, "export", "--format", "jsonl", "--out", target)
	if err == nil {
		t.Fatal("export --out of a corrupt database succeeded")
	}
	sameFile(t, target, before)
	if !strings.Contains(err.Error(), "left as it was") {
		t.Errorf("the error does not say the file is left as it was: %v", err)
	}
	if got := names(t, dir); len(got) != 1 {
		t.Fatalf("the folder holds %v, want the user's file alone", got)
	}
}
