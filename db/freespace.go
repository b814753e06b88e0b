package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
)

// ErrLowSpace: the room left for the database is below its free-space
// floor, so a write that brings data in was refused (see LowSpaceError).
var ErrLowSpace = errors.New("the room left for the database is below its free-space floor")

// LowSpaceError is a write refused below the free-space floor: Room is
// what was left (the file system's free bytes plus the database's own
// free pages), Floor the floor (Options.MinFree).
type LowSpaceError struct {
	Room, Floor int64
}

func (e *LowSpaceError) Error() string {
	return fmt.Sprintf("the disk holding the database has %s of room left, below the %s free-space floor (--min-free); prune the history (hookscope prune) or free disk space",
		mebibytes(e.Room), mebibytes(e.Floor))
}

// Is makes errors.Is(err, ErrLowSpace) true.
func (e *LowSpaceError) Is(target error) bool { return target == ErrLowSpace }

// Brief is err in a few words for a header: "disk low: ... room, floor
// ..." for a *LowSpaceError, its own text otherwise.
func Brief(err error) string {
	var low *LowSpaceError
	if errors.As(err, &low) {
		return fmt.Sprintf("disk low: %s room, floor %s: webhooks get 503", mebibytes(low.Room), mebibytes(low.Floor))
	}
	return err.Error()
}

func mebibytes(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// floorFree marks a context whose writes run below the floor.
type floorFree struct{}

// WithoutFloor marks ctx so that the writes made with it run below the
// free-space floor: those that free room (a prune) and those that keep
// the process going (its outbox lease, the attempts of deliveries already
// taken). Every other write, the receiver's, the API's, the console's and
// the CLI's, is refused below the floor.
func WithoutFloor(ctx context.Context) context.Context {
	return context.WithValue(ctx, floorFree{}, true)
}

func floorApplies(ctx context.Context) bool {
	free, _ := ctx.Value(floorFree{}).(bool)
	return !free
}

// space measures the room left for one database against its floor.
//
// The room is what the file system has free, plus the database's own free
// pages (a new row reuses them), less what the database file has yet to
// grow by when the WAL is checkpointed into it (its pages past the file's
// end): a checkpoint needs that room, and so does every write after it.
type space struct {
	path  string
	floor int64
	// pages reads the database's free pages and its whole size, in bytes
	// (PRAGMA freelist_count, page_count, page_size).
	pages func(ctx context.Context) (free, size int64, err error)
	// low is whether the last measure was below the floor; log says when
	// it changes.
	low atomic.Bool
	log *slog.Logger
}

func newSpace(path string, floor int64, log *slog.Logger, pages func(context.Context) (int64, int64, error)) *space {
	return &space{path: path, floor: floor, pages: pages, log: log.With("component", "db.space")}
}

// check measures the room and answers a *LowSpaceError below the floor
// (nil with no floor, or when the file system cannot say). The database
// is asked only when the file system's free bytes, less all the WAL could
// add to the database file, are below the floor.
func (s *space) check(ctx context.Context) error {
	if s == nil || s.floor <= 0 {
		return nil
	}
	room, ok := freeBytes(filepath.Dir(s.path))
	if !ok {
		return nil
	}
	if room-fileBytes(s.path+"-wal") < s.floor {
		if free, size, err := s.pages(ctx); err == nil {
			room += free - max(0, size-fileBytes(s.path))
		}
	}
	if room < s.floor {
		if !s.low.Swap(true) {
			s.log.Warn("below the free-space floor: the receiver's and the API's writes are answered 503 until room is freed (hookscope prune, or free disk space)",
				"room", mebibytes(room), "floor", mebibytes(s.floor), "db", s.path)
		}
		return &LowSpaceError{Room: room, Floor: s.floor}
	}
	if s.low.Swap(false) {
		s.log.Info("above the free-space floor again: writes are taken", "room", mebibytes(room), "floor", mebibytes(s.floor))
	}
	return nil
}

func fileBytes(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// Health says whether the database takes writes: nil, or the
// *LowSpaceError a write would get now (measured at the call).
func (d *DB) Health(ctx context.Context) error {
	return d.space.check(ctx)
}

// freePages is the database's free pages and its whole size, in bytes,
// read on h.
func freePages(ctx context.Context, h Handle) (free, size int64, err error) {
	var pages, count, page int64
	for _, q := range []struct {
		pragma string
		to     *int64
	}{{"freelist_count", &pages}, {"page_count", &count}, {"page_size", &page}} {
		if err := h.QueryRowContext(ctx, "PRAGMA "+q.pragma).Scan(q.to); err != nil {
			return 0, 0, fmt.Errorf("reading the database's %s: %w", q.pragma, err)
		}
	}
	return pages * page, count * page, nil
}
