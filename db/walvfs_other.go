//go:build !unix

package db

// vfsName is the VFS for the DSN: SQLite's default here (the WAL-write
// buffering VFS is built for Unix systems).
func vfsName() (string, error) { return "", nil }

func walVFSStats() (writes, flushes, barrierFlushes int64) { return 0, 0, 0 }
