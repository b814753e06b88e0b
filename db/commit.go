package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"

	"github.com/mattn/go-sqlite3"
)

// committer group-commits writes: one goroutine owns the write connection,
// takes every write queued while the previous transaction was committing,
// and runs them all in the next transaction, each under its own savepoint
// (a transaction of one write needs none).
type committer struct {
	conn     *sql.DB
	maxBatch int
	queue    chan *writeOp
	// pauses takes a checkpointer's request to hold every write while it
	// restarts the WAL (see pause).
	pauses chan *writePause
	// walPath is the WAL file; once a commit leaves it larger than
	// walLimit (its journal_size_limit), overWAL tells the checkpointer.
	walPath  string
	walLimit int64
	overWAL  chan struct{}
	// space refuses the writes the floor applies to while the room left
	// is below it (nil: no floor).
	space *space
	stop  chan struct{}
	done  chan struct{}
	// mu orders enqueues before close: once closed is set under the write
	// lock, no op can enter the queue the loop has finished draining.
	mu     sync.RWMutex
	closed bool
	// stats count writes and commits for DB.Stats.
	stats writeStats
	// held is the write connection the transactions run on, taken from
	// conn when needed; only the loop uses it.
	held *sql.Conn
}

type writeOp struct {
	ctx  context.Context
	fn   func(tx Handle) error
	done chan error
}

func newCommitter(conn *sql.DB, maxBatch int, walPath string, walLimit int64, room *space) *committer {
	if maxBatch <= 0 {
		maxBatch = 256
	}
	c := &committer{
		conn:     conn,
		maxBatch: maxBatch,
		queue:    make(chan *writeOp, maxBatch*4),
		pauses:   make(chan *writePause),
		walPath:  walPath,
		walLimit: walLimit,
		overWAL:  make(chan struct{}, 1),
		space:    room,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go c.loop()
	return c
}

func (c *committer) do(ctx context.Context, fn func(tx Handle) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return ErrClosed
	}
	select {
	case c.queue <- op:
		c.mu.RUnlock()
	case <-ctx.Done():
		c.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued, the op is always answered: the loop drains the queue
	// before it exits. Waiting for that answer (not ctx) keeps the promise
	// that a write returns only after its transaction's fate is known.
	return <-op.done
}

func (c *committer) loop() {
	defer close(c.done)
	defer c.release()
	batch := make([]*writeOp, 0, c.maxBatch)
	for {
		var first *writeOp
		select {
		case first = <-c.queue:
		case p := <-c.pauses:
			// Between transactions: hold every write until the
			// checkpoint that asked is over.
			close(p.held)
			<-p.resume
			continue
		case <-c.stop:
			// Drain what was queued before close.
			for {
				select {
				case op := <-c.queue:
					batch = append(batch[:0], op)
					c.run(batch)
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
		// Writers answered by the last commit are runnable but may not
		// have queued their next write yet: yield once so they can join
		// this transaction instead of waiting for the next one.
		runtime.Gosched()
	fill:
		for len(batch) < c.maxBatch {
			select {
			case op := <-c.queue:
				batch = append(batch, op)
			default:
				break fill
			}
		}
		c.run(batch)
	}
}

// run executes one batch in one transaction and answers every op in it.
func (c *committer) run(batch []*writeOp) {
	live := batch[:0:0]
	var low error
	measured := false
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.done <- err
			continue
		}
		if c.space != nil && floorApplies(op.ctx) {
			if !measured {
				low, measured = c.space.check(op.ctx), true
			}
			if low != nil {
				c.stats.failedAlone()
				op.done <- low
				continue
			}
		}
		live = append(live, op)
	}
	if len(live) == 0 {
		return
	}
	tx, err := c.begin()
	if err != nil {
		c.stats.failedTx.Add(1)
		err = fmt.Errorf("beginning a write: %w", err)
		for _, op := range live {
			op.done <- err
		}
		return
	}
	if len(live) == 1 {
		c.runAlone(tx, live[0])
		return
	}
	results := make([]error, len(live))
	for i, op := range live {
		results[i] = runSaved(tx, op)
	}
	if err := c.commit(); err != nil {
		c.stats.failedTx.Add(1)
		err = fmt.Errorf("committing a write: %w", err)
		for _, op := range live {
			op.done <- err
		}
		return
	}
	c.checkWAL()
	failed := 0
	for _, err := range results {
		if err != nil {
			failed++
		}
	}
	c.stats.batch(len(live), failed)
	for i, op := range live {
		op.done <- results[i]
	}
}

// begin starts a transaction (BEGIN IMMEDIATE) on the held write
// connection, taking the connection (again, when the one held went bad)
// from the pool first.
func (c *committer) begin() (*writeTx, error) {
	ctx := context.Background()
	for try := 0; ; try++ {
		if c.held == nil {
			conn, err := c.conn.Conn(ctx)
			if err != nil {
				return nil, err
			}
			// Once the WAL has been copied back and starts again, the
			// next commit cuts its file down to this size, so a burst
			// does not leave a WAL as large as its peak on disk.
			if _, err := conn.ExecContext(ctx, "PRAGMA journal_size_limit = "+strconv.FormatInt(c.walLimit, 10)); err != nil {
				conn.Close()
				return nil, err
			}
			c.held = conn
		}
		_, err := c.held.ExecContext(ctx, "BEGIN IMMEDIATE")
		if err == nil {
			return &writeTx{conn: c.held}, nil
		}
		// The connection may have gone bad: retry once on a fresh one.
		c.release()
		if try > 0 {
			return nil, err
		}
	}
}

// commit commits the open transaction. If it fails, the transaction is
// rolled back, so the connection is never left inside one; if even that
// fails, the connection is let go (the next write takes a fresh one).
func (c *committer) commit() error {
	_, err := c.held.ExecContext(context.Background(), "COMMIT")
	if err != nil {
		c.rollback()
	}
	return err
}

// rollback rolls the open transaction back, letting the connection go if
// it cannot.
func (c *committer) rollback() {
	if _, err := c.held.ExecContext(context.Background(), "ROLLBACK"); err != nil && !c.autocommit() {
		c.release()
	}
}

// runAlone runs a transaction holding a single op. It needs no savepoint:
// if the op fails, the whole transaction is rolled back instead, which
// undoes the same changes for two statements fewer.
func (c *committer) runAlone(tx *writeTx, op *writeOp) {
	err := runGuarded(tx, op)
	if err != nil {
		c.rollback()
		c.stats.failedAlone()
		op.done <- err
		return
	}
	if err := c.commit(); err != nil {
		c.stats.failedTx.Add(1)
		op.done <- fmt.Errorf("committing a write: %w", err)
		return
	}
	c.checkWAL()
	c.stats.batch(1, 0)
	op.done <- nil
}

// checkWAL tells the checkpointer when the WAL file has grown past
// walLimit: a file that size holds more frames than the limit since the
// log last started again (the restart cuts it back to walLimit), so the
// log has to be restarted (see checkpointer). It costs one stat a commit.
func (c *committer) checkWAL() {
	st, err := os.Stat(c.walPath)
	if err != nil || st.Size() <= c.walLimit {
		return
	}
	select {
	case c.overWAL <- struct{}{}:
	default: // told already
	}
}

// runGuarded runs op, turning a panic into its error.
func runGuarded(tx *writeTx, op *writeOp) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v", r)
		}
	}()
	return op.fn(tx)
}

