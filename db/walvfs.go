//go:build unix

package db

/*
#include "walvfs.h"
*/
import "C"

import "fmt"

// walVFS is the SQLite VFS every connection opens the file through
// (walvfs.c): the default one, except that a write transaction's WAL
// frames reach the file in one write instead of two per page. A commit is
// in the file before SQLite publishes it, and nothing is synced that was
// not before, so what readers see and what survives a crash are
// unchanged.
const walVFS = "hookscope-wal"

func init() {
	// Early, before any connection opens: registering also turns SQLite's
	// allocation statistics off, which works only before SQLite starts.
	C.hs_walvfs_register()
}

// vfsName is the VFS for the DSN ("" for SQLite's default), registered
// first if it is not yet (registration happens once).
func vfsName() (string, error) {
	if rc := C.hs_walvfs_register(); rc != 0 {
		return "", fmt.Errorf("registering the %s SQLite VFS: error code %d", walVFS, int(rc))
	}
	return walVFS, nil
}

// walVFSStats counts, for tests, since the process started: the writes
// SQLite made to WAL files, the writes that reached the files, and commits
// a shared-memory barrier found still buffered (must stay 0: a commit is
// written out when its last frame is).
func walVFSStats() (writes, flushes, barrierFlushes int64) {
	var w, f, b C.sqlite3_int64
	C.hs_walvfs_stats(&w, &f, &b)
	return int64(w), int64(f), int64(b)
}
