package db

import (
	"database/sql"

	"github.com/mattn/go-sqlite3"
)

// readDriver is the driver of the read pool: go-sqlite3 with every
// connection memory-mapping the file (PRAGMA mmap_size), so a full scan —
// a text search over a million requests — reads pages in place instead of
// copying each through a read() call. The WAL is unaffected; writes still go
// through the write connection's ordinary I/O.
const readDriver = "sqlite3_hookscope_read"

// writeDriver is the driver of the write connection: go-sqlite3 with
// automatic checkpoints off (PRAGMA wal_autocheckpoint=0). SQLite would
// otherwise run a checkpoint, with its fsync, inside whichever commit
// pushes the WAL past 1000 pages, stalling every write grouped into it;
// the checkpointer (checkpoint.go) does that work on its own connection.
const writeDriver = "sqlite3_hookscope_write"

// readMmapSize is how much of the file a read connection maps (SQLite caps
// it at its compile-time maximum, 2 GB by default).
const readMmapSize = "2147418112"

// stmtCacheSize is how many prepared statements each connection keeps
// (go-sqlite3's _stmt_cache_size): a store's Exec or Query with the same
// text reuses the compiled statement instead of preparing it again.
const stmtCacheSize = "64"

func init() {
	sql.Register(readDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA mmap_size = "+readMmapSize, nil)
			return err
		},
	})
	sql.Register(writeDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA wal_autocheckpoint = 0", nil)
			return err
		},
	})
}
