package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// linkSlack is how much later than the attempt's end its request may be
// stamped as arrived (the receiver stamps after reading the headers).
const linkSlack = time.Second

// linkSkew is how much earlier than an attempt's start its request may be
// stamped: both are the same machine's clock, and the sender stamps the
// start before it connects, so only a clock step makes this more than 0.
const linkSkew = 10 * time.Millisecond

// linkLookback bounds how long before a request arrived the attempt that
// sent it may have started (the longest timeout a vendor gives is 30 s).
const linkLookback = 2 * time.Minute

// RequestOfAttempt finds the request a hookscope receiver on this
// database recorded for attempt n of a delivery: the same body to the same
// path, arriving while the attempt ran, and whose sender (AttemptOfRequest)
// is that attempt, not a later one with the same body. ErrNotFound when
// there is none (the attempt went elsewhere, or its request was pruned).
func (s DeliveryStore) RequestOfAttempt(ctx context.Context, h Handle, deliveryID int64, n int) (int64, error) {
	var (
		started  int64
		duration float64
		target   string
	)
	err := h.QueryRowContext(ctx, `SELECT started_at, duration_ms, req_url FROM attempts WHERE delivery_id = ? AND n = ?`,
		deliveryID, n).Scan(&started, &duration, &target)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("attempt %d of delivery %d: %w", n, deliveryID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("loading attempt %d of delivery %d: %w", n, deliveryID, err)
	}
	u, err := url.Parse(target)
	if err != nil {
		return 0, fmt.Errorf("attempt %d of delivery %d went to no hookscope receiver: %w", n, deliveryID, ErrNotFound)
	}
	from := started - int64(linkSkew)
	to := started + int64(time.Duration(duration*float64(time.Millisecond))) + int64(linkSlack)
	rows, err := h.QueryContext(ctx, `SELECT r.id FROM requests r, attempts a
		WHERE a.delivery_id = ? AND a.n = ?
		  AND r.received_at BETWEEN ? AND ? AND r.path = ? AND `+wholeBody("r", "body")+` = `+attemptReqBody+`
		ORDER BY r.received_at LIMIT 16`,
		deliveryID, n, from, to, u.Path)
	if err != nil {
		return 0, fmt.Errorf("finding the request of attempt %d of delivery %d: %w", n, deliveryID, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reading the requests of attempt %d of delivery %d: %w", n, deliveryID, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reading the requests of attempt %d of delivery %d: %w", n, deliveryID, err)
	}
	for _, id := range ids {
		if d, k, err := s.AttemptOfRequest(ctx, h, id); err == nil && d == deliveryID && k == n {
			return id, nil
		}
	}
	return 0, fmt.Errorf("no request recorded for attempt %d of delivery %d: %w", n, deliveryID, ErrNotFound)
}

// AttemptOfRequest finds the attempt that sent a received request: the
// latest started before it arrived, with its body, to its path.
// ErrNotFound when none did (the request came from outside).
func (DeliveryStore) AttemptOfRequest(ctx context.Context, h Handle, requestID int64) (deliveryID int64, n int, err error) {
	var (
		received int64
		path     string
	)
	err = h.QueryRowContext(ctx, `SELECT received_at, path FROM requests WHERE id = ?`, requestID).Scan(&received, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("request %d: %w", requestID, ErrNotFound)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("loading request %d: %w", requestID, err)
	}
	rows, err := h.QueryContext(ctx, `SELECT a.delivery_id, a.n, a.req_url FROM attempts a, requests r
		WHERE r.id = ? AND a.started_at BETWEEN ? AND ? AND `+attemptReqBody+` = `+wholeBody("r", "body")+`
		ORDER BY a.started_at DESC`,
		requestID, received-int64(linkLookback), received+int64(linkSkew))
	if err != nil {
		return 0, 0, fmt.Errorf("finding the attempt that sent request %d: %w", requestID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var target string
		if err := rows.Scan(&deliveryID, &n, &target); err != nil {
			return 0, 0, fmt.Errorf("reading the attempts that may have sent request %d: %w", requestID, err)
		}
		if u, err := url.Parse(target); err == nil && u.Path == path {
			return deliveryID, n, nil
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("reading the attempts that may have sent request %d: %w", requestID, err)
	}
	return 0, 0, fmt.Errorf("no attempt sent request %d: %w", requestID, ErrNotFound)
}
