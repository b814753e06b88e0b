package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// RequestStore keeps what the receiver got.
type RequestStore struct{}

// NewRequestStore returns the SQLite RequestStore (its zero value is as good).
func NewRequestStore() RequestStore { return RequestStore{} }

// requestListColumns are the columns of a list row: everything but the
// three bodies.
const requestListColumns = `id, received_at, route, method, path, query, headers,
	body_size, body_truncated, remote_addr, json_valid, vendor, event_types,
	sig_status, sig_reason, dedup_key, duplicate_of, stale, stale_reason,
	shape_issues, resp_status, resp_headers, resp_truncated, latency_ms,
	forward, error, repeat_of, repeat_note`

// requestColumns adds the whole bodies, for GetRequest and export, from
// a query over requests (not aliased).
var requestColumns = requestListColumns + `, ` + wholeBody("requests", "body") + `, ` +
	wholeBody("requests", "resp_body") + `, ` + wholeBody("requests", "forward_body")

// CreateRequest inserts r and sets r.ID.
func (RequestStore) CreateRequest(ctx context.Context, h Handle, r *Request) error {
	headers, err := encodeHeaders(r.Headers)
	if err != nil {
		return fmt.Errorf("saving a request: %w", err)
	}
	respHeaders, err := encodeHeaders(r.Response.Headers)
	if err != nil {
		return fmt.Errorf("saving a request: %w", err)
	}
	events, err := encodeStrings(r.EventTypes)
	if err != nil {
		return fmt.Errorf("saving a request: %w", err)
	}
	shape, err := encodeStrings(r.ShapeIssues)
	if err != nil {
		return fmt.Errorf("saving a request: %w", err)
	}
	forward, forwardBody := "", []byte{}
	if r.Forward != nil {
		forward, err = encodeForward(r.Forward)
		if err != nil {
			return fmt.Errorf("saving a request: %w", err)
		}
		forwardBody = blob(r.Forward.Body)
	}
	bodies := splitBodies(r.Body, r.Response.Body, forwardBody)
	dup := r.DuplicateOf
	if dup <= 0 && r.Duplicate {
		dup = -1 // a duplicate whose original is unknown
	}
	res, err := h.ExecContext(ctx, `INSERT INTO requests (
		received_at, route, method, path, query, headers, body, body_size,
		body_truncated, remote_addr, json_valid, vendor, event_types,
		sig_status, sig_reason, dedup_key, duplicate_of, stale, stale_reason,
		shape_issues, resp_status, resp_headers, resp_body, resp_truncated,
		latency_ms, forward, forward_body, error, repeat_of, repeat_note, outside
	) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		nanos(r.ReceivedAt), r.Route, r.Method, r.Path, r.Query, headers, bodies.row[0], r.BodySize,
		boolInt(r.BodyTruncated), r.RemoteAddr, boolInt(r.JSONValid), r.Vendor, events,
		r.Signature.Status, r.Signature.Reason, r.DedupKey, dup, boolInt(r.Stale), r.StaleReason,
		shape, r.Response.Status, respHeaders, bodies.row[1], boolInt(r.Response.Truncated),
		r.Response.LatencyMS, forward, bodies.row[2], r.Error, r.RepeatOf, r.RepeatNote, bodies.outside)
	if err != nil {
		return mapErr(err, "saving a request to %s", r.Path)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("saving a request: %w", err)
	}
	if err := bodies.saveOutside(ctx, h, id); err != nil {
		return err
	}
	r.ID = id
	return nil
}

// storedForward is the forward column: Forward with its headers in the
// byte-exact header encoding (the body lives in forward_body).
type storedForward struct {
	URL       string  `json:"url"`
	Status    int     `json:"status,omitempty"`
	Headers   string  `json:"headers,omitempty"`
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

func encodeForward(f *Forward) (string, error) {
	hs, err := encodeHeaders(f.Headers)
	if err != nil {
		return "", err
	}
	return encodeJSON(storedForward{URL: f.URL, Status: f.Status, Headers: hs, LatencyMS: f.LatencyMS, Error: f.Error})
}

func decodeForward(s string) (*Forward, error) {
	sf, err := decodeOptional[storedForward](s)
	if err != nil || sf == nil {
		return nil, err
	}
	hs, err := decodeHeaders(sf.Headers)
	if err != nil {
		return nil, err
	}
	return &Forward{URL: sf.URL, Status: sf.Status, Headers: hs, LatencyMS: sf.LatencyMS, Error: sf.Error}, nil
}

// scanRequest reads one row of requestListColumns, and of the bodies too
// when withBodies, then the columns after them into extra.
func scanRequest(s scanner, withBodies bool, extra ...any) (*Request, error) {
	var (
		r                                   Request
		received                            int64
		headers, events, shape, respHeaders string
		forward                             string
		dup                                 int64
		bodyTrunc, jsonValid, stale, rTrunc int
		body, respBody, forwardBody         []byte
	)
	dest := []any{&r.ID, &received, &r.Route, &r.Method, &r.Path, &r.Query, &headers,
		&r.BodySize, &bodyTrunc, &r.RemoteAddr, &jsonValid, &r.Vendor, &events,
		&r.Signature.Status, &r.Signature.Reason, &r.DedupKey, &dup, &stale, &r.StaleReason,
		&shape, &r.Response.Status, &respHeaders, &rTrunc, &r.Response.LatencyMS,
		&forward, &r.Error, &r.RepeatOf, &r.RepeatNote}
	if withBodies {
		dest = append(dest, &body, &respBody, &forwardBody)
	}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	r.ReceivedAt = fromNanos(received)
	r.BodyTruncated, r.JSONValid, r.Stale, r.Response.Truncated = bodyTrunc != 0, jsonValid != 0, stale != 0, rTrunc != 0
	r.Duplicate = dup != 0
	r.DuplicateOf = max(dup, 0)
	var err error
	if r.Headers, err = decodeHeaders(headers); err != nil {
		return nil, fmt.Errorf("request %d: %w", r.ID, err)
	}
	if r.Response.Headers, err = decodeHeaders(respHeaders); err != nil {
		return nil, fmt.Errorf("request %d response: %w", r.ID, err)
	}
	if r.EventTypes, err = decodeStrings(events); err != nil {
		return nil, fmt.Errorf("request %d event types: %w", r.ID, err)
	}
	if r.ShapeIssues, err = decodeStrings(shape); err != nil {
		return nil, fmt.Errorf("request %d shape issues: %w", r.ID, err)
	}
	if r.Forward, err = decodeForward(forward); err != nil {
		return nil, fmt.Errorf("request %d forward: %w", r.ID, err)
	}
	if withBodies {
		r.Body = nonNil(body)
		r.Response.Body = nonNil(respBody)
		if r.Forward != nil {
			r.Forward.Body = nonNil(forwardBody)
		}
	}
	return &r, nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// GetRequest loads one request with its bodies; ErrNotFound if absent.
func (RequestStore) GetRequest(ctx context.Context, h Handle, id int64) (*Request, error) {
	row := h.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM requests WHERE id = ?`, id)
	r, err := scanRequest(row, true)
	if err != nil {
		return nil, mapErr(err, "loading request %d", id)
	}
	return r, nil
}

