package tui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/tui/keys"
)

// Update handles one message. It never blocks: work is returned as Cmds.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.mode == modeForm && m.form != nil {
		if cmd, ok := m.updateForm(msg); ok {
			return m, cmd
		}
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.form != nil { // an open form takes the new size
			m.form.f = m.form.f.WithWidth(min(max(m.width-4, 20), maxFormWidth)).WithHeight(formHeight(m.geometry()))
		}
		return m, m.layout()
	case tickMsg:
		m.clock = time.Time(msg)
		m.r.now = m.clock
		m.expireStatus(m.clock)
		var next tea.Cmd
		if !m.noTick {
			next = tick()
		}
		var counts []tea.Cmd
		for _, v := range []viewID{viewInbox, viewDeliveries} {
			if c := m.counts(v); c.stale && !c.busy {
				counts = append(counts, m.countList(v, false))
			}
			counts = append(counts, m.countPos(v)) // a place traffic moved
		}
		if len(counts) > 0 {
			next = tea.Batch(append(counts, next)...)
		}
		if m.statsStale {
			m.statsStale = false
			m.statsAt = m.now()
			return m, tea.Batch(next, m.loadStats())
		}
		return m, next
	case filterTickMsg:
		if m.mode != modeFilter || msg.seq != m.filterSeq {
			return m, nil
		}
		return m, m.applyFilter(m.input.Value())
	case ChangedMsg:
		return m, m.refresh(msg.Kinds)
	case statsMsg:
		m.stats, m.statsErr = msg.stats, msg.err
		if msg.err != nil {
			m.stats = msg.stats
		}
		return m, nil
	case requestsPageMsg:
		if msg.err != nil {
			m.inbox.err = msg.err
			m.inbox.pg.loading, m.inbox.pg.queued = false, nil
			m.setStatus(statusError, "loading requests: "+msg.err.Error())
			return m, nil
		}
		m.inbox.err = nil
		if m.inbox.pg.apply(msg.seq, msg.rows) {
			if m.inbox.pg.loading || m.inbox.pg.replay() {
				return m, m.inbox.fetch(m.ctx, m.src)
			}
			m.reportJump(viewInbox, &m.inbox.pg.jumped, "request")
			return m, tea.Batch(m.syncDetail(false), m.countPos(viewInbox))
		}
		return m, nil
	case deliveriesPageMsg:
		if msg.err != nil {
			m.deliv.err = msg.err
			m.deliv.pg.loading, m.deliv.pg.queued = false, nil
			m.setStatus(statusError, "loading deliveries: "+msg.err.Error())
			return m, nil
		}
		m.deliv.err = nil
		if m.deliv.pg.apply(msg.seq, msg.rows) {
			if m.deliv.pg.loading || m.deliv.pg.replay() {
				return m, m.deliv.fetch(m.ctx, m.src)
			}
			m.reportJump(viewDeliveries, &m.deliv.pg.jumped, "delivery")
			return m, tea.Batch(m.syncDetail(false), m.countPos(viewDeliveries))
		}
		return m, nil
	case countsMsg:
		return m, m.applyCounts(msg)
	case posMsg:
		return m, m.applyPos(msg)
	case endpointsMsg:
		if msg.err != nil {
			m.endp.err = msg.err
			return m, nil
		}
		m.endp.set(msg.rows)
		m.names = make(map[int64]string, len(msg.rows))
		for _, e := range msg.rows {
			m.names[e.ID] = e.Name
		}
		return m, m.syncDetail(m.active == viewEndpoints)
	case routesMsg:
		if msg.err == nil {
			m.setRoutes(msg.rows)
		}
		return m, m.syncDetail(m.active == viewRoutes)
	case detailMsg:
		return m, m.applyDetail(msg)
	case linkMsg:
		return m, m.followLink(msg)
	case actionDoneMsg:
		if msg.err != nil {
			m.setStatus(statusError, "✗ "+msg.err.Error())
		} else {
			m.setStatus(statusOK, "✓ "+msg.text)
		}
		return m, m.refresh(nil)
	case copiedMsg:
		if msg.err != nil {
			m.setStatus(statusError, "✗ "+msg.err.Error())
			return m, nil
		}
		also := ""
		if msg.file != "" {
			also = "; also in " + msg.file
		}
		m.setStatus(statusOK, "✓ copied "+msg.what+" (OSC 52"+also+")")
		return m, tea.SetClipboard(msg.text)
	case pagerReadyMsg:
		return m, m.runPager(msg)
	case pagerDoneMsg:
		return m, m.pagerDone(msg)
	case editorReadyMsg:
		return m, m.openEditor(msg)
	case editedMsg:
		return m, m.sendEdited(msg)
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return m, m.handleMouse(msg.(tea.MouseMsg))
	}
	return m, nil
}

