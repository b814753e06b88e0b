package db

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// defaultWatchEvery is Watch's polling interval when given none.
const defaultWatchEvery = 250 * time.Millisecond

// Watch signals on the returned channel whenever any connection to the
// file committed since the last signal: this process's writes and another
// process's (a `hookscope serve` sharing the file) alike. Signals coalesce:
// the channel holds at most one, and the watcher never blocks on a reader
// that is slow to take it. It polls PRAGMA data_version every `every`
// (250ms when 0) on one connection of its own, which never writes, so every
// commit anywhere changes the value it reads. The channel is closed when
// ctx ends or the database is closed.
func (d *DB) Watch(ctx context.Context, every time.Duration) <-chan struct{} {
	if every <= 0 {
		every = defaultWatchEvery
	}
	ch := make(chan struct{}, 1)
	d.closeMu.Lock()
	if d.closed {
		d.closeMu.Unlock()
		close(ch)
		return ch
	}
	d.watchers.Add(1)
	d.closeMu.Unlock()
	go func() {
		defer d.watchers.Done()
		defer close(ch)
		d.watch(ctx, every, ch)
	}()
	return ch
}

func (d *DB) watch(ctx context.Context, every time.Duration, ch chan<- struct{}) {
	conn, err := sql.Open("sqlite3", d.readDSN)
	if err != nil {
		slog.Warn("watching the database: opening a connection", "path", d.path, "err", err)
		return
	}
	defer conn.Close()
	// One connection: data_version is per connection.
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)

	var last int64
	known := false
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		var v int64
		if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			if ctx.Err() != nil {
				return
			}
			slog.Debug("watching the database: reading data_version", "path", d.path, "err", err)
		} else {
			if known && v != last {
				select {
				case ch <- struct{}{}:
				default: // a signal is already waiting: coalesce
				}
			}
			last, known = v, true
		}
		select {
		case <-ctx.Done():
			return
		case <-d.closing:
			return
		case <-tick.C:
		}
	}
}
