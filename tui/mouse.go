package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// What the pointer is over.
type hitKind int

const (
	hitNone hitKind = iota
	hitTab
	hitList
	hitDetail
)

type hit struct {
	kind hitKind
	view viewID // hitTab: the view whose tab it is
	row  int    // hitList: the row of the list's window (0: the first shown; -1: the column head)
}

// hitTest finds what is drawn at (x, y), from the same geometry the
// frame is drawn with.
func (m *Model) hitTest(x, y int) hit {
	if y == headerLines-1 { // the tab line: "1 Inbox   2 Deliveries   …"
		col := 0
		for i, name := range viewNames {
			w := len(fmt.Sprintf("%d %s", i+1, name))
			if x >= col && x < col+w {
				return hit{kind: hitTab, view: viewID(i)}
			}
			col += w + 3
		}
		return hit{}
	}
	g := m.geometry()
	by := y - headerLines
	if by < 0 || by >= g.bodyH || m.showHelp {
		return hit{}
	}
	inList := false
	switch {
	case g.listH == 0:
	case g.detH == 0:
		inList = true
	case g.stacked:
		inList = by < g.listH
	default:
		inList = x < g.listW
	}
	if !inList {
		return hit{kind: hitDetail}
	}
	return hit{kind: hitList, row: by - 2} // the top border, the column head
}

// handleMouse: a click selects a tab, a row or a pane; the wheel scrolls
// the pane under the pointer (the list moves its selection).
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if m.mode != modeNormal {
		return nil // a prompt, a picker or a form has the input
	}
	ms := msg.Mouse()
	h := m.hitTest(ms.X, ms.Y)
	switch msg.(type) {
	case tea.MouseClickMsg:
		if ms.Button != tea.MouseLeft {
			return nil
		}
		switch h.kind {
		case hitTab:
			m.showHelp = false
			return m.switchView(h.view)
		case hitDetail:
			m.focus = focusDetail
			return nil
		case hitList:
			m.focus = focusList
			return m.selectRow(h.row)
		}
	case tea.MouseWheelMsg:
		switch h.kind {
		case hitDetail:
			var cmd tea.Cmd
			m.detail, cmd = m.detail.Update(msg)
			return cmd
		case hitList:
			k := "down"
			if ms.Button == tea.MouseWheelUp {
				k = "up"
			} else if ms.Button != tea.MouseWheelDown {
				return nil
			}
			return m.handleNav(tea.KeyPressMsg{Code: map[string]rune{"up": tea.KeyUp, "down": tea.KeyDown}[k]})
		}
	}
	return nil
}

// selectRow selects the row shown at line row of the list's window.
func (m *Model) selectRow(row int) tea.Cmd {
	if row < 0 {
		return nil
	}
	switch m.active {
	case viewInbox:
		if row >= len(m.inbox.pg.rows) {
			return nil
		}
		m.inbox.pg.cursor = row
	case viewDeliveries:
		if row >= len(m.deliv.pg.rows) {
			return nil
		}
		m.deliv.pg.cursor = row
	case viewEndpoints:
		if i := m.endp.offset + row; i < len(m.endp.rows) {
			m.endp.cursor = i
		}
	case viewFixtures:
		if i := m.fix.offset + row; i < len(m.fix.rows) {
			m.fix.cursor = i
		}
	case viewRoutes:
		if i := m.routesV.offset + row; i < len(m.routes) {
			m.routesV.cursor = i
		}
	}
	return tea.Batch(m.syncDetail(false), m.countPos(m.active))
}
