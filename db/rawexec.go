package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
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
	args  []driver.NamedValue // scratch, reused by each exec
}

// openTx maps each write transaction the committer has open to its
// rawConn, for execFast. Only the committer adds and removes entries.
var openTx sync.Map // *sql.Tx -> *rawConn

// execFast is h.ExecContext, run on the write connection directly when h is
// a committer's transaction (the same statement, arguments and result).
func execFast(ctx context.Context, h Handle, query string, args ...any) (sql.Result, error) {
	tx, ok := h.(*sql.Tx)
	if !ok {
		return h.ExecContext(ctx, query, args...)
	}
	v, ok := openTx.Load(tx)
	if !ok {
		return h.ExecContext(ctx, query, args...)
	}
	return v.(*rawConn).exec(ctx, query, args)
}

func (r *rawConn) exec(ctx context.Context, query string, args []any) (res sql.Result, err error) {
	other := false // not go-sqlite3's connection: go through database/sql
	err = r.conn.Raw(func(dc any) error {
		ci, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			other = true
			return nil
		}
		if ci != r.ci {
			// A new driver connection: statements of the old one are gone.
			r.closeStmts()
			r.ci = ci
		}
		st, ok := r.stmts[query]
		if !ok {
			s, err := ci.Prepare(query)
			if err != nil {
				return err
			}
			if r.stmts == nil {
				r.stmts = map[string]driver.Stmt{}
			}
			st, r.stmts[query] = s, s
		}
		nv := r.args[:0]
		for i, a := range args {
			v, err := driverValue(a)
			if err != nil {
				return err
			}
			nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: v})
		}
		r.args = nv
		dres, err := st.(driver.StmtExecContext).ExecContext(ctx, nv)
		clear(nv) // drop the references to the arguments
		if err != nil {
			return err
		}
		res = dres
		return nil
	})
	if other {
		return r.conn.ExecContext(ctx, query, args...)
	}
	return res, err
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
