package db

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// The checkpointer's schedule and bounds.
const (
	// checkpointEvery is how often a PASSIVE checkpoint copies what the
	// WAL gained back into the database file.
	checkpointEvery = 250 * time.Millisecond
	// walFramesLimit bounds the WAL: when a PASSIVE checkpoint leaves more
	// frames than this (readers pinned old pages, or the writer outran it),
	// a TRUNCATE checkpoint waits for readers and empties the file. 16384
	// frames of 4 KiB pages is 64 MiB.
	walFramesLimit = 16384
)

// checkpointer moves WAL checkpoints off the commit path: the write
// connection has automatic checkpoints off, and this goroutine runs them on
// a connection of its own. A PASSIVE checkpoint takes no writer lock, so
// commits go on while it copies pages and fsyncs the file. Another process
// on the same file runs its own; they take turns on SQLite's checkpoint
// lock, and a turn missed is made up on the next tick.
type checkpointer struct {
	conn *sql.DB
	log  *slog.Logger
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func newCheckpointer(conn *sql.DB) *checkpointer {
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	c := &checkpointer{conn: conn, log: slog.Default().With("component", "db.checkpoint"), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

func (c *checkpointer) loop() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.run()
		}
	}
}

// run makes one PASSIVE checkpoint, and a TRUNCATE one when the WAL has
// grown past its bound.
func (c *checkpointer) run() {
	_, log, done, err := c.checkpoint("PASSIVE")
	if err != nil {
		c.log.Debug("checkpoint failed; retrying on the next tick", "err", err)
		return
	}
	if log-done > walFramesLimit {
		if _, _, _, err := c.checkpoint("TRUNCATE"); err != nil {
			c.log.Warn("the WAL is over its bound and could not be truncated", "frames", log, "err", err)
		}
	}
}

// checkpoint runs PRAGMA wal_checkpoint(mode): busy is 1 when it could not
// finish, log the frames in the WAL, done those copied to the database.
func (c *checkpointer) checkpoint(mode string) (busy, log, done int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &done)
	return busy, log, done, err
}

// close stops the loop, makes a last checkpoint (the writes are flushed
// by then) and closes the connection.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	if _, _, _, err := c.checkpoint("PASSIVE"); err != nil {
		c.log.Debug("final checkpoint failed", "err", err)
	}
	return c.conn.Close()
}
