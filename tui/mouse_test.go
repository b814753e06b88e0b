package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func click(t *testing.T, m *Model, x, y int) {
	t.Helper()
	send(t, m, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
}

func wheel(t *testing.T, m *Model, x, y int, b tea.MouseButton) {
	t.Helper()
	send(t, m, tea.MouseWheelMsg{X: x, Y: y, Button: b})
}

// A click selects a tab, a row or a pane; the wheel scrolls the pane
// under the pointer: the list moves its selection, the detail scrolls.
// Side by side and stacked alike.
func TestMouse(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 10)
	seedRequest(t, d, 11, `{"items":[`+strings.Repeat(`{"a":1},`, 40)+`{"a":2}]}`) // a detail taller than the pane
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		m := newTestModel(t, d, size[0], size[1])
		g := m.geometry()
		firstRow := headerLines + 2 // the top border, the column head
		click(t, m, 2, firstRow+3)
		if got := m.inbox.pg.selectedID(); got != 8 {
			t.Fatalf("%v: a click on the fourth row selected #%d", size, got)
		}
		if !strings.Contains(plain(m.detail.View()), "Request #8") {
			t.Fatalf("%v: the detail does not follow the click:\n%s", size, screen(m))
		}
		wheel(t, m, 2, firstRow, tea.MouseWheelDown)
		if got := m.inbox.pg.selectedID(); got != 7 {
			t.Fatalf("%v: the wheel over the list selected #%d, want 7", size, got)
		}
		click(t, m, 2, firstRow) // the newest, with the tall detail
		// The detail: a click focuses it, the wheel scrolls it, not the list.
		dx, dy := g.listW+2, headerLines+3
		if g.stacked {
			dx, dy = 2, headerLines+g.listH+2
		}
		click(t, m, dx, dy)
		if m.focus != focusDetail {
			t.Fatalf("%v: a click on the detail did not focus it", size)
		}
		before := m.detail.YOffset()
		wheel(t, m, dx, dy, tea.MouseWheelDown)
		if m.detail.YOffset() <= before || m.inbox.pg.selectedID() != 11 {
			t.Fatalf("%v: the wheel over the detail: offset %d→%d, selected #%d", size, before, m.detail.YOffset(), m.inbox.pg.selectedID())
		}
		// A click below the last row selects nothing new.
		click(t, m, 2, firstRow+g.listRows+5)
		// The tab of Deliveries.
		line := strings.Split(screen(m), "\n")[headerLines-1]
		x := strings.Index(line, "2 Deliveries")
		click(t, m, x+3, headerLines-1)
		if m.active != viewDeliveries {
			t.Fatalf("%v: a click on the Deliveries tab: view %d", size, m.active)
		}
	}
}
