package db

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// Unavailable reports whether err says the database cannot take a write
// now for a reason that is no caller's fault and may pass: the disk (or
// the file system holding the database) is full, an I/O error, the file is
// read-only or locked past the busy timeout. An API answers such an error
// 503, never 400. It looks through every wrapping for SQLite's error code.
func Unavailable(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrReadonly, sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrCantOpen:
		return true
	}
	return false
}

// DiskFull reports whether err says the disk holding the database is full.
func DiskFull(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrFull
}
