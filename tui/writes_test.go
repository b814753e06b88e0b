package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An export never replaces what the export folder holds: with files (and
// a symlink) already at the names of this second and the next, x writes a
// new file beside them and leaves each byte for byte.
func TestExportKeepsWhatWasThere(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 3)
	m := newTestModel(t, d, 80, 24)
	m.expDir = t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(elsewhere, []byte("not an export"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var planted []string
	for i, at := range []time.Time{now, now.Add(time.Second), now.Add(2 * time.Second)} {
		path := filepath.Join(m.expDir, "hookscope-requests-"+at.Format("20060102-150405")+".jsonl")
		planted = append(planted, path)
		if i == 1 {
			if err := os.Symlink(elsewhere, path); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(path, []byte("earlier export "+path), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	press(t, m, "x")
	if s := screen(m); !strings.Contains(s, "✓ exported 3 requests to") {
		t.Fatalf("no result:\n%s", s)
	}
	for i, path := range planted {
		if i == 1 {
			if got, err := os.Readlink(path); err != nil || got != elsewhere {
				t.Fatalf("the symlink changed: %q %v", got, err)
			}
			continue
		}
		if b, _ := os.ReadFile(path); string(b) != "earlier export "+path {
			t.Fatalf("%s was replaced: %.60q", path, b)
		}
	}
	if b, _ := os.ReadFile(elsewhere); string(b) != "not an export" {
		t.Fatalf("the export went through the symlink: %.60q", b)
	}
	files, _ := filepath.Glob(filepath.Join(m.expDir, "*.jsonl"))
	if len(files) != 4 {
		t.Fatalf("the folder holds %v, want the three planted and one new export", files)
	}
}

// A copy file that is a symlink is not followed: the file it points to
// keeps its content, and the status line names no file.
func TestCopyFileSymlinkNotFollowed(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	if err := os.MkdirAll(filepath.Join(dir, "hookscope"), 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "hookscope", copyFileName)
	if err := os.Symlink(victim, file); err != nil {
		t.Fatal(err)
	}
	d := openDB(t)
	seedRequest(t, d, 1, `{"a":1}`)
	m := newTestModel(t, d, 120, 40)
	press(t, m, "y", "enter")
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Fatalf("the copy went through the symlink: %q", b)
	}
	if got, err := os.Readlink(file); err != nil || got != victim {
		t.Fatalf("the symlink changed: %q %v", got, err)
	}
	if s := screen(m); !strings.Contains(s, "✓ copied the body of request #1") || strings.Contains(s, "also in") {
		t.Fatalf("status:\n%s", s)
	}
}
