package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/db"
)

// listCounts are what a list's title counts: every row, the rows under the
// filter, and (in the pager) the selected row's place. Each count runs in
// a tea.Cmd, one at a time per list: a count asked for while one runs is
// marked stale and run on the next tick, so a slow count (a text filter
// reads every row) never piles up, and a new filter cancels the count of
// the old one.
type listCounts struct {
	total, match int64 // countUnknown while counting, countFailed after an error
	seq          int   // the filter's version: answers for an older one are dropped
	busy, stale  bool
	cancel       context.CancelFunc
	posBusy      bool
	// at and posAt are when traffic last had the counts and the row's
	// place counted: at most once a second (the tick catches up).
	at, posAt time.Time
}

const (
	countUnknown int64 = -1
	countFailed  int64 = -2
)

func newListCounts() listCounts { return listCounts{total: countUnknown, match: countUnknown} }

// countsMsg carries a list's counts.
type countsMsg struct {
	view         viewID
	seq          int
	total, match int64
	err          error
}

// posMsg carries how many rows are above a page's first row.
type posMsg struct {
	view  viewID
	seq   int
	first int64
	above int64
	err   error
}

// counts is the counts of a list view (nil for the others).
func (m *Model) counts(v viewID) *listCounts {
	switch v {
	case viewInbox:
		return &m.inbox.counts
	case viewDeliveries:
		return &m.deliv.counts
	}
	return nil
}

// filterChanged forgets a list's counts under the old filter and counts
// again.
func (m *Model) filterChanged(v viewID) tea.Cmd {
	c := m.counts(v)
	c.seq++
	c.match = countUnknown
	return m.countList(v, true)
}

// countList counts a list's rows and matches; restart (a new filter)
// cancels a count in flight, otherwise one in flight, or one started less
// than a second ago, leaves this one for the tick.
func (m *Model) countList(v viewID, restart bool) tea.Cmd {
	c := m.counts(v)
	if !restart {
		now := m.now()
		if c.busy || now.Sub(c.at) < time.Second {
			c.stale = true
			return nil
		}
		c.at = now
	}
	if c.cancel != nil {
		c.cancel()
	}
	ctx, cancel := context.WithCancel(m.ctx)
	c.cancel, c.busy, c.stale = cancel, true, false
	seq, src := c.seq, m.src
	switch v {
	case viewInbox:
		f := m.inbox.filter
		filtered := f != (db.RequestFilter{})
		return func() tea.Msg {
			defer cancel()
			total, err := src.CountRequests(ctx, db.RequestFilter{})
			match := total
			if err == nil && filtered {
				match, err = src.CountRequests(ctx, f)
			}
			return countsMsg{view: v, seq: seq, total: total, match: match, err: err}
		}
	case viewDeliveries:
		f := m.deliv.filter
		filtered := f != (db.DeliveryFilter{})
		return func() tea.Msg {
			defer cancel()
			total, err := src.CountDeliveries(ctx, db.DeliveryFilter{})
			match := total
			if err == nil && filtered {
				match, err = src.CountDeliveries(ctx, f)
			}
			return countsMsg{view: v, seq: seq, total: total, match: match, err: err}
		}
	}
	cancel()
	return nil
}

// applyCounts installs a list's counts if they answer its filter.
func (m *Model) applyCounts(msg countsMsg) tea.Cmd {
	c := m.counts(msg.view)
	if c == nil || msg.seq != c.seq {
		return nil
	}
	c.busy = false
	switch {
	case errors.Is(msg.err, context.Canceled):
		c.stale = true
	case msg.err != nil:
		c.total, c.match = countFailed, countFailed
	default:
		c.total, c.match = msg.total, msg.match
	}
	return nil
}