// RequestPreview is a request whose bodies are cut to a limit, for a view
// that shows only that much, with the length of each whole body as stored.
type RequestPreview struct {
	*Request
	BodyLen, RespBodyLen, ForwardBodyLen int64
}

// GetRequestPreview loads request id with each body cut to its first limit
// bytes (SQLite's substr counts bytes in a BLOB), and the length of each
// whole body. A body longer than BodyPreviewBytes is read from the row's
// own preview when limit is within it, so a request with a 10 MB body
// costs what one with a 256 KB body costs; a larger limit reads the whole
// body's first limit bytes from request_bodies. length() reads no body.
// ErrNotFound if absent.
func (RequestStore) GetRequestPreview(ctx context.Context, h Handle, id int64, limit int) (*RequestPreview, error) {
	row := h.QueryRowContext(ctx, `SELECT `+requestListColumns+`,
		substr(body, 1, ?1), substr(resp_body, 1, ?1), substr(forward_body, 1, ?1),
		outside, length(body), length(resp_body), length(forward_body)
		FROM requests WHERE id = ?2`, limit, id)
	var (
		outside int
		lens    [3]int64
	)
	r, err := scanRequest(row, true, &outside, &lens[0], &lens[1], &lens[2])
	if err != nil {
		return nil, mapErr(err, "loading request %d", id)
	}
	if outside != 0 {
		var whole [3]sql.NullInt64
		var parts [3][]byte
		if err := h.QueryRowContext(ctx, `SELECT length(body), length(resp_body), length(forward_body),
			CASE WHEN ?1 > ?2 THEN substr(body, 1, ?1) END,
			CASE WHEN ?1 > ?2 THEN substr(resp_body, 1, ?1) END,
			CASE WHEN ?1 > ?2 THEN substr(forward_body, 1, ?1) END
			FROM request_bodies WHERE request_id = ?3`, limit, BodyPreviewBytes, id).
			Scan(&whole[0], &whole[1], &whole[2], &parts[0], &parts[1], &parts[2]); err != nil {
			return nil, mapErr(err, "loading request %d's bodies", id)
		}
		dst := [3]*[]byte{&r.Body, &r.Response.Body, nil}
		if r.Forward != nil {
			dst[2] = &r.Forward.Body
		}
		for i := range 3 {
			if outside&(1<<i) == 0 || !whole[i].Valid {
				continue
			}
			lens[i] = whole[i].Int64
			if parts[i] != nil && dst[i] != nil {
				*dst[i] = parts[i]
			}
		}
	}
	return &RequestPreview{Request: r, BodyLen: lens[0], RespBodyLen: lens[1], ForwardBodyLen: lens[2]}, nil
}