// refresh reloads what the changed kinds touch (nil: everything).
func (m *Model) refresh(kinds map[string]bool) tea.Cmd {
	all := kinds == nil
	var cmds []tea.Cmd
	if all || kinds["request"] {
		if m.follow {
			m.inbox.pg.top()
		} else {
			m.inbox.pg.reload(true)
		}
		cmds = append(cmds, m.inbox.fetch(m.ctx, m.src), m.countList(viewInbox, false))
	}
	if all || kinds["delivery"] || kinds["endpoint"] {
		if m.follow {
			m.deliv.pg.top()
		} else {
			m.deliv.pg.reload(true)
		}
		cmds = append(cmds, m.deliv.fetch(m.ctx, m.src), m.countList(viewDeliveries, false))
	}
	if all || kinds["endpoint"] {
		cmds = append(cmds, m.loadEndpoints())
	}
	if all || kinds["route"] {
		cmds = append(cmds, m.loadRoutes())
	}
	// Counting a large history costs a few milliseconds: at most once a
	// second; the tick catches up on a skipped one.
	if now := m.now(); now.Sub(m.statsAt) >= time.Second {
		m.statsAt = now
		cmds = append(cmds, m.loadStats())
	} else {
		m.statsStale = true
	}
	// The open detail may have changed too (a new attempt, a disable).
	if m.active == viewDeliveries || m.active == viewEndpoints {
		cmds = append(cmds, m.syncDetail(true))
	}
	return tea.Batch(cmds...)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeFilter, modeRoute, modeURL, modeJump, modeCommand:
		return m.handleInput(msg)
	case modeConfirm:
		return m.handleConfirm(msg)
	case modePick:
		return m.handlePick(msg)
	}
	if m.showHelp {
		if key.Matches(msg, m.global.Help, m.nav.Back) {
			m.showHelp = false
		} else if key.Matches(msg, m.global.Quit) {
			return tea.Quit
		}
		return nil
	}
	switch {
	case key.Matches(msg, m.global.Quit):
		return tea.Quit
	case key.Matches(msg, m.global.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, m.global.NextView):
		return m.switchView((m.active + 1) % viewCount)
	case key.Matches(msg, m.global.PrevView):
		return m.switchView((m.active + viewCount - 1) % viewCount)
	case key.Matches(msg, m.global.Inbox):
		return m.switchView(viewInbox)
	case key.Matches(msg, m.global.Deliv):
		return m.switchView(viewDeliveries)
	case key.Matches(msg, m.global.Endpts):
		return m.switchView(viewEndpoints)
	case key.Matches(msg, m.global.Fixtures):
		return m.switchView(viewFixtures)
	case key.Matches(msg, m.global.Routes):
		return m.switchView(viewRoutes)
	case key.Matches(msg, m.global.Filter):
		return m.startFilter()
	case key.Matches(msg, m.global.Jump):
		return m.startJump()
	case key.Matches(msg, m.global.Command):
		return m.startCommand()
	case key.Matches(msg, m.global.Follow):
		if m.active != viewInbox && m.active != viewDeliveries {
			m.setStatus(statusInfo, "follow works in the Inbox and Deliveries")
			return nil
		}
		m.follow = !m.follow
		if m.follow {
			m.setStatus(statusInfo, "follow on: the newest traffic stays selected")
			return m.refresh(nil)
		}
		m.setStatus(statusInfo, "follow off")
		return nil
	}
	if cmd, ok := m.handleAction(msg); ok {
		return cmd
	}
	if cmd, ok := m.resize(msg); ok {
		return cmd
	}
	if key.Matches(msg, m.nav.NextHit, m.nav.PrevHit) && (m.active == viewInbox || m.active == viewDeliveries) {
		m.jumpMatch(key.Matches(msg, m.nav.NextHit))
		return nil
	}
	if m.focus == focusDetail {
		switch {
		case key.Matches(msg, m.nav.Back), key.Matches(msg, m.nav.Open):
			m.focus = focusList
			return m.layout() // a zoomed console shows the list now
		case key.Matches(msg, m.nav.Top):
			m.detail.GotoTop()
			return nil
		case key.Matches(msg, m.nav.Bottom):
			m.detail.GotoBottom()
			return nil
		}
		var cmd tea.Cmd
		m.detail, cmd = m.detail.Update(msg)
		return cmd
	}
	return m.handleNav(msg)
}

