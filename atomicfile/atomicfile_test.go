package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// onlyFile fails unless dir holds exactly the names given (no temporary
// file left behind).
func onlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
	for i := range got {
		if got[i] != names[i] {
			t.Fatalf("%s holds %v, want %v", dir, got, names)
		}
	}
}

func TestWriteNewAndReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.har")
	if err := WriteFile(path, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Fatalf("wrote %q", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("new file's mode %v, want 0600", st.Mode())
	}
	// A replaced file keeps its permission bits.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("second"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "second" {
		t.Fatalf("replaced with %q", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Fatalf("replaced file's mode %v, want 0640 kept", st.Mode())
	}
	onlyFile(t, dir, "out.har")
}

// A write that fails part-way leaves the file that was there byte for
// byte, and no temporary file.
func TestFailedWriteLeavesTarget(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.xml")
	before := bytes.Repeat([]byte("the user's own file\n"), 1000)
	if err := os.WriteFile(path, before, 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("the database went away")
	err := Write(path, 0o600, func(w io.Writer) error {
		if _, err := w.Write(bytes.Repeat([]byte("x"), 1<<20)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write: %v, want the writer's error", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, before) {
		t.Fatalf("the target changed: %d bytes, want %d", len(b), len(before))
	}
	onlyFile(t, dir, "report.xml")

	// Abort after a partial write does the same.
	f, err := Create(path, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("partial"))
	f.Abort()
	f.Abort()
	if b, _ := os.ReadFile(path); !bytes.Equal(b, before) {
		t.Fatal("the target changed after Abort")
	}
	onlyFile(t, dir, "report.xml")
}

// refused fails unless writing path is refused as not a regular file,
// promptly, leaving the node as it was (checked by still).
func refused(t *testing.T, path string, still func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- WriteFile(path, []byte("export"), 0o600) }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Fatalf("WriteFile(%s): %v, want ErrNotRegular", path, err)
		}
		t.Logf("refused: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatalf("WriteFile(%s) still blocked after 5s", path)
	}
	still()
}

func TestRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	refused(t, fifo, func() {
		if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
			t.Fatalf("the FIFO is gone or changed: %v %v", st, err)
		}
	})

	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("kept"), 0o600)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	refused(t, link, func() {
		if got, err := os.Readlink(link); err != nil || got != target {
			t.Fatalf("the symlink changed: %q %v", got, err)
		}
		if b, _ := os.ReadFile(target); string(b) != "kept" {
			t.Fatalf("the symlink's target changed: %q", b)
		}
	})

	sub := filepath.Join(dir, "folder")
	os.Mkdir(sub, 0o700)
	refused(t, sub, func() {
		if st, err := os.Lstat(sub); err != nil || !st.IsDir() {
			t.Fatal("the folder changed")
		}
	})

	// A device node (a copy of /dev/null, made here: needs root).
	names := []string{"folder", "link", "pipe", "target"}
	dev := filepath.Join(dir, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Logf("no device node test: %v", err)
	} else {
		names = []string{"folder", "link", "null", "pipe", "target"}
		refused(t, dev, func() {
			if st, err := os.Lstat(dev); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
				t.Fatalf("the device node is gone or changed: %v %v", st, err)
			}
		})
	}
	onlyFile(t, dir, names...)
}

func TestMissingFolder(t *testing.T) {
	err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "x.txt"), nil, 0o600)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("WriteFile into a missing folder: %v", err)
	}
}
