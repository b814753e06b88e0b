// Package db is hookscope's SQLite store.
//
// It guarantees: one database file opened once per process with WAL,
// synchronous=NORMAL, foreign keys and a busy timeout; the embedded,
// versioned migrations applied on open (a database from a newer hookscope,
// or a file that is not SQLite, is refused and left untouched); every write
// in a BEGIN IMMEDIATE transaction on the single write connection, with
// concurrent writers group-committed (a write returns only after the
// transaction holding it has committed); WAL checkpoints on a connection
// of their own, never inside a commit, with the WAL file kept within 4x its
// journal_size_limit under sustained writes (checkpoint.go); below a
// free-space floor (Options.MinFree) writes refused before they run, with
// an error that maps to 503 (freespace.go, Refused); reads on a separate
// pool. Two processes may share one file.
package db

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/pressly/goose/v3"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver, registered as "sqlite3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Handle is what every store method takes: the read pool (*sql.DB), a read
// transaction (*sql.Tx), or the write transaction a Write runs in (the
// committer's held connection, see writeTx).
type Handle interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ Handle = (*sql.DB)(nil)
	_ Handle = (*sql.Tx)(nil)
)

// Errors callers can test for with errors.Is.
var (
	// ErrNotFound: the row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique value (a name) is taken.
	ErrConflict = errors.New("already exists")
	// ErrNewerSchema: the file was written by a newer hookscope.
	ErrNewerSchema = errors.New("database schema is newer than this hookscope")
	// ErrNotSQLite: the file exists and is not a SQLite database.
	ErrNotSQLite = errors.New("not a SQLite database")
	// ErrClosed: the database was closed.
	ErrClosed = errors.New("database closed")
)

// DB is an open hookscope database.
type DB struct {
	path   string
	read   *sql.DB
	write  *sql.DB
	commit *committer
	// ckpt runs the WAL checkpoints the write connection does not.
	ckpt *checkpointer
	// space refuses writes below the free-space floor (nil: no floor).
	space *space
	// readDSN opens a further reading connection (Watch's).
	readDSN string
	// closing is closed by Close, ending watchers, which Close waits for.
	closing  chan struct{}
	closeMu  sync.Mutex // orders Watch's watchers.Add before Close's Wait
	closed   bool
	watchers sync.WaitGroup
}

// Options tune Open. The zero value is the default.
type Options struct {
	// MaxBatch caps how many writes share one transaction (default 256).
	MaxBatch int
	// MinFree is the free-space floor in bytes (0: none): below it a
	// write is refused with a *LowSpaceError unless its context is marked
	// WithoutFloor. The room counted is what the file system holding the
	// database has free plus the database's own free pages.
	MinFree int64
	// Logger receives the checkpointer's and the floor's logs
	// (slog.Default() when nil).
	Logger *slog.Logger
	// walBytes replaces walSizeLimit (tests: a small WAL bound).
	walBytes int64
}

// DefaultPath is $XDG_DATA_HOME/hookscope/hookscope.db, falling back to
// ~/.local/share when XDG_DATA_HOME is unset or not absolute.
func DefaultPath() (string, error) {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the data directory: %w", err)
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "hookscope", "hookscope.db"), nil
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if err := checkFile(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating the directory for %s: %w", path, err)
	}
	dsn := func(txlock string, busy time.Duration) string {
		q := url.Values{}
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
		q.Set("_foreign_keys", "on")
		q.Set("_busy_timeout", strconv.FormatInt(busy.Milliseconds(), 10))
		q.Set("_txlock", txlock)
		q.Set("_stmt_cache_size", stmtCacheSize)
		// database/sql hands a connection to one goroutine at a time, so
		// SQLite's per-connection mutex (taken around every call) guards
		// nothing here.
		q.Set("_mutex", "no")
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	}
	write, err := sql.Open(writeDriver, dsn("immediate", busyTimeout))
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s: %w", path, mapOpenErr(err))
	}
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("migrating %s: %w", path, err)
	}
	read, err := sql.Open(readDriver, dsn("deferred", busyTimeout))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s for reading: %w", path, err)
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	ckpt, err := sql.Open("sqlite3", dsn("deferred", restartWait))
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("opening %s for checkpoints: %w", path, err)
	}
	d := &DB{path: path, read: read, write: write, readDSN: dsn("deferred", busyTimeout), closing: make(chan struct{})}
	walLimit := int64(walSizeLimit)
	if opts.walBytes > 0 {
		walLimit = opts.walBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if opts.MinFree > 0 {
		d.space = newSpace(path, opts.MinFree, log, func(ctx context.Context) (int64, int64, error) { return freePages(ctx, read) })
	}
	d.commit = newCommitter(write, opts.MaxBatch, path+"-wal", walLimit, d.space)
	d.ckpt = newCheckpointer(ckpt, walLimit, d.commit, log)
	return d, nil
}