// handleNav moves in the active list.
func (m *Model) handleNav(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.nav.Open) {
		m.focus = focusDetail
		return m.layout() // a zoomed console shows the detail now
	}
	if key.Matches(msg, m.nav.Back) {
		return nil
	}
	switch m.active {
	case viewInbox:
		if m.movePager(msg, &m.inbox.pg) {
			return m.inbox.fetch(m.ctx, m.src)
		}
	case viewDeliveries:
		if m.movePager(msg, &m.deliv.pg) {
			return m.deliv.fetch(m.ctx, m.src)
		}
	case viewEndpoints:
		m.endp.cursor = moveCursor(msg, m.nav, m.endp.cursor, len(m.endp.rows), m.listRows())
	case viewFixtures:
		m.fix.cursor = moveCursor(msg, m.nav, m.fix.cursor, len(m.fix.rows), m.listRows())
	case viewRoutes:
		m.routesV.cursor = moveCursor(msg, m.nav, m.routesV.cursor, len(m.routes), m.listRows())
	}
	return m.syncDetail(false)
}

// movePager applies a movement key; true when a page must be fetched.
func (m *Model) movePager(msg tea.KeyPressMsg, p interface {
	up() bool
	down() bool
	pageUp() bool
	pageDown() bool
	top()
	bottom()
}) bool {
	switch {
	case key.Matches(msg, m.nav.Up):
		return p.up()
	case key.Matches(msg, m.nav.Down):
		return p.down()
	case key.Matches(msg, m.nav.PageUp):
		return p.pageUp()
	case key.Matches(msg, m.nav.PageDown):
		return p.pageDown()
	case key.Matches(msg, m.nav.Top):
		p.top()
		return true
	case key.Matches(msg, m.nav.Bottom):
		p.bottom()
		return true
	}
	return false
}

func moveCursor(msg tea.KeyPressMsg, k keys.Nav, cursor, n, page int) int {
	switch {
	case key.Matches(msg, k.Up):
		cursor--
	case key.Matches(msg, k.Down):
		cursor++
	case key.Matches(msg, k.PageUp):
		cursor -= page
	case key.Matches(msg, k.PageDown):
		cursor += page
	case key.Matches(msg, k.Top):
		cursor = 0
	case key.Matches(msg, k.Bottom):
		cursor = n - 1
	}
	return max(0, min(cursor, n-1))
}