// countPos counts the rows above the page's first row when the pager
// does not know its place (after a jump), unless the oldest page's place
// follows from the match count, or when traffic may have moved it (at
// most once a second: the tick catches up).
func (m *Model) countPos(v viewID) tea.Cmd {
	c := m.counts(v)
	if c == nil || c.posBusy {
		return nil
	}
	var (
		first, pos   int64
		dirty, atEnd bool
	)
	switch v {
	case viewInbox:
		p := &m.inbox.pg
		first, pos, dirty, atEnd = p.firstID(), p.pos, p.posDirty, p.atEnd
	case viewDeliveries:
		p := &m.deliv.pg
		first, pos, dirty, atEnd = p.firstID(), p.pos, p.posDirty, p.atEnd
	}
	now := m.now()
	switch {
	case first == 0:
		return nil
	case pos >= 0 && (!dirty || now.Sub(c.posAt) < time.Second):
		return nil
	case pos < 0 && atEnd && c.match >= 0: // the oldest page: from the match count
		return nil
	}
	c.posBusy, c.posAt = true, now
	seq, src, ctx := c.seq, m.src, m.ctx
	if v == viewDeliveries {
		f := m.deliv.filter
		f.After = first
		return func() tea.Msg {
			n, err := src.CountDeliveries(ctx, f)
			return posMsg{view: v, seq: seq, first: first, above: n, err: err}
		}
	}
	f := m.inbox.filter
	f.After = first
	return func() tea.Msg {
		n, err := src.CountRequests(ctx, f)
		return posMsg{view: v, seq: seq, first: first, above: n, err: err}
	}
}

// applyPos installs a page's place if the page is still there, and counts
// again if another page now needs it.
func (m *Model) applyPos(msg posMsg) tea.Cmd {
	c := m.counts(msg.view)
	if c == nil {
		return nil
	}
	c.posBusy = false
	if msg.err == nil && msg.seq == c.seq {
		switch msg.view {
		case viewInbox:
			if m.inbox.pg.firstID() == msg.first {
				m.inbox.pg.pos, m.inbox.pg.posDirty = msg.above, false
			}
		case viewDeliveries:
			if m.deliv.pg.firstID() == msg.first {
				m.deliv.pg.pos, m.deliv.pg.posDirty = msg.above, false
			}
		}
	}
	if msg.err != nil {
		return nil // shown as unknown; the next page or change counts again
	}
	return m.countPos(msg.view)
}

// listTitle is a list pane's title in at most w cells: the view, its
// filter, how many rows match of how many, and the selected row's place
// from the newest, e.g. "Inbox · vendor:policycortex · 1,204 of 50,000 ·
// row 37". A count still running shows "…". When that does not fit, the
// filter goes first (the header shows it too), then words.
func (m *Model) listTitle(v viewID, w int) string {
	st := m.r.st
	name := st.PaneTitle.Render(viewNames[v])
	sep := st.Muted.Render(" · ")
	var query string
	var pos int64
	c := m.counts(v)
	switch v {
	case viewInbox:
		query, pos = m.inbox.query, m.inbox.pg.position(c.match)
	case viewDeliveries:
		query, pos = m.deliv.query, m.deliv.pg.position(c.match)
	case viewEndpoints:
		return name + sep + st.Muted.Render(thousands(int64(len(m.endp.rows))))
	case viewFixtures:
		return name + sep + st.Muted.Render(thousands(int64(len(m.fix.rows))))
	case viewRoutes:
		return name + sep + st.Muted.Render(thousands(int64(len(m.routes))))
	}
	row := ""
	switch {
	case pos > 0:
		row = thousands(pos)
	case c.match != 0:
		row = "…"
	}
	var options [][]string
	if query != "" {
		of := countText(c.match) + " of " + countText(c.total)
		short := countText(c.match) + "/" + countText(c.total)
		options = [][]string{{m.r.safe(query), of, "row " + row}, {of, "row " + row}, {short, "row " + row}, {short, "#" + row}}
	} else {
		options = [][]string{{countText(c.total), "row " + row}, {countText(c.total), "#" + row}}
	}
	var title string
	for _, o := range options {
		if row == "" {
			o = o[:len(o)-1]
		}
		title = name
		for _, s := range o {
			title += sep + st.Muted.Render(s)
		}
		if ansi.StringWidth(title) <= w {
			break
		}
	}
	return title
}

func countText(n int64) string {
	switch n {
	case countUnknown:
		return "…"
	case countFailed:
		return "?"
	}
	return thousands(n)
}

// thousands writes n with commas: 1,204.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