// busyTimeout is how long a connection waits for a lock another holds
// before SQLITE_BUSY (the checkpointer's waits restartWait).
const busyTimeout = 10 * time.Second

// sqliteMagic starts every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// checkFile refuses an existing, non-empty file that is not SQLite, before
// the driver could touch it.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("opening %s: it is a directory, not a database file", path)
	}
	if st.Size() == 0 {
		return nil
	}
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		return fmt.Errorf("%s is %w (left untouched; pass --db with another path)", path, ErrNotSQLite)
	}
	return nil
}

func mapOpenErr(err error) error {
	if err != nil && bytes.Contains([]byte(err.Error()), []byte("file is not a database")) {
		return ErrNotSQLite
	}
	return err
}

// migrate applies the embedded migrations, refusing a newer schema.
func migrate(ctx context.Context, conn *sql.DB) error {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, conn, sub)
	if err != nil {
		return err
	}
	known := SchemaVersion()
	// Another process may be migrating the same file at the same moment;
	// its BEGIN IMMEDIATE makes ours wait, and a second look settles it.
	for try := 0; ; try++ {
		current, err := p.GetDBVersion(ctx)
		if err != nil {
			return fmt.Errorf("reading the schema version: %w", mapOpenErr(err))
		}
		if current > known {
			return fmt.Errorf("%w: the file is at schema version %d, this build knows up to %d; upgrade hookscope or use another --db", ErrNewerSchema, current, known)
		}
		if current == known {
			return nil
		}
		if _, err := p.Up(ctx); err != nil {
			if try < 2 {
				continue
			}
			return err
		}
	}
}

// SchemaVersion is the newest migration this build carries.
func SchemaVersion() int64 {
	entries, _ := fs.ReadDir(migrationFiles, "migrations")
	var v int64
	for _, e := range entries {
		var n int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &n); err == nil && n > v {
			v = n
		}
	}
	return v
}

// Path is the file the database lives in.
func (d *DB) Path() string { return d.path }

// Reader is the read pool, a Handle for store reads.
func (d *DB) Reader() *sql.DB { return d.read }

// Write runs fn inside a write transaction shared with other concurrent
// writers and returns once that transaction has committed. Below the
// free-space floor (Options.MinFree) it returns a *LowSpaceError without
// running fn, unless ctx is marked WithoutFloor. fn runs under
// its own savepoint: if it returns an error only its own changes are rolled
// back, and the error is returned to this caller alone. If the shared
// transaction cannot begin or commit, every caller in it gets that error.
// A foreign-key failure (a row fn refers to was deleted by an earlier
// write) is returned as ErrNotFound, with what fn was doing.
func (d *DB) Write(ctx context.Context, fn func(tx Handle) error) error {
	return refersToGone(d.commit.do(ctx, fn))
}

// Close flushes pending writes and closes the database.
func (d *DB) Close() error {
	d.closeMu.Lock()
	if !d.closed {
		d.closed = true
		close(d.closing)
	}
	d.closeMu.Unlock()
	d.watchers.Wait()
	d.commit.close()
	return errors.Join(d.ckpt.close(), d.read.Close(), d.write.Close())
}