// switchView makes v the active view and shows its detail.
func (m *Model) switchView(v viewID) tea.Cmd {
	if v == m.active {
		return nil
	}
	m.active = v
	m.focus = focusList
	m.setDetail(m.details[v].content, false)
	return m.syncDetail(v == viewEndpoints || v == viewDeliveries)
}

// wantedDetail is the row whose detail the active view should show.
func (m *Model) wantedDetail() int64 {
	switch m.active {
	case viewInbox:
		return m.inbox.pg.selectedID()
	case viewDeliveries:
		return m.deliv.pg.selectedID()
	case viewEndpoints:
		return m.endp.selectedID()
	case viewFixtures:
		if _, ok := m.fix.selected(); ok {
			return int64(m.fix.cursor + 1)
		}
	case viewRoutes:
		if _, ok := m.selectedRoute(); ok {
			return int64(m.routesV.cursor + 1)
		}
	}
	return 0
}

// syncDetail loads the detail of the selected row if it is not the one
// shown (or always, with force). Rendering happens in the Cmd too.
func (m *Model) syncDetail(force bool) tea.Cmd {
	id := m.wantedDetail()
	v := m.active
	if id == 0 {
		m.details[v] = detailState{}
		m.setDetail("", false)
		return nil
	}
	if !force && m.details[v].id == id {
		return nil
	}
	ctx, src, r, now := m.ctx, m.src, m.r, m.clock
	if m.deliv.attemptOf != m.deliv.pg.selectedID() { // another delivery: its latest attempt
		m.deliv.attempt, m.deliv.attemptOf = 0, m.deliv.pg.selectedID()
	}
	shown, raw := m.deliv.attempt, m.raw
	switch v {
	case viewInbox:
		return func() tea.Msg {
			// Only what the detail shows is loaded: a 10 MB body costs the
			// same as a 256 KB one.
			q, err := src.GetRequestPreview(ctx, id, maxShownBody)
			if err != nil {
				return detailMsg{view: v, id: id, err: err}
			}
			if raw {
				return detailMsg{view: v, id: id, content: r.bound(r.renderRawRequest(q))}
			}
			return detailMsg{view: v, id: id, content: r.bound(r.renderRequest(q))}
		}
	case viewDeliveries:
		return func() tea.Msg {
			d, err := src.GetDelivery(ctx, id)
			if err != nil {
				return detailMsg{view: v, id: id, err: fmt.Errorf("loading delivery %d: %w", id, err)}
			}
			if raw {
				return detailMsg{view: v, id: id, content: r.bound(r.renderRawDelivery(d, shown)), delivery: d}
			}
			return detailMsg{view: v, id: id, content: r.bound(r.renderDelivery(d, shown)), delivery: d}
		}
	case viewEndpoints:
		e, _ := m.endp.selected()
		return func() tea.Msg { return detailMsg{view: v, id: id, content: r.bound(r.renderEndpoint(e))} }
	case viewFixtures:
		f, _ := m.fix.selected()
		return func() tea.Msg { return detailMsg{view: v, id: id, content: r.bound(r.renderFixture(f, now))} }
	case viewRoutes:
		rt, _ := m.selectedRoute()
		addr := m.info.ReceiverAddr
		return func() tea.Msg { return detailMsg{view: v, id: id, content: r.bound(r.renderRoute(rt, addr))} }
	}
	return nil
}

// applyDetail installs a rendered detail if it is still wanted.
func (m *Model) applyDetail(msg detailMsg) tea.Cmd {
	prev := m.details[msg.view]
	st := detailState{id: msg.id, content: msg.content, delivery: msg.delivery, err: msg.err}
	if msg.err != nil {
		st.content = m.r.st.Bad.Render(m.r.safe(msg.err.Error()))
	}
	m.details[msg.view] = st
	if msg.view != m.active || m.wantedDetail() != msg.id {
		return nil
	}
	m.setDetail(st.content, prev.id == msg.id)
	if msg.anchor != "" {
		m.scrollTo(msg.anchor)
	}
	return nil
}
