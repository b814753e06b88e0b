package sender

import (
	"context"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/db"
)

// HolderLease is how long the outbox stays with its holder without a
// renewal (the holder renews it every poll interval): a process of
// another host, which cannot tell whether the holder still runs, takes
// the outbox over once it has run out. On the holder's own host the
// outbox is taken over on the next poll after the holder is gone.
const HolderLease = 10 * time.Second

// hold takes or renews the outbox for this process unless it is OwnOnly
// or another live process holds it, and records whether it holds it.
// Taking it over re-points the default endpoints at this process's
// receiver. Errors are logged: the dispatcher tries again next poll.
func (s *Sender) hold(ctx context.Context) {
	s.heldAt = time.Now()
	if s.ownOnly {
		return
	}
	if err := s.register(ctx); err != nil {
		s.log.Error("taking the outbox", "err", err)
		return
	}
	now := time.Now()
	want := db.Holder{
		Owner: s.owner, PID: s.proc.PID, Host: s.proc.Host, Start: s.proc.Start,
		Kind: s.kind, Receiver: s.receiver, TimeScale: s.scale, Since: now, ExpiresAt: now.Add(HolderLease),
	}
	var (
		cur  db.Holder
		took bool
	)
	err := s.db.Write(ctx, func(tx db.Handle) error {
		var err error
		cur, took, err = db.TakeHolder(ctx, tx, want, now, s.gone)
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("taking the outbox", "err", err)
		}
		return
	}
	was := s.holding.Swap(took)
	switch {
	case took && !was:
		s.log.Info("this process runs the outbox", "kind", s.kind, "pid", s.proc.PID)
		if s.receiver != "" {
			if err := s.followReceivers(ctx, s.receiver); err != nil {
				s.log.Error("pointing the default endpoints at this process's receiver", "err", err)
			}
		}
		s.notify()
	case !took && was:
		s.log.Warn("another process took the outbox over", "kind", cur.Kind, "pid", cur.PID)
	}
}

// unhold gives the outbox up as this process stops, so another takes it
// over at once, and hands the deliveries it runs alone to the holder.
func (s *Sender) unhold() {
	if !s.registered.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.db.Write(ctx, func(tx db.Handle) error { return db.ReleaseHolder(ctx, tx, s.owner) }); err != nil {
		s.log.Error("giving the outbox up", "err", err)
	}
	s.holding.Store(false)
}

// gone reports whether h's process is known to have ended: a process of
// this host (other than this one) that no longer runs. A holder of
// another host is never judged; its lease decides.
func (s *Sender) gone(h db.Holder) bool {
	p := processID{PID: h.PID, Host: h.Host, Start: h.Start}
	return p.Host == s.proc.Host && p != s.proc && !running(p)
}

// Holding reports whether this process runs the outbox.
func (s *Sender) Holding() bool { return s.holding.Load() }

// Holder is the process that runs the outbox, nil when none does (no
// process holds it, or its lease has run out or its process is gone).
func (s *Sender) Holder(ctx context.Context) (*db.Holder, error) {
	h, err := db.LoadHolder(ctx, s.db.Reader())
	if err != nil || h == nil {
		return nil, err
	}
	if time.Now().After(h.ExpiresAt) || s.gone(*h) {
		return nil, nil
	}
	return h, nil
}

// OtherHolder is the process other than this one that runs the outbox,
// nil when this process does or none does.
func (s *Sender) OtherHolder(ctx context.Context) (*db.Holder, error) {
	h, err := s.Holder(ctx)
	if err != nil || h == nil || h.Owner == s.owner {
		return nil, err
	}
	return h, nil
}

// HolderNote says where the outbox runs, for a status line: "sender: in
// serve, pid 4242" when another process holds it, "sender: here" when this
// one does, "sender: none" when no process does.
func (s *Sender) HolderNote(ctx context.Context) (string, error) {
	h, err := s.Holder(ctx)
	if err != nil {
		return "", fmt.Errorf("reading who runs the outbox: %w", err)
	}
	return HolderNote(h, s.owner), nil
}

// HolderNote writes h for a status line, as seen by the process whose
// sender's id is self.
func HolderNote(h *db.Holder, self int64) string {
	switch {
	case h == nil:
		return "sender: none"
	case h.Owner == self:
		return "sender: here"
	}
	return fmt.Sprintf("sender: in %s, pid %d", h.Kind, h.PID)
}

// runner is the Runner of the deliveries this process creates: itself
// when it is OwnOnly (they are its alone while it runs), else none (the
// outbox's holder sends them).
func (s *Sender) runner() int64 {
	if s.ownOnly {
		return s.owner
	}
	return 0
}
