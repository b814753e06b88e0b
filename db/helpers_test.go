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

// openMigrated closes conn, a connection migratedTo returned (with the
// rows the test wrote as an older hookscope), and opens its file as
// hookscope does, migrating it to the newest version. The caller closes
// the DB.
func openMigrated(t testing.TB, conn *sql.DB, path string) *DB {
	t.Helper()
	conn.Close()
	d, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// migratedDownTo rolls the file at path (closed) back to version, as
// goose's Down would, and returns a plain connection to it, closed at
// cleanup.
func migratedDownTo(t testing.TB, path string, version int64) *sql.DB {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetMaxOpenConns(1)
	sub, _ := fs.Sub(migrationFiles, "migrations")
	p, err := goose.NewProvider(goose.DialectSQLite3, conn, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return conn
}
