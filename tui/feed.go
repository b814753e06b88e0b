package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
)

// Sender is what Feed delivers to (*tea.Program satisfies it).
type Sender interface{ Send(tea.Msg) }

// FeedInterval is how long Feed gathers changes into one ChangedMsg, so a
// burst of traffic costs the console one reload, not one per row.
const FeedInterval = 100 * time.Millisecond

// Feed is the one goroutine that tells the program about changes: rows
// written in this process (changes, from the typed broker) and commits by
// anyone sharing the file (watch, from (*db.DB).Watch). It runs until ctx
// ends or both channels close.
func Feed(ctx context.Context, p Sender, changes <-chan db.Change, watch <-chan struct{}) {
	var (
		pending map[string]bool
		any     bool
		timer   *time.Timer
		fire    <-chan time.Time
	)
	arm := func() {
		if fire == nil {
			timer = time.NewTimer(FeedInterval)
			fire = timer.C
		}
	}
	for changes != nil || watch != nil {
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return
		case c, ok := <-changes:
			if !ok {
				changes = nil
				continue
			}
			if pending == nil {
				pending = map[string]bool{}
			}
			pending[c.Kind] = true
			arm()
		case _, ok := <-watch:
			if !ok {
				watch = nil
				continue
			}
			any = true
			arm()
		case <-fire:
			fire = nil
			msg := ChangedMsg{Kinds: pending}
			if any {
				msg.Kinds = nil // another process: reload everything
			}
			pending, any = nil, false
			p.Send(msg)
		}
	}
}
