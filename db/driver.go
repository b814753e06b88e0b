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

// readMmapSize is how much of the file a read connection maps (SQLite caps
// it at its compile-time maximum, 2 GB by default).
const readMmapSize = "2147418112"

func init() {
	sql.Register(readDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA mmap_size = "+readMmapSize, nil)
			return err
		},
	})
}