// requestWhere turns f into conditions. Every condition is sargable so
// SQLite can walk an index: equality on the indexed columns, a status class
// as a range on resp_status (never resp_status/100), and the keyset bound
// on the rowid. Text is a substring match (see addTextMatch) over path,
// query, headers and body, evaluated only on rows the keyset walk reaches.
func requestWhere(f RequestFilter, withBefore bool) (*where, error) {
	w := &where{}
	if f.Vendor != "" {
		w.add("vendor = ?", f.Vendor)
	}
	if f.Route != "" {
		w.add("route = ?", f.Route)
	}
	if f.Status != "" {
		lo, hi, err := parseStatusFilter(f.Status)
		if err != nil {
			return nil, err
		}
		if lo == hi {
			w.add("resp_status = ?", lo)
		} else {
			w.add("resp_status BETWEEN ? AND ?", lo, hi)
		}
	}
	if f.Signature != "" {
		w.add("sig_status = ?", f.Signature)
	}
	if f.Text != "" {
		addTextMatch(w, f.Text, "path", "query", "headers", wholeBody("requests", "body"))
	}
	if withBefore && f.Before > 0 {
		w.add("id < ?", f.Before)
	}
	if withBefore && f.After > 0 {
		w.add("id > ?", f.After)
	}
	return w, nil
}

// parseStatusFilter reads "500" as [500,500] and "5xx" as [500,599].
// ParseStatusFilter reads an HTTP status filter: a code ("404") or a class
// ("4xx"), as the range of codes it matches.
func ParseStatusFilter(s string) (lo, hi int, err error) { return parseStatusFilter(s) }

func parseStatusFilter(s string) (lo, hi int, err error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) == 3 && strings.HasSuffix(s, "xx") && s[0] >= '1' && s[0] <= '5' {
		lo = int(s[0]-'0') * 100
		return lo, lo + 99, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 999 {
		return 0, 0, fmt.Errorf("status filter %q: want a code like 404 or a class like 4xx", s)
	}
	return n, n, nil
}

// ListRequests pages newest first by keyset (f.Before; see
// listRequestsQuery). Rows come without bodies (Body, Response.Body,
// Forward.Body are nil) so a page costs little whatever the payload sizes;
// GetRequest has them. A status class ("5xx") is answered by merging one index walk per status code present in the class: each walk
// of requests_status (resp_status = code, id < Before) is already in id
// order, so SQLite merges them (MERGE UNION ALL) and stops at the page
// limit instead of sorting every row of the class. A text filter the text
// index can serve goes through listByText instead.
//
// A page from the oldest end (f.After, f.Oldest) is the same walk upward
// (listByTextUp for an indexed text), reversed.
func (RequestStore) ListRequests(ctx context.Context, h Handle, f RequestFilter) ([]Request, error) {
	if err := checkSearchText(f.Text); err != nil {
		return nil, fmt.Errorf("listing requests: %w", err)
	}
	out, err := listPage(ctx, h, f)
	if f.fromOldest() {
		slices.Reverse(out)
	}
	return out, err
}

