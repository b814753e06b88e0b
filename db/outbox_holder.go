package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Holder is the process that runs the outbox of a database several
// processes share: it sends every delivery that no process runs alone
// (see NewDelivery.Runner), under a lease it renews while it runs.
// Another process takes the outbox over once that lease has run out, or
// at once when it can tell the holder is gone (a process of its own host
// that no longer runs).
type Holder struct {
	// Owner is the holder's Owner id (its sender's; internal, not served).
	Owner int64 `json:"-"`
	// PID, Host and Start name its process, as in Owner.
	PID   int    `json:"pid"`
	Host  string `json:"host"`
	Start string `json:"-"`
	// Kind is what the process is: "serve", "console".
	Kind string `json:"kind"`
	// Receiver is its receiver's address (host:port; empty for none): the
	// default endpoints point at it.
	Receiver string `json:"receiver,omitempty"`
	// TimeScale is the holder's own time scale.
	TimeScale float64 `json:"time_scale"`
	// Since is when it took the outbox; ExpiresAt when its lease runs out
	// unless renewed.
	Since     time.Time `json:"since"`
	ExpiresAt time.Time `json:"expires_at"`
}

// LoadHolder reads the outbox's holder (nil when no process holds it or
// ever did; an expired lease is returned as it stands).
func (OutboxStore) LoadHolder(ctx context.Context, h Handle) (*Holder, error) {
	var (
		o             Holder
		since, expire int64
	)
	err := h.QueryRowContext(ctx, `SELECT owner, pid, host, start, kind, receiver, time_scale, since, expires_at
		FROM outbox_holder WHERE id = 1`).Scan(&o.Owner, &o.PID, &o.Host, &o.Start, &o.Kind, &o.Receiver, &o.TimeScale, &since, &expire)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the outbox's holder: %w", err)
	}
	o.Since, o.ExpiresAt = fromNanos(since), fromNanos(expire)
	return &o, nil
}

// TakeHolder makes want the outbox's holder until want.ExpiresAt when no
// process holds it, its lease has run out by now, want already holds it
// (a renewal: Since is kept), or gone says the current holder no longer
// runs. It returns the holder after the call and whether it is want. Run
// it inside DB.Write.
func (o OutboxStore) TakeHolder(ctx context.Context, h Handle, want Holder, now time.Time, gone func(Holder) bool) (Holder, bool, error) {
	cur, err := o.LoadHolder(ctx, h)
	if err != nil {
		return Holder{}, false, err
	}
	if cur != nil && cur.Owner != want.Owner && !now.After(cur.ExpiresAt) && !gone(*cur) {
		return *cur, false, nil
	}
	if cur != nil && cur.Owner == want.Owner {
		want.Since = cur.Since
	}
	if _, err := h.ExecContext(ctx, `INSERT INTO outbox_holder (id, owner, pid, host, start, kind, receiver, time_scale, since, expires_at)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
			start = excluded.start, kind = excluded.kind, receiver = excluded.receiver,
			time_scale = excluded.time_scale, since = excluded.since, expires_at = excluded.expires_at`,
		want.Owner, want.PID, want.Host, want.Start, want.Kind, want.Receiver, want.TimeScale,
		nanos(want.Since), nanos(want.ExpiresAt)); err != nil {
		return Holder{}, false, fmt.Errorf("taking the outbox for process %d: %w", want.PID, err)
	}
	return want, true, nil
}

// ReleaseHolder gives the outbox up if owner holds it, so that another
// process takes it over at once, and hands the deliveries owner runs alone
// to whichever process holds the outbox. Run it inside DB.Write.
func (OutboxStore) ReleaseHolder(ctx context.Context, h Handle, owner int64) error {
	if _, err := h.ExecContext(ctx, `DELETE FROM outbox_holder WHERE id = 1 AND owner = ?`, owner); err != nil {
		return fmt.Errorf("giving the outbox up: %w", err)
	}
	if _, err := h.ExecContext(ctx, `UPDATE deliveries SET runner = NULL WHERE runner = ?`, owner); err != nil {
		return fmt.Errorf("handing this process's deliveries to the outbox: %w", err)
	}
	return nil
}
