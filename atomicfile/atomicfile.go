// Package atomicfile writes the files hookscope writes (exports, the
// console's copy file, JUnit reports) so that what was at the target is
// never destroyed: the content goes to a temporary file in the target's
// folder, is synced, and is renamed over the target only once it is
// whole. A failed or interrupted write leaves the target as it was. A
// target that exists and is not a regular file (a symlink, a named pipe, a
// device, a socket, a folder) is refused before anything is written.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNotRegular is the error (wrapped) for a target that exists and is not
// a regular file.
var ErrNotRegular = errors.New("not a regular file")

// CheckTarget reports whether path may be written: it does not exist and
// its folder does, or it is a regular file (not a symlink to one). The
// FileInfo is the existing file's, nil when there is none.
func CheckTarget(path string) (fs.FileInfo, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		dir, derr := os.Stat(filepath.Dir(path))
		if derr != nil {
			return nil, fmt.Errorf("%s: its folder: %w", path, derr)
		}
		if !dir.IsDir() {
			return nil, fmt.Errorf("%s: %s is not a folder", path, filepath.Dir(path))
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		hint := "hookscope writes only regular files"
		if info.Mode()&fs.ModeSymlink != 0 {
			hint = "give the path of the file itself"
		}
		return nil, fmt.Errorf("%s: is %s, %w: refused and left untouched (%s)", path, Kind(info.Mode()), ErrNotRegular, hint)
	}
	return info, nil
}

// Kind names a file's type as errors say it: "a named pipe", "a folder",
// "a file" for a regular one.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a file"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a folder"
	}
	return "a special file"
}

// File is a file being written: its content goes to a temporary file
// beside the target until Commit renames it into place. Abort (or a
// failed Commit) removes the temporary file.
type File struct {
	target string
	tmp    *os.File
	done   bool
}

// Create starts writing path. A new file gets perm; a file that is
// replaced keeps its permission bits. The temporary file is hidden
// (".NAME.*.tmp") in the same folder, so the rename is atomic.
func Create(path string, perm fs.FileMode) (*File, error) {
	info, err := CheckTarget(path)
	if err != nil {
		return nil, err
	}
	if info != nil {
		perm = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file for %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("creating a temporary file for %s: %w", path, err)
	}
	return &File{target: path, tmp: tmp}, nil
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) { return f.tmp.Write(p) }

// Path is the target's path.
func (f *File) Path() string { return f.target }

// TempPath is the temporary file's path.
func (f *File) TempPath() string { return f.tmp.Name() }

// Commit syncs the temporary file, renames it over the target and syncs
// the folder. On any failure the temporary file is removed and the target
// is left as it was.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	f.done = true
	name := f.tmp.Name()
	err := f.tmp.Sync()
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// The target may have been replaced by something else meanwhile.
		_, err = CheckTarget(f.target)
	}
	if err == nil {
		err = os.Rename(name, f.target)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", f.target, err)
	}
	if err := syncDir(filepath.Dir(f.target)); err != nil {
		return fmt.Errorf("writing %s: syncing its folder: %w", f.target, err)
	}
	return nil
}

// Abort removes the temporary file; after Commit it does nothing, so it
// can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

// Write writes path with what fn writes, all or nothing.
func Write(path string, perm fs.FileMode, fn func(w io.Writer) error) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := fn(f); err != nil {
		return err
	}
	return f.Commit()
}

// WriteFile writes data to path, all or nothing.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// syncDir makes a rename in dir durable; a system that cannot sync a
// folder (EINVAL, ENOTSUP) is no failure.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}