// listPage is ListRequests' page in the order of its walk: newest first,
// or oldest first from the oldest end.
func listPage(ctx context.Context, h Handle, f RequestFilter) ([]Request, error) {
	if indexable(f.Text) {
		st, err := readTextIndexState(ctx, h)
		if err != nil {
			return nil, fmt.Errorf("listing requests: %w", err)
		}
		switch {
		case st.upto > 0 && f.fromOldest():
			return listByTextUp(ctx, h, f, st)
		case st.upto > 0:
			return listByText(ctx, h, f, st)
		}
	}
	return listRequests(ctx, h, f, 0, make([]Request, 0, pageLimit(f.Limit)))
}

// listRequests appends to out the page f asks for, among ids >= minID.
func listRequests(ctx context.Context, h Handle, f RequestFilter, minID int64, out []Request) ([]Request, error) {
	q, args, err := listRequestsQuery(ctx, h, f, minID)
	if err != nil || q == "" {
		return out, err
	}
	return queryRequests(ctx, h, out, q, args...)
}

// queryRequests appends the list rows q returns to out.
func queryRequests(ctx context.Context, h Handle, out []Request, q string, args ...any) ([]Request, error) {
	rows, err := h.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err, "listing requests")
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRequest(rows, false)
		if err != nil {
			return nil, mapErr(err, "listing requests")
		}
		out = append(out, *r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "listing requests")
	}
	return out, nil
}

// listRequestsQuery builds ListRequests' query over ids >= minID, or ""
// when no row can match (a status class with no code present).
func listRequestsQuery(ctx context.Context, h Handle, f RequestFilter, minID int64) (string, []any, error) {
	arms := []RequestFilter{f}
	if f.Status != "" {
		lo, hi, err := parseStatusFilter(f.Status)
		if err != nil {
			return "", nil, fmt.Errorf("listing requests: %w", err)
		}
		if lo != hi {
			codes, err := statusCodes(ctx, h, lo, hi)
			if err != nil {
				return "", nil, err
			}
			arms = arms[:0]
			for _, c := range codes {
				g := f
				g.Status = strconv.Itoa(c)
				arms = append(arms, g)
			}
		}
	}
	if len(arms) == 0 {
		return "", nil, nil
	}
	var (
		parts []string
		args  []any
	)
	for _, g := range arms {
		w, err := requestWhere(g, true)
		if err != nil {
			return "", nil, fmt.Errorf("listing requests: %w", err)
		}
		if minID > 0 {
			w.add("id >= ?", minID)
		}
		parts = append(parts, `SELECT `+requestListColumns+` FROM requests`+w.sql())
		args = append(args, w.args...)
	}
	order := ` ORDER BY id DESC LIMIT ?`
	if f.fromOldest() {
		order = ` ORDER BY id LIMIT ?`
	}
	q := strings.Join(parts, " UNION ALL ") + order
	return q, append(args, pageLimit(f.Limit)), nil
}

// statusCodes lists the response codes present in [lo, hi] by skipping
// through the requests_status index (one seek per distinct code, however
// many rows each has).
func statusCodes(ctx context.Context, h Handle, lo, hi int) ([]int, error) {
	rows, err := h.QueryContext(ctx, `WITH RECURSIVE s(code) AS (
			SELECT (SELECT min(resp_status) FROM requests WHERE resp_status BETWEEN ?1 AND ?2)
			UNION ALL
			SELECT (SELECT min(resp_status) FROM requests WHERE resp_status > s.code AND resp_status <= ?2)
			FROM s WHERE s.code IS NOT NULL
		) SELECT code FROM s WHERE code IS NOT NULL`, lo, hi)
	if err != nil {
		return nil, mapErr(err, "listing the status codes in %d-%d", lo, hi)
	}
	defer rows.Close()
	var codes []int
	for rows.Next() {
		var c int
		if err := rows.Scan(&c); err != nil {
			return nil, mapErr(err, "listing the status codes in %d-%d", lo, hi)
		}
		codes = append(codes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "listing the status codes in %d-%d", lo, hi)
	}
	return codes, nil
}

