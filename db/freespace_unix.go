//go:build unix

package db

import "golang.org/x/sys/unix"

// freeBytes is what the file system holding dir has free for this
// process (statfs(2): available blocks times block size).
func freeBytes(dir string) (int64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
