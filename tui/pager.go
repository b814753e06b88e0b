package tui

import "math"

// pager is a keyset window over a list newest first: it holds one page of
// rows (as many as the pane shows) and the cursor within it. Paging is
// symmetric: the page below is the rows older than its last row (Before),
// the page above the rows newer than its first (After), the oldest page
// is asked for directly (Oldest), so no cursor is stored, paging never
// holds more than one page in memory and never uses OFFSET.
type pager[T any] struct {
	rows   []T
	id     func(T) int64
	before int64 // reloads this page: the rows below it (0: the newest page)
	cursor int
	size   int
	atEnd  bool // nothing older than this page
	atTop  bool // nothing newer than this page

	// pos is how many rows (under the filter) are newer than the page's
	// first row, -1 while unknown; posDirty asks for it to be counted
	// again (traffic may have moved it).
	pos      int64
	posDirty bool

	// pend describes the load in flight.
	seq     int
	loading bool
	pend    pageLoad

	// jumped is the answer of the last jump to an id, for the status line.
	jumped *jumpResult

	// queued are the moves made while a page was loading, replayed in
	// order once it arrives (replay), so a held key never loses a press.
	queued []move
}

// loadKind is what a page load asks for.
type loadKind int

const (
	loadTop    loadKind = iota // the newest page
	loadOlder                  // the rows below before
	loadNewer                  // the rows above after
	loadOldest                 // the oldest page
	loadJump                   // the rows from an id down
)

// pageLoad is one page load: its keyset bounds and where the cursor lands.
type pageLoad struct {
	kind   loadKind
	before int64 // loadOlder, loadJump: rows with ids below it
	after  int64 // loadNewer: rows with ids above it
	size   int   // the page size asked for
	cursor int   // where the cursor lands (-1: last row)
	keepID int64 // keep this row selected if it is in the page
	pos    int64 // the position of the page (loadNewer: of the page it leaves); -1 unknown
	jump   int64 // loadJump: the id asked for
	// recount: rows may have come or gone above the page since pos was
	// known (it is shown, and counted again).
	recount bool
}

// jumpResult is where a jump to an id landed: got is the row selected
// (0: nothing at or below the id).
type jumpResult struct{ asked, got int64 }

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

func newPager[T any](id func(T) int64) pager[T] { return pager[T]{id: id, size: 10, pos: -1} }

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

// firstID is the id of the page's first (newest) row, or 0.
func (p *pager[T]) firstID() int64 {
	if len(p.rows) == 0 {
		return 0
	}
	return p.id(p.rows[0])
}

// request starts a load; the caller runs the query p.pend describes.
func (p *pager[T]) request(l pageLoad) {
	p.seq++
	p.loading = true
	l.size = p.size
	p.pend = l
}

// apply installs a loaded page if it answers the latest request. A page
// above that comes back short means fewer rows are newer than a page: the
// newest page is loaded instead (apply then returns with p.loading set,
// and the caller fetches again).
func (p *pager[T]) apply(seq int, rows []T) bool {
	if seq != p.seq {
		return false
	}
	p.loading = false
	l := p.pend
	switch {
	case l.kind == loadNewer && len(rows) == 0:
		p.atTop = true // nothing newer: stay
		if l.cursor >= 0 {
			p.cursor = 0
		}
		return true
	case l.kind == loadNewer && len(rows) < l.size:
		// The newest page holds these rows, then the top of this page.
		c := l.cursor
		if c < 0 {
			c = l.size - 1
		}
		p.request(pageLoad{kind: loadTop, cursor: max(len(rows)+c-l.size, 0), pos: 0})
		return true
	case len(rows) == 0 && l.kind == loadOlder:
		p.atEnd = true // nothing older after all: stay
		return true
	case len(rows) == 0 && l.kind == loadJump:
		p.jumped = &jumpResult{asked: l.jump} // nothing at or below it: stay
		return true
	}
	p.rows = rows
	p.atTop = l.kind == loadTop || l.kind == loadOldest && len(rows) < l.size
	p.atEnd = l.kind == loadOldest || l.kind != loadNewer && len(rows) < l.size
	p.before = 0
	if !p.atTop && len(rows) > 0 {
		p.before = p.id(rows[0]) + 1
	}
	switch {
	case p.atTop:
		p.pos = 0
	case l.kind == loadNewer && l.pos >= int64(len(rows)):
		p.pos = l.pos - int64(len(rows))
	case l.kind == loadNewer:
		p.pos = -1
	default:
		p.pos = l.pos
	}
	p.posDirty = l.recount && p.pos >= 0 && !p.atTop
	switch {
	case l.keepID != 0 && p.indexOf(l.keepID) >= 0:
		p.cursor = p.indexOf(l.keepID)
	case l.cursor < 0:
		p.cursor = len(rows) - 1
	default:
		p.cursor = min(l.cursor, len(rows)-1)
	}
	p.cursor = max(p.cursor, 0)
	if l.kind == loadJump {
		p.jumped = &jumpResult{asked: l.jump, got: p.selectedID()}
	}
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

// nextPage loads the rows below the page.
func (p *pager[T]) nextPage(cursor int) bool {
	if p.atEnd || len(p.rows) == 0 || p.loading {
		return false
	}
	pos := int64(-1)
	if p.pos >= 0 {
		pos = p.pos + int64(len(p.rows))
	}
	p.request(pageLoad{kind: loadOlder, before: p.id(p.rows[len(p.rows)-1]), cursor: cursor, pos: pos})
	return true
}

// prevPage loads the rows above the page.
func (p *pager[T]) prevPage(cursor int) bool {
	if p.atTop || len(p.rows) == 0 || p.loading {
		return false
	}
	p.request(pageLoad{kind: loadNewer, after: p.firstID(), cursor: cursor, pos: p.pos})
	return true
}

// top goes to the newest page (moves still queued are dropped).
func (p *pager[T]) top() { p.queued = nil; p.request(pageLoad{kind: loadTop, pos: 0}) }

// bottom goes to the oldest page, its oldest row selected.
func (p *pager[T]) bottom() {
	p.queued = nil
	p.request(pageLoad{kind: loadOldest, cursor: -1, pos: -1})
}

// jumpTo shows the page from id down, id selected (or the nearest older
// row when id is not in the list).
func (p *pager[T]) jumpTo(id int64) {
	p.queued = nil
	before := id + 1 // the rows with ids up to id
	if id == math.MaxInt64 {
		before = 0 // every id is up to it: no bound
	}
	p.request(pageLoad{kind: loadJump, before: before, keepID: id, jump: id, pos: -1})
}

// reload loads the current page again, keeping the selected row; moved
// says rows may have come or gone above it (its position is counted again).
func (p *pager[T]) reload(moved bool) {
	if p.before == 0 {
		p.request(pageLoad{kind: loadTop, cursor: p.cursor, keepID: p.selectedID(), pos: 0})
		return
	}
	p.request(pageLoad{kind: loadOlder, before: p.before, cursor: p.cursor, keepID: p.selectedID(), pos: p.pos, recount: moved})
}

// position is the selected row's place counted from the newest (1-based),
// or 0 when not known; match (the rows under the filter, -1 unknown) gives
// it on the oldest page.
func (p *pager[T]) position(match int64) int64 {
	switch {
	case len(p.rows) == 0:
		return 0
	case p.pos >= 0:
		return p.pos + int64(p.cursor) + 1
	case p.atEnd && match >= int64(len(p.rows)):
		return match - int64(len(p.rows)) + int64(p.cursor) + 1
	}
	return 0
}
