package testkit

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hookscope/hookscope/db"
)

// OpenDB opens a fresh database file in t's temp dir, closed (and the
// close checked) at cleanup.
func OpenDB(t testing.TB) *db.DB {
	t.Helper()
	return OpenPath(t, filepath.Join(t.TempDir(), "hookscope.db"))
}

// OpenPath opens the database file at path (another handle on it, as
// another process would have, when it is open already), closed (and the
// close checked) at cleanup.
func OpenPath(t testing.TB, path string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), path, db.Options{})
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("closing the db: %v", err)
		}
	})
	return d
}

// Write runs fn in one of d's write transactions, failing the test on an
// error.
func Write(t testing.TB, d *db.DB, fn func(tx db.Handle) error) {
	t.Helper()
	if err := d.Write(context.Background(), fn); err != nil {
		t.Fatalf("writing: %v", err)
	}
}
