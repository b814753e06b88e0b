package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/limits"
)

// startJump opens the "go to #" prompt in the status line.
func (m *Model) startJump() tea.Cmd {
	if m.active != viewInbox && m.active != viewDeliveries {
		m.setStatus(statusInfo, "# works in the Inbox and Deliveries")
		return nil
	}
	m.mode = modeJump
	m.input.Prompt = "go to #"
	m.input.Placeholder = "id (enter: go · esc: cancel)"
	m.input.SetValue("")
	return m.input.Focus()
}

// jump shows the page holding the id typed, that row selected.
func (m *Model) jump(value string) tea.Cmd {
	s := strings.TrimPrefix(strings.TrimSpace(value), "#")
	if s == "" {
		m.setStatus(statusInfo, "cancelled: no id")
		return nil
	}
	id, err := limits.ID.Parse(s)
	if err != nil {
		m.setStatus(statusError, "✗ "+m.r.safe(err.Error())+": type a number like 1204")
		return nil
	}
	m.focus = focusList
	switch m.active {
	case viewInbox:
		m.inbox.pg.jumpTo(id)
		return m.inbox.fetch(m.ctx, m.src)
	case viewDeliveries:
		m.deliv.pg.jumpTo(id)
		return m.deliv.fetch(m.ctx, m.src)
	}
	return nil
}

// reportJump says in the status line where a jump landed, when one did.
func (m *Model) reportJump(v viewID, res **jumpResult, what string) {
	j := *res
	if j == nil {
		return
	}
	*res = nil
	filtered := ""
	if m.activeQueryOf(v) != "" {
		filtered = " under the filter"
	}
	note := m.linkNote
	m.linkNote = ""
	switch {
	case j.got == j.asked && note != "":
		m.setStatus(statusInfo, note)
	case j.got == j.asked:
		m.setStatus(statusInfo, fmt.Sprintf("%s #%d", what, j.asked))
	case j.got == 0:
		m.setStatus(statusError, fmt.Sprintf("✗ no %s #%d or older%s", what, j.asked, filtered))
	default:
		m.setStatus(statusInfo, fmt.Sprintf("no %s #%d%s: showing #%d, the nearest older", what, j.asked, filtered, j.got))
	}
}

// activeQueryOf is the filter typed in a list view.
func (m *Model) activeQueryOf(v viewID) string {
	switch v {
	case viewInbox:
		return m.inbox.query
	case viewDeliveries:
		return m.deliv.query
	}
	return ""
}
