package tui

// pager is a keyset window over a list newest first: it holds one page of
// rows (as many as the pane shows), the cursor within it, and the keyset
// cursors of the pages above it, so paging up and down never holds more
// than one page in memory and never uses OFFSET.
type pager[T any] struct {
	rows   []T
	id     func(T) int64
	before int64   // the keyset cursor of this page (0: the newest)
	above  []int64 // cursors of the pages above, nearest last
	cursor int
	size   int
	atEnd  bool // the page came back short: nothing older

	// pending describes the load in flight.
	seq        int
	loading    bool
	pendBefore int64
	pendSize   int // the page size asked for
	pendAbove  []int64
	pendCursor int   // where the cursor lands (-1: last row)
	keepID     int64 // keep this row selected if it is in the page

	// queued are the moves made while a page was loading, replayed in
	// order once it arrives (replay), so a held key never loses a press.
	queued []move
}

// move is a cursor movement that may need another page.
type move int

const (
	moveDown move = iota
	moveUp
	movePageDown
	movePageUp
)

// maxQueued bounds the moves kept while a page loads (a key held for a
// long time on a slow disk): the oldest beyond it are dropped.
const maxQueued = 64

// queue keeps m for replay when the loading page arrives.
func (p *pager[T]) queue(m move) {
	if len(p.queued) >= maxQueued {
		p.queued = p.queued[1:]
	}
	p.queued = append(p.queued, m)
}

// replay applies the queued moves in order, stopping at the first that
// needs a page (true: the caller fetches it; the rest stay queued).
func (p *pager[T]) replay() bool {
	for len(p.queued) > 0 && !p.loading {
		m := p.queued[0]
		p.queued = p.queued[1:]
		var load bool
		switch m {
		case moveDown:
			load = p.down()
		case moveUp:
			load = p.up()
		case movePageDown:
			load = p.pageDown()
		case movePageUp:
			load = p.pageUp()
		}
		if load {
			return true
		}
	}
	return false
}

func newPager[T any](id func(T) int64) pager[T] { return pager[T]{id: id, size: 10} }

// selected returns the row under the cursor.
func (p *pager[T]) selected() (T, bool) {
	var zero T
	if p.cursor < 0 || p.cursor >= len(p.rows) {
		return zero, false
	}
	return p.rows[p.cursor], true
}

// selectedID is the id of the row under the cursor, or 0.
func (p *pager[T]) selectedID() int64 {
	if r, ok := p.selected(); ok {
		return p.id(r)
	}
	return 0
}

// request starts a load and returns its sequence number; the caller runs
// the query with (before, size).
func (p *pager[T]) request(before int64, above []int64, cursor int, keepID int64) int {
	p.seq++
	p.loading = true
	p.pendBefore, p.pendAbove, p.pendCursor, p.keepID = before, above, cursor, keepID
	p.pendSize = p.size
	return p.seq
}

// apply installs a loaded page if it answers the latest request.
func (p *pager[T]) apply(seq int, rows []T) bool {
	if seq != p.seq {
		return false
	}
	p.loading = false
	if len(rows) == 0 && p.pendBefore != 0 {
		// Nothing older after all: stay where we were.
		p.atEnd = true
		return true
	}
	p.rows, p.before, p.above = rows, p.pendBefore, p.pendAbove
	p.atEnd = len(rows) < p.pendSize // short of what was asked: nothing older
	switch {
	case p.keepID != 0 && p.indexOf(p.keepID) >= 0:
		p.cursor = p.indexOf(p.keepID)
	case p.pendCursor < 0:
		p.cursor = len(rows) - 1
	default:
		p.cursor = min(p.pendCursor, len(rows)-1)
	}
	p.cursor = max(p.cursor, 0)
	return true
}

func (p *pager[T]) indexOf(id int64) int {
	for i, r := range p.rows {
		if p.id(r) == id {
			return i
		}
	}
	return -1
}

// The moves return true when they need a page load (request was called).

func (p *pager[T]) down() bool {
	if p.loading {
		p.queue(moveDown)
		return false
	}
	if p.cursor < len(p.rows)-1 {
		p.cursor++
		return false
	}
	return p.nextPage(0)
}

func (p *pager[T]) up() bool {
	if p.loading {
		p.queue(moveUp)
		return false
	}
	if p.cursor > 0 {
		p.cursor--
		return false
	}
	return p.prevPage(-1)
}

func (p *pager[T]) pageDown() bool {
	if p.loading {
		p.queue(movePageDown)
		return false
	}
	if !p.nextPage(p.cursor) {
		p.cursor = max(len(p.rows)-1, 0)
		return false
	}
	return true
}

func (p *pager[T]) pageUp() bool {
	if p.loading {
		p.queue(movePageUp)
		return false
	}
	if !p.prevPage(p.cursor) {
		p.cursor = 0
		return false
	}
	return true
}

func (p *pager[T]) nextPage(cursor int) bool {
	if p.atEnd || len(p.rows) == 0 || p.loading {
		return false
	}
	above := append(append([]int64(nil), p.above...), p.before)
	p.request(p.id(p.rows[len(p.rows)-1]), above, cursor, 0)
	return true
}

func (p *pager[T]) prevPage(cursor int) bool {
	if len(p.above) == 0 || p.loading {
		return false
	}
	n := len(p.above)
	p.request(p.above[n-1], p.above[:n-1:n-1], cursor, 0)
	return true
}

// top goes to the newest page (moves still queued are dropped).
func (p *pager[T]) top() { p.queued = nil; p.request(0, nil, 0, 0) }

// reload loads the current page again, keeping the selected row.
func (p *pager[T]) reload() { p.request(p.before, p.above, p.cursor, p.selectedID()) }
