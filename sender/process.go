package sender

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/db"
)

// processID is a process as the outbox's claims record it (db.Owner).
type processID struct {
	PID int
	// Host names the host the pid belongs to: only processes of the same
	// host are judged (see running).
	Host string
	// Start is the process's start time where the OS tells it, so that a
	// reused pid is not taken for the process.
	Start string
}

// newOwnerID is a random positive id for this sender's claims.
func newOwnerID() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("reading random bytes: %v", err)) // crypto/rand does not fail
	}
	return int64(binary.BigEndian.Uint64(b[:])>>1) | 1
}

// register records this sender as the holder its claims name, once (its
// row stays while the process runs: only a process that finds it gone
// removes it).
func (s *Sender) register(ctx context.Context) error {
	if s.registered.Load() {
		return nil
	}
	o := db.Owner{ID: s.owner, PID: s.proc.PID, Host: s.proc.Host, Start: s.proc.Start, CreatedAt: time.Now()}
	if err := s.db.Write(ctx, func(tx db.Handle) error { return s.outbox.RegisterOwner(ctx, tx, o) }); err != nil {
		return err
	}
	s.registered.Store(true)
	return nil
}

// reapGone frees the claims of every process of this host that holds
// claims and no longer runs (killed, crashed), so its deliveries go out at
// their due time rather than when its lease runs out; the private
// deliveries of its load runs are cancelled instead (they are only ever
// that run's to send). A process that still runs, this one included, or
// one of another host, keeps its claims until their lease ends. Runs
// inside a write.
func (s *Sender) reapGone(ctx context.Context, tx db.Handle, now time.Time) error {
	owners, err := s.outbox.Owners(ctx, tx)
	if err != nil {
		return err
	}
	for _, o := range owners {
		p := processID{PID: o.PID, Host: o.Host, Start: o.Start}
		if o.ID == s.owner || p.Host != s.proc.Host || p == s.proc || running(p) {
			continue
		}
		reason := fmt.Sprintf("cancelled: the load run's process (pid %d) ended before this request was sent and recorded; it may or may not have reached the target", o.PID)
		freed, cancelled, err := s.outbox.ReapOwner(ctx, tx, o.ID, reason, now)
		if err != nil {
			return err
		}
		if freed+cancelled > 0 {
			s.log.Info("took over the deliveries of a process that is gone", "pid", o.PID, "resumed", freed, "cancelled", cancelled)
		}
	}
	return nil
}
