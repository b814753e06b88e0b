//go:build !unix

package db

// freeBytes cannot tell on this system: no floor applies.
func freeBytes(string) (int64, bool) { return 0, false }
