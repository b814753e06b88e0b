package tui

import (
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
)

// linkMsg answers findProduced or findSender: where to go, or why not.
type linkMsg struct {
	view      viewID // the view to show: viewInbox or viewDeliveries
	id        int64  // the request or delivery to select there
	attempt   int    // for a delivery, the attempt to show
	what, err string
}

// findProduced looks, in a Cmd, for the Inbox request that the attempt the
// delivery's detail shows produced on hookscope's own receiver.
func (m *Model) findProduced(deliveryID int64) tea.Cmd {
	st := m.details[viewDeliveries]
	if st.delivery == nil || st.id != deliveryID {
		m.setStatus(statusInfo, "the delivery is still loading")
		return nil
	}
	attempts := st.delivery.Delivery.Attempts
	if len(attempts) == 0 {
		m.setStatus(statusInfo, "no attempt yet: nothing was sent")
		return nil
	}
	n := shownAttempt(attempts, m.deliv.attempt)
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		id, err := src.RequestOfAttempt(ctx, deliveryID, n)
		if errors.Is(err, db.ErrNotFound) {
			return linkMsg{err: fmt.Sprintf("attempt %d of delivery #%d left no request in the Inbox: it went to another receiver (or the request was pruned)", n, deliveryID)}
		}
		if err != nil {
			return linkMsg{err: err.Error()}
		}
		return linkMsg{view: viewInbox, id: id, what: fmt.Sprintf("request #%d, produced by attempt %d of delivery #%d", id, n, deliveryID)}
	}
}

// findSender looks, in a Cmd, for the delivery attempt that sent a request.
func (m *Model) findSender(requestID int64) tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		did, n, err := src.AttemptOfRequest(ctx, requestID)
		if errors.Is(err, db.ErrNotFound) {
			return linkMsg{err: fmt.Sprintf("request #%d was not sent by hookscope: it came from outside", requestID)}
		}
		if err != nil {
			return linkMsg{err: err.Error()}
		}
		return linkMsg{view: viewDeliveries, id: did, attempt: n, what: fmt.Sprintf("delivery #%d, whose attempt %d sent request #%d", did, n, requestID)}
	}
}

// followLink shows the linked row: the view switched to, its filter
// cleared when one is set (the row may not match it), the row selected.
func (m *Model) followLink(msg linkMsg) tea.Cmd {
	if msg.err != "" {
		m.setStatus(statusError, "✗ "+msg.err)
		return nil
	}
	cleared := ""
	var cmds []tea.Cmd
	switch msg.view {
	case viewInbox:
		if m.inbox.query != "" {
			m.inbox.filter, m.inbox.query, cleared = db.RequestFilter{}, "", " (its filter cleared)"
			cmds = append(cmds, m.filterChanged(viewInbox))
		}
	case viewDeliveries:
		if m.deliv.query != "" {
			m.deliv.filter, m.deliv.query, cleared = db.DeliveryFilter{}, "", " (its filter cleared)"
			cmds = append(cmds, m.filterChanged(viewDeliveries))
		}
		m.deliv.attempt, m.deliv.attemptOf = msg.attempt, msg.id
	}
	if cmd := m.switchView(msg.view); cmd != nil {
		cmds = append(cmds, cmd)
	}
	m.focus = focusList
	switch msg.view {
	case viewInbox:
		m.inbox.pg.jumpTo(msg.id)
		cmds = append(cmds, m.inbox.fetch(m.ctx, m.src))
	case viewDeliveries:
		m.deliv.pg.jumpTo(msg.id)
		cmds = append(cmds, m.deliv.fetch(m.ctx, m.src))
	}
	m.setStatus(statusBusy, "going to "+msg.what+"…")
	m.linkNote = msg.what + cleared
	return tea.Batch(cmds...)
}
