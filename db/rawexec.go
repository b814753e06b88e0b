package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"slices"

	"github.com/mattn/go-sqlite3"
)

// rawConn is the committer's hold on the write connection's driver
// connection: the hottest write statements (an attempt's record, a
// delivery's completion, a load run's batch) run on it as statements
// prepared once and kept, without database/sql's per-call work (argument
// conversion into a fresh slice, the driver's statement cache taken and
// given back, the locks around each). They run inside the same SQLite
// transaction as the rest of the write: it is the same connection, and
// only the committer's goroutine uses it.
type rawConn struct {
	conn  *sql.Conn
	ci    *sqlite3.SQLiteConn // the driver connection the statements belong to
	stmts map[string]driver.Stmt
	// One exec's statement, arguments (scratch, reused) and outcome, for
	// runRaw (kept as r.run, so Raw is handed no new closure).
	query string
	args  []driver.NamedValue
	ctx   context.Context
	res   driver.Result
	other bool
	run   func(any) error
}

// writeTx is the Handle a write runs with: the committer's held write
// connection between the BEGIN IMMEDIATE and the COMMIT it runs on it.
// Statements go to that connection as they would through a *sql.Tx, which
// would also start a goroutine per transaction, and one more per query in
// it, to watch a context that is never cancelled here.
type writeTx struct {
	raw *rawConn
}

var _ Handle = (*writeTx)(nil)

// ExecContext runs a statement in the transaction.
func (t *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.raw.conn.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction.
func (t *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.raw.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query for one row in the transaction.
func (t *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.raw.conn.QueryRowContext(ctx, query, args...)
}

// PrepareContext prepares a statement on the transaction's connection,
// valid until the write returns (bulk seeding in benchmarks).
func (t *writeTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.raw.conn.PrepareContext(ctx, query)
}

// execFast is h.ExecContext, run on the write connection directly when h is
// a committer's transaction (the same statement, arguments and result).
// args does not escape: a caller's argument list can live on its stack.
func execFast(ctx context.Context, h Handle, query string, args ...any) (sql.Result, error) {
	tx, ok := h.(*writeTx)
	if !ok {
		return execOther(ctx, h, query, args)
	}
	return tx.raw.exec(ctx, query, args)
}

// execOther is h.ExecContext with a copy of args (an interface call would
// make the caller's list escape to the heap on every path).
func execOther(ctx context.Context, h Handle, query string, args []any) (sql.Result, error) {
	return h.ExecContext(ctx, query, slices.Clone(args)...)
}

// exec runs query with args on the held connection. The arguments are
// converted into r.args before the connection is taken, so the callback
// reads only r's fields.
func (r *rawConn) exec(ctx context.Context, query string, args []any) (sql.Result, error) {
	nv := r.args[:0]
	for i, a := range args {
		v, err := driverValue(a)
		if err != nil {
			return nil, err
		}
		nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	r.args, r.query, r.ctx = nv, query, ctx
	if r.run == nil {
		r.run = r.runRaw
	}
	err := r.conn.Raw(r.run)
	res, other := r.res, r.other
	clear(r.args) // drop the references to the arguments
	r.res, r.ctx, r.other = nil, nil, false
	if other {
		return r.conn.ExecContext(ctx, query, slices.Clone(args)...)
	}
	return res, err
}

// runRaw is exec's work on the driver connection: r.query with r.args on
// the statement kept for it (prepared on first use), result in r.res;
// r.other is set when the connection is not go-sqlite3's.
func (r *rawConn) runRaw(dc any) error {
	ci, ok := dc.(*sqlite3.SQLiteConn)
	if !ok {
		r.other = true
		return nil
	}
	if ci != r.ci {
		// A new driver connection: statements of the old one are gone.
		r.closeStmts()
		r.ci = ci
	}
	st, ok := r.stmts[r.query]
	if !ok {
		s, err := ci.Prepare(r.query)
		if err != nil {
			return err
		}
		if r.stmts == nil {
			r.stmts = map[string]driver.Stmt{}
		}
		st, r.stmts[r.query] = s, s
	}
	dres, err := st.(driver.StmtExecContext).ExecContext(r.ctx, r.args)
	if err != nil {
		return err
	}
	r.res = dres
	return nil
}

// driverValue converts an argument as database/sql does (its default
// converter), with the types the stores pass taken directly.
func driverValue(a any) (driver.Value, error) {
	switch v := a.(type) {
	case nil, int64, float64, string, []byte, bool:
		return v, nil
	case int:
		return int64(v), nil
	default:
		return driver.DefaultParameterConverter.ConvertValue(a)
	}
}

// closeStmts finalizes every kept statement.
func (r *rawConn) closeStmts() {
	for _, st := range r.stmts {
		st.Close()
	}
	clear(r.stmts)
}

// autocommit reports whether the connection is outside any transaction
// (true too when it cannot tell: the connection is not go-sqlite3's).
func (r *rawConn) autocommit() bool {
	auto := true
	r.conn.Raw(func(dc any) error {
		if ci, ok := dc.(*sqlite3.SQLiteConn); ok {
			auto = ci.AutoCommit()
		}
		return nil
	})
	return auto
}

// close finalizes the statements and gives the connection back.
func (r *rawConn) close() {
	if r.conn == nil {
		return
	}
	r.conn.Raw(func(any) error { r.closeStmts(); return nil })
	r.conn.Close()
	r.conn, r.ci = nil, nil
}
