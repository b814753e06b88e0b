package db

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
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

// migratedTo creates a database file under t's temp dir with the embedded
// migrations applied up to version, as an older hookscope left it, and
// returns a plain connection to it (one connection: the caller closes it
// before Open) and its path.
func migratedTo(t testing.TB, version int64) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("v%d.db", version))
	conn, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	conn.SetMaxOpenConns(1)
	sub, _ := fs.Sub(migrationFiles, "migrations")
	p, err := goose.NewProvider(goose.DialectSQLite3, conn, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return conn, path
}
