// Package export writes hookscope's history, requests or deliveries, as
// JSON lines or as a HAR 1.2 file, streamed in id order: the rows are read
// a batch at a time and each is written as soon as it is read, so memory
// stays constant however many rows match. `hookscope export` and the
// console's export both use it.
package export

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"

	"github.com/hookscope/hookscope/db"
)

// Formats are the export formats.
const (
	JSONL     = "jsonl"
	HARFormat = "har"
)

// What an export holds.
const (
	Requests   = "requests"
	Deliveries = "deliveries"
)

// Spec says what to export and how.
type Spec struct {
	// Format is JSONL or HARFormat.
	Format string
	// What is Requests or Deliveries.
	What string
	// Requests filters the requests (its paging fields are ignored).
	Requests db.RequestFilter
	// Deliveries filters the deliveries (its paging fields are ignored).
	Deliveries db.DeliveryFilter
	// Span bounds the requests' received_at or the deliveries' created_at.
	Span db.Span
	// ReceiverAddr is the host:port a HAR entry's request URL names for a
	// received request ("127.0.0.1:8088", the receiver's default, when empty).
	ReceiverAddr string
	// Version is hookscope's version, the HAR file's creator version.
	Version string
}

// Check reports a spec that names no known format or kind.
func (s Spec) Check() error {
	if s.Format != JSONL && s.Format != HARFormat {
		return fmt.Errorf("format %q: give jsonl or har", s.Format)
	}
	if s.What != Requests && s.What != Deliveries {
		return fmt.Errorf("what %q: give requests or deliveries", s.What)
	}
	return nil
}

// Summary counts what an export wrote.
type Summary struct {
	// Rows is how many requests or deliveries were written.
	Rows int64
	// Entries is how many HAR entries were written (a delivery has one per
	// attempt); for JSON lines, how many lines.
	Entries int64
}

// Write streams what s selects from h to w, read in id order, and
// flushes. Nothing is held but the batch being read and the record being
// written.
func Write(ctx context.Context, h db.Handle, w io.Writer, s Spec) (Summary, error) {
	if err := s.Check(); err != nil {
		return Summary{}, err
	}
	if pool, ok := h.(*sql.DB); ok {
		conn, err := unmappedConn(ctx, pool)
		if err != nil {
			return Summary{}, err
		}
		defer conn.release()
		h = conn.Conn
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var (
		sum Summary
		err error
	)
	switch s.Format {
	case JSONL:
		sum, err = writeJSONL(ctx, h, bw, s)
	case HARFormat:
		sum, err = writeHAR(ctx, h, bw, s)
	}
	if err != nil {
		return sum, err
	}
	if err := bw.Flush(); err != nil {
		return sum, fmt.Errorf("writing the export: %w", err)
	}
	return sum, nil
}

// mappedConn is a read connection with its memory map turned off for an
// export, restored when released.
type mappedConn struct {
	*sql.Conn
	size int64
}

// unmappedConn takes a connection from pool and turns its memory map off.
// A read connection maps the first 64 MiB of the file (db/driver.go), and
// every mapped page a query touches counts as the process's resident
// memory: an export reads the whole file once, so it reads through the
// OS page cache instead, which is not the process's.
func unmappedConn(ctx context.Context, pool *sql.DB) (*mappedConn, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("exporting: %w", err)
	}
	c := &mappedConn{Conn: conn}
	if err := conn.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&c.size); err != nil {
		conn.Close()
		return nil, fmt.Errorf("exporting: reading mmap_size: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA mmap_size = 0"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("exporting: %w", err)
	}
	return c, nil
}

// release restores the connection's memory map and returns it to its pool.
func (c *mappedConn) release() {
	if _, err := c.ExecContext(context.Background(), fmt.Sprintf("PRAGMA mmap_size = %d", c.size)); err != nil {
		// A connection left unmapped would only be slower; drop it.
		_ = c.Raw(func(any) error { return driver.ErrBadConn })
	}
	c.Close()
}
