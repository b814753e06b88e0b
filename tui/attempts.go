package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// stepAttempt shows the attempt before (or after) the one the delivery's
// detail shows in full, re-rendered in a Cmd from the delivery already
// loaded, and scrolls to it.
func (m *Model) stepAttempt(later bool) tea.Cmd {
	st := m.details[viewDeliveries]
	id := m.deliv.pg.selectedID()
	if st.delivery == nil || st.id != id {
		m.setStatus(statusInfo, "the delivery is still loading")
		return nil
	}
	attempts := st.delivery.Delivery.Attempts
	if len(attempts) == 0 {
		m.setStatus(statusInfo, "no attempt yet")
		return nil
	}
	cur := len(attempts) - 1
	for i, a := range attempts {
		if a.N == shownAttempt(attempts, m.deliv.attempt) {
			cur = i
		}
	}
	next := cur - 1
	if later {
		next = cur + 1
	}
	if next < 0 || next >= len(attempts) {
		which := "first"
		if later {
			which = "latest"
		}
		m.setStatus(statusInfo, fmt.Sprintf("attempt %d of %d is the %s", attempts[cur].N, len(attempts), which))
		return nil
	}
	n := attempts[next].N
	m.deliv.attempt, m.deliv.attemptOf = n, id
	if next == len(attempts)-1 {
		m.deliv.attempt = 0 // the latest: a new attempt takes its place
	}
	m.setStatus(statusInfo, fmt.Sprintf("attempt %d of %d", n, len(attempts)))
	d, r, raw := st.delivery, m.r, m.raw
	return func() tea.Msg {
		if raw {
			return detailMsg{view: viewDeliveries, id: id, content: r.bound(r.renderRawDelivery(d, n)), delivery: d}
		}
		return detailMsg{view: viewDeliveries, id: id, content: r.bound(r.renderDelivery(d, n)), delivery: d, anchor: attemptAnchor(n)}
	}
}

// scrollTo scrolls the detail to the first line holding text.
func (m *Model) scrollTo(text string) {
	for i, l := range m.detailLines {
		if len(l) >= len(text) && containsPlain(l, text) {
			m.detail.SetYOffset(i)
			return
		}
	}
}
