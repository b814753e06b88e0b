package sender

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hookscope/hookscope/db"
)

// HolderLease is how long the outbox stays with its holder without a
// renewal (the holder looks every poll interval and renews it once a third
// has passed): a process of another host, which cannot tell whether the
// holder still runs, takes the outbox over once it has run out. On the
// holder's own host the outbox is taken over at the next poll after the
// holder is gone. Holding the outbox only decides who claims: should two
// processes both believe they hold it for a moment (one has not yet seen
// that it lost it), each delivery is still claimed under its own lease,
// so no attempt runs twice.
const HolderLease = 10 * time.Second

// hold takes or renews the outbox for this process unless it is OwnOnly
// or another live process holds it, and records whether it holds it.
// Taking it over, and each renewal, re-points the default endpoints at
// this process's receiver. It writes only to take the outbox or to renew
// a lease that has run a third of its course; errors are logged: the
// dispatcher tries again next poll.
func (s *Sender) hold(ctx context.Context) {
	s.heldAt = time.Now()
	if s.ownOnly {
		return
	}
	now := time.Now()
	cur, err := s.outbox.LoadHolder(ctx, s.db.Reader())
	if err != nil {
		s.log.Error("reading who runs the outbox", "err", err)
		return
	}
	if cur != nil && cur.Owner == s.owner && cur.ExpiresAt.Sub(now) > HolderLease*2/3 {
		s.holding.Store(true)
		return // renewed lately
	}
	if cur != nil && cur.Owner != s.owner && now.Before(cur.ExpiresAt) && !holderGone(*cur) {
		s.lostTo(*cur)
		return // another live process holds it
	}
	if err := s.register(ctx); err != nil {
		s.log.Error("taking the outbox", "err", err)
		return
	}
	want := db.Holder{
		Owner: s.owner, PID: s.proc.PID, Host: s.proc.Host, Start: s.proc.Start,
		Kind: s.kind, Receiver: s.receiver, TimeScale: s.scale, Since: now, ExpiresAt: now.Add(HolderLease),
	}
	var took bool
	var got db.Holder
	err = s.db.Write(ctx, func(tx db.Handle) error {
		var err error
		got, took, err = s.outbox.TakeHolder(ctx, tx, want, now, holderGone)
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("taking the outbox", "err", err)
		}
		return
	}
	if !took {
		s.lostTo(got)
		return
	}
	if !s.holding.Swap(true) {
		s.log.Info("this process runs the outbox", "kind", s.kind, "pid", s.proc.PID)
		s.notify()
	}
	// On each take and renewal: a process that started at the same time
	// as this one may have pointed them at its own receiver.
	if s.receiver != "" {
		if err := s.followReceivers(ctx, s.receiver); err != nil {
			s.log.Error("pointing the default endpoints at this process's receiver", "err", err)
		}
	}
}

// lostTo records that h, another process, holds the outbox.
func (s *Sender) lostTo(h db.Holder) {
	if s.holding.Swap(false) {
		s.log.Warn("another process took the outbox over", "kind", h.Kind, "pid", h.PID)
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
	if err := s.db.Write(ctx, func(tx db.Handle) error { return s.outbox.ReleaseHolder(ctx, tx, s.owner) }); err != nil {
		s.log.Error("giving the outbox up", "err", err)
	}
	s.holding.Store(false)
}

// self is this process as the outbox records it.
var self = sync.OnceValue(thisProcess)

// holderGone reports whether h's process is known to have ended: a
// process of this host (other than this one) that no longer runs. A
// holder of another host is never judged; its lease decides.
func holderGone(h db.Holder) bool {
	p := processID{PID: h.PID, Host: h.Host, Start: h.Start}
	me := self()
	return p.Host == me.Host && p != me && !running(p)
}

// OutboxNote says, for a status line, which other process runs the outbox
// of the database h reads: "sender: in serve, pid 4242"; "sender: none"
// when the last holder's lease has run out or its process is gone; empty
// when this process runs it or no process ever did.
func OutboxNote(ctx context.Context, h db.Handle) (string, error) {
	cur, err := db.NewOutboxStore().LoadHolder(ctx, h)
	if err != nil || cur == nil {
		return "", err
	}
	me := self()
	switch {
	case cur.PID == me.PID && cur.Host == me.Host:
		return "", nil
	case time.Now().After(cur.ExpiresAt) || holderGone(*cur):
		return "sender: none", nil
	}
	return fmt.Sprintf("sender: in %s, pid %d", cur.Kind, cur.PID), nil
}

// Holding reports whether this process runs the outbox.
func (s *Sender) Holding() bool { return s.holding.Load() }

// Holder is the process that runs the outbox, nil when none does (no
// process holds it, or its lease has run out or its process is gone).
func (s *Sender) Holder(ctx context.Context) (*db.Holder, error) {
	h, err := s.outbox.LoadHolder(ctx, s.db.Reader())
	if err != nil || h == nil {
		return nil, err
	}
	if time.Now().After(h.ExpiresAt) || holderGone(*h) {
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

// runner is the Runner of the deliveries this process creates: itself
// when it is OwnOnly (they are its alone while it runs), else none (the
// outbox's holder sends them).
func (s *Sender) runner() int64 {
	if s.ownOnly {
		return s.owner
	}
	return 0
}
