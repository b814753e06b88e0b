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
	// restartWait bounds how long a RESTART checkpoint waits (SQLite's
	// busy handler) for readers of an older snapshot, or another
	// process's writer, while this process's writes are held; past it
	// the writes go on.
	restartWait = time.Second
	// restartBackoff is how long after a RESTART that could not finish
	// the next one waits, so a reader that holds the log back does not
	// have the writes held again and again.
	restartBackoff = time.Second
	// walFrameHeader is the bytes a WAL frame adds to its page.
	walFrameHeader = 24
)

// checkpointer moves WAL checkpoints off the commit path: the write
// connection has automatic checkpoints off, and this goroutine runs them on
// a connection of its own. A PASSIVE checkpoint takes no writer lock, so
// commits go on while it copies pages and fsyncs the file. Another process
// on the same file runs its own; they take turns on SQLite's checkpoint
// lock, and a turn missed is made up on the next tick.
//
// PASSIVE alone cannot bound the WAL under sustained writes: SQLite starts
// the log again from its beginning only when a writer finds every frame
// copied back and no reader using them, and a writer that never stops
// always has frames the last checkpoint did not see. So once the WAL file
// is past its journal_size_limit (the committer checks after each commit,
// and a PASSIVE checkpoint that counts more frames than that says so too),
// the checkpointer holds this process's writes between two transactions
// (committer.pause) and runs a RESTART checkpoint, which copies every frame
// back and waits until no reader uses the WAL; the first write after it
// starts the log again, and its commit cuts the file back to the limit.
type checkpointer struct {
	conn *sql.DB
	// limit is the WAL's journal_size_limit, in bytes.
	limit int64
	// frameBytes is one WAL frame (page size plus header), read once.
	frameBytes int64
	// writes holds this process's writes during a RESTART checkpoint;
	// over says a commit left the WAL past limit.
	writes interface{ pause() (func(), bool) }
	over   <-chan struct{}
	// nextRestart is the earliest a RESTART may run again after one that
	// could not finish.
	nextRestart time.Time
	// mu serialises the checkpoints this process makes (the loop's, and
	// one asked for directly), and guards frameBytes and nextRestart.
	mu   sync.Mutex
	log  *slog.Logger
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func newCheckpointer(conn *sql.DB, limit int64, writes *committer, log *slog.Logger) *checkpointer {
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	c := &checkpointer{conn: conn, limit: limit, writes: writes, over: writes.overWAL,
		log: log.With("component", "db.checkpoint"), stop: make(chan struct{}), done: make(chan struct{})}
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
		case <-c.over:
			c.mu.Lock()
			c.restart()
			c.mu.Unlock()
		case <-t.C:
			c.run()
		}
	}
}

// run makes one PASSIVE checkpoint, and restarts the WAL when it holds
// more than the limit (another process's writes grew it, say).
func (c *checkpointer) run() {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, log, _, err := c.checkpoint("PASSIVE")
	if err != nil {
		c.log.Debug("checkpoint failed; retrying on the next tick", "err", err)
		return
	}
	if c.frameBytes == 0 {
		var page int64
		if err := c.conn.QueryRow("PRAGMA page_size").Scan(&page); err != nil {
			return
		}
		c.frameBytes = page + walFrameHeader
	}
	if int64(log)*c.frameBytes > c.limit {
		c.restart()
	}
}

// restart holds the writes, runs a RESTART checkpoint and lets the writes
// go on: the first of them starts the log from its beginning. c.mu is held.
func (c *checkpointer) restart() {
	if time.Now().Before(c.nextRestart) {
		return
	}
	resume, ok := c.writes.pause()
	if !ok {
		return
	}
	busy, log, _, err := c.checkpoint("RESTART")
	resume()
	switch {
	case err != nil:
		c.nextRestart = time.Now().Add(restartBackoff)
		c.log.Warn("the WAL is past its bound and could not be restarted", "frames", log, "err", err)
	case busy != 0:
		c.nextRestart = time.Now().Add(restartBackoff)
		c.log.Debug("the WAL is past its bound and a reader still uses it; trying again", "frames", log, "in", restartBackoff)
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
