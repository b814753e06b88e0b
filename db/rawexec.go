package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"slices"
	"sync"

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

// openTx maps each write transaction the committer has open to its
// rawConn, for execFast. Only the committer adds and removes entries.
var openTx sync.Map // *sql.Tx -> *rawConn

// execFast is h.ExecContext, run on the write connection directly when h is
// a committer's transaction (the same statement, arguments and result).
// args does not escape: a caller's argument list can live on its stack.
func execFast(ctx context.Context, h Handle, query string, args ...any) (sql.Result, error) {
	tx, ok := h.(*sql.Tx)
	if !ok {
		return execOther(ctx, h, query, args)
	}
	v, ok := openTx.Load(tx)
	if !ok {
		return execOther(ctx, h, query, args)
	}
	return v.(*rawConn).exec(ctx, query, args)
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

// close finalizes the statements and gives the connection back.
func (r *rawConn) close() {
	if r.conn == nil {
		return
	}
	r.conn.Raw(func(any) error { r.closeStmts(); return nil })
	r.conn.Close()
	r.conn, r.ci = nil, nil
}
