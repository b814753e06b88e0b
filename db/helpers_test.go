package db

import (
	"context"
	"path/filepath"
	"testing"
)

// openTest opens a fresh database file in t.TempDir, closed at cleanup.
func openTest(t testing.TB, opts Options) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hookscope.db")
	d, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d, path
}

// write runs fn in a Write, failing the test on error.
func write(t testing.TB, d *DB, fn func(tx Handle) error) {
	t.Helper()
	if err := d.Write(context.Background(), fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}