// DedupOrigin is an earlier request carrying a dedup key: the candidate
// original of a repeat (RequestStore.FirstWithDedupKey).
type DedupOrigin struct {
	ID int64
	// SigStatus is its signature verdict: a repeat of a request whose
	// signature failed is not an at-least-once duplicate of it.
	SigStatus string
}

// FirstWithDedupKey returns the earliest request of vendor carrying
// key, with its signature status; with validOnly, the earliest whose
// signature status is "valid". Its ID is 0 when there is none.
func (RequestStore) FirstWithDedupKey(ctx context.Context, h Handle, vendor, key string, validOnly bool) (DedupOrigin, error) {
	if key == "" {
		return DedupOrigin{}, nil
	}
	// The literal dedup_key <> '' lets SQLite use the partial index, whose
	// entries for one key are in id order: the first is one seek away.
	// INDEXED BY keeps it so with validOnly, where the index on
	// (sig_status, id) would otherwise look attractive and walk every valid
	// request in the table until one carries the key; on the dedup index
	// the walk is over this key's requests alone.
	q := `SELECT id, sig_status FROM requests INDEXED BY requests_dedup
		WHERE vendor = ? AND dedup_key = ? AND dedup_key <> '' ORDER BY id LIMIT 1`
	if validOnly {
		q = `SELECT id, sig_status FROM requests INDEXED BY requests_dedup
		WHERE vendor = ? AND dedup_key = ? AND dedup_key <> '' AND sig_status = 'valid' ORDER BY id LIMIT 1`
	}
	var o DedupOrigin
	err := h.QueryRowContext(ctx, q, vendor, key).Scan(&o.ID, &o.SigStatus)
	if errors.Is(err, sql.ErrNoRows) {
		return DedupOrigin{}, nil
	}
	if err != nil {
		return DedupOrigin{}, mapErr(err, "looking up %s dedup key %q", vendor, key)
	}
	return o, nil
}

// placeScanAt is how many ids above After make an unfiltered count of
// them walk an index rather than the rowid range.
var placeScanAt int64 = 50_000

// CountRequests counts requests matching f (Before, Oldest and Limit
// ignored; with After, those above it: a row's place in the list).
func (RequestStore) CountRequests(ctx context.Context, h Handle, f RequestFilter) (int64, error) {
	w, err := requestWhere(f, false)
	if err != nil {
		return 0, fmt.Errorf("counting requests: %w", err)
	}
	from := ` FROM requests`
	if f.After > 0 {
		w.add("id > ?", f.After)
		if len(w.conds) == 1 {
			// Counting a long rowid range reads the table's pages (every
			// row's columns); past placeScanAt rows, a walk of the small
			// signature index (which holds every id) costs a tenth.
			var top sql.NullInt64
			if err := h.QueryRowContext(ctx, `SELECT max(id) FROM requests`).Scan(&top); err != nil {
				return 0, mapErr(err, "counting requests")
			}
			if top.Int64-f.After > placeScanAt {
				from = ` FROM requests INDEXED BY requests_sig`
			}
		}
	}
	var n int64
	if err := h.QueryRowContext(ctx, `SELECT count(*)`+from+w.sql(), w.args...).Scan(&n); err != nil {
		return 0, mapErr(err, "counting requests")
	}
	return n, nil
}

// SetRequestOutcome rewrites the latency and the error note of request
// id, for an outcome known only after its row was written (a simulated
// hang ends later); ErrNotFound if absent.
func (RequestStore) SetRequestOutcome(ctx context.Context, h Handle, id int64, latencyMS float64, errText string) error {
	res, err := h.ExecContext(ctx, `UPDATE requests SET latency_ms = ?, error = ? WHERE id = ?`, latencyMS, errText, id)
	if err != nil {
		return mapErr(err, "updating the outcome of request %d", id)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return nil
}
