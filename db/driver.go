package db

import (
	"database/sql"

	"github.com/mattn/go-sqlite3"

	"github.com/hookscope/hookscope/limits"
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

// readMmapSize is how much of the file a read connection maps: 64 MiB.
// Mapping the whole file (up to 2 GB) made rare-term text searches at a
// million rows ~1.5x faster, but every mapped page a query touched — and
// the kernel's fault-around neighbours of it — counted as the process's
// resident memory: one count(*) over a scattered 15 MB index put 240 MB of
// a 550 MB file in the console's RSS. At 64 MiB the console stays near
// 60 MB resident (measured by tui's BenchmarkFirstFrame); pages beyond the
// map are read through the OS page cache, which is not the process's.
const readMmapSize = "67108864"

// walSizeLimit is the WAL's journal_size_limit, the size its file is cut
// back to when the log starts again (64 MiB), and the size past which the
// checkpointer restarts the log (checkpoint.go): the file stays within
// 4x this under any sustained load (docs/performance.md).
const walSizeLimit = limits.WALSize

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