// runSaved runs one op under a savepoint so its failure undoes only itself.
func runSaved(tx *writeTx, op *writeOp) (err error) {
	ctx := context.Background()
	if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
		return fmt.Errorf("opening a savepoint: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v", r)
		}
		if err != nil {
			tx.ExecContext(ctx, "ROLLBACK TO w")
		}
		tx.ExecContext(ctx, "RELEASE w")
	}()
	return op.fn(tx)
}

// writePause is a request to hold the writes: held is closed once the
// committer is between transactions and waiting, resume by the asker to
// let it go on.
type writePause struct {
	held, resume chan struct{}
}

// pause holds every write of this handle between two transactions and
// returns the function that lets them go on; ok is false when the
// committer has stopped (nothing to hold). Writes queued meanwhile wait
// in the queue, and their callers behind it.
func (c *committer) pause() (resume func(), ok bool) {
	p := &writePause{held: make(chan struct{}), resume: make(chan struct{})}
	select {
	case c.pauses <- p:
	case <-c.done:
		return nil, false
	}
	<-p.held
	return func() { close(p.resume) }, true
}

func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.stop)
	}
	c.mu.Unlock()
	<-c.done
}

// failedAlone records a write that ran alone in its transaction and
// failed: the transaction was rolled back, so nothing committed.
func (s *writeStats) failedAlone() {
	s.writes.Add(1)
	s.failedWrites.Add(1)
}

// release gives the held write connection back to the pool.
func (c *committer) release() {
	if c.held != nil {
		c.held.Close()
		c.held = nil
	}
}

// autocommit reports whether the held connection is outside any
// transaction (true too when it cannot tell: the connection is not
// go-sqlite3's).
func (c *committer) autocommit() bool {
	auto := true
	c.held.Raw(func(dc any) error {
		if ci, ok := dc.(*sqlite3.SQLiteConn); ok {
			auto = ci.AutoCommit()
		}
		return nil
	})
	return auto
}

// writeTx is the Handle a write runs with: the committer's held write
// connection between the BEGIN IMMEDIATE and the COMMIT it runs on it.
// Statements go to that connection as they would through a *sql.Tx, which
// would also start a goroutine per transaction, and one more per query in
// it, to watch a context that is never cancelled here.
type writeTx struct {
	conn *sql.Conn
}

var _ Handle = (*writeTx)(nil)

// ExecContext runs a statement in the transaction.
func (t *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.conn.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction.
func (t *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query for one row in the transaction.
func (t *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.conn.QueryRowContext(ctx, query, args...)
}

// PrepareContext prepares a statement on the transaction's connection,
// valid until the write returns (bulk seeding in benchmarks).
func (t *writeTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.conn.PrepareContext(ctx, query)
}
