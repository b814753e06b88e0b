package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

const (
	headerLines = 3
	footerLines = 2 // status line and help line
	wideWidth   = 100
)

// geometry is where the panes go for the current size.
type geometry struct {
	stacked        bool
	listW, listH   int // outer size of the list pane
	detW, detH     int // outer size of the detail pane
	bodyH          int
	listRows       int // rows of data the list pane shows
	viewportHeight int
}

// Where the split between the list and the detail may be, in percent of
// the width given to the list, and how far < and > move it. Until a key
// moves it (split 0) the list takes the width its columns need, between
// autoMin and autoMax percent.
const (
	minSplit  = 25
	maxSplit  = 75
	splitStep = 5
	autoMin   = 35
	autoMax   = 50
	// wantText is how wide the list would like its last column (the
	// event types, the URL) when it sizes itself.
	wantText = 28
	// wantURL is how wide the Endpoints list would like its URLs.
	wantURL = 40
)

// listWidth is the list pane's outer width on a wide screen.
func (m *Model) listWidth() int {
	if m.split > 0 {
		return m.width * m.split / 100
	}
	var need int
	switch m.active {
	case viewInbox:
		need = natural(m.inbox.columns(m.r), wantText)
	case viewDeliveries:
		need = natural(m.deliv.columns(m.r, m.names), wantText)
	case viewEndpoints:
		need = m.endp.natural(wantURL)
	case viewRoutes:
		need = natural(m.routeColumns(m.routes), wantText)
	default:
		need = m.width * 2 / 5
	}
	return min(max(need+2, m.width*autoMin/100), m.width*autoMax/100)
}

func (m *Model) geometry() geometry {
	g := geometry{bodyH: max(m.height-headerLines-footerLines, 4)}
	switch {
	case m.zoom && m.focus == focusDetail: // the detail alone
		g.stacked = true
		g.listW, g.listH = m.width, 0
		g.detW, g.detH = m.width, g.bodyH
	case m.zoom: // the list alone
		g.stacked = true
		g.listW, g.listH = m.width, g.bodyH
		g.detW, g.detH = m.width, 0
	case m.width >= wideWidth:
		g.listW = m.listWidth()
		g.detW = m.width - g.listW
		g.listH, g.detH = g.bodyH, g.bodyH
	default:
		g.stacked = true
		g.listW, g.detW = m.width, m.width
		g.listH = max(g.bodyH/2, 5)
		g.detH = max(g.bodyH-g.listH, 3)
	}
	g.listRows = max(g.listH-3, 1) // borders and the column head
	g.viewportHeight = max(g.detH-3, 1)
	return g
}

// resize applies a layout key (zoom, move the split): true when it was one.
func (m *Model) resize(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	switch {
	case key.Matches(msg, m.nav.Zoom):
		m.zoom = !m.zoom
	case key.Matches(msg, m.nav.Wrap):
		m.noWrap = !m.noWrap
		m.setDetail(m.detailRaw, true)
		if m.noWrap {
			m.setStatus(statusInfo, "wrapping off: ←/→ scroll long lines in the detail")
		} else {
			m.setStatus(statusInfo, "wrapping on")
		}
		return nil, true
	case key.Matches(msg, m.nav.Narrower), key.Matches(msg, m.nav.Wider):
		if m.split == 0 && m.width > 0 { // from where the split is now
			m.split = m.listWidth() * 100 / m.width
		}
		step := splitStep
		if key.Matches(msg, m.nav.Narrower) {
			step = -splitStep
		}
		m.split = min(max(m.split+step, minSplit), maxSplit)
	default:
		return nil, false
	}
	return m.layout(), true
}

// listRows is how many rows the list pane shows.
func (m *Model) listRows() int { return m.geometry().listRows }

// syncDetailSize gives the detail viewport the pane's size, laying its
// content out again when the width changed (a resize, zoom, the split
// moving, or a list whose columns need another width).
func (m *Model) syncDetailSize(g geometry) {
	m.detail.SetHeight(g.viewportHeight)
	if w := max(g.detW-2, 1); w != m.detail.Width() {
		m.detail.SetWidth(w)
		m.setDetail(m.detailRaw, true)
	}
}

// layout sizes the panes and reloads pages whose size changed, also a
// first page still loading at the old size (its answer is then ignored).
func (m *Model) layout() tea.Cmd {
	g := m.geometry()
	m.syncDetailSize(g)
	m.input.SetWidth(max(m.width-4, 10))
	m.help.SetWidth(m.width)
	var cmds []tea.Cmd
	if g.listH == 0 { // the detail is zoomed: the pages keep their size
		return nil
	}
	if m.inbox.pg.size != g.listRows {
		m.inbox.pg.size = g.listRows
		if m.inbox.pg.rows != nil || m.inbox.pg.loading {
			m.inbox.pg.reload(false)
			cmds = append(cmds, m.inbox.fetch(m.ctx, m.src))
		}
	}
	if m.deliv.pg.size != g.listRows {
		m.deliv.pg.size = g.listRows
		if m.deliv.pg.rows != nil || m.deliv.pg.loading {
			m.deliv.pg.reload(false)
			cmds = append(cmds, m.deliv.fetch(m.ctx, m.src))
		}
	}
	return tea.Batch(cmds...)
}

// View draws the whole screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "hookscope"
	v.MouseMode = tea.MouseModeCellMotion
	return v
}

// render is the screen as a string (tests compare it to golden files).
func (m *Model) render() string {
	parts := []string{m.header()}
	if m.showHelp {
		parts = append(parts, m.fullHelp())
	} else {
		parts = append(parts, m.body())
	}
	parts = append(parts, m.statusLine(), m.footer())
	return strings.Join(parts, "\n")
}

func (m *Model) header() string {
	st := m.r.st
	scale := m.info.TimeScale
	if scale == 0 {
		scale = 1
	}
	follow := ""
	if m.follow {
		follow = "  " + st.StatusOK.Render("● follow")
	}
	line1 := st.AppName.Render("hookscope") + " " +
		st.HeaderLabel.Render("receiver ") + st.HeaderValue.Render(orDash(m.info.ReceiverAddr)) +
		st.HeaderLabel.Render("  api ") + st.HeaderValue.Render(orDash(m.info.APIAddr)) +
		st.HeaderLabel.Render("  time ") + st.HeaderValue.Render(fmt.Sprintf("×%g", scale)) + follow
	s := m.stats
	if m.info.Attached {
		line1 += "  " + st.Info.Render("attached")
	}
	if s.Degraded != "" {
		// The database refuses writes: webhooks are answered 503.
		line1 += "  " + st.Bad.Render(m.r.safe(s.Degraded))
	}
	if s.Outbox != "" {
		// Another process runs the shared outbox: this one's time scale
		// is only that of the deliveries it raises.
		line1 += "  " + st.Warn.Render(m.r.safe(s.Outbox))
	}
	counts := st.HeaderLabel.Render("received ") + st.HeaderValue.Render(fmt.Sprint(s.Received)) +
		st.HeaderLabel.Render(" · delivered ") + st.OK.Render(fmt.Sprint(s.Delivered)) +
		st.HeaderLabel.Render(" · failing ") + failStyle(m, s.Failing).Render(fmt.Sprint(s.Failing)) +
		st.HeaderLabel.Render(" · disabled endpoints ") + failStyle(m, s.DisabledEndpoints).Render(fmt.Sprint(s.DisabledEndpoints))
	if m.statsErr != nil {
		counts += " " + st.Bad.Render("(counts unavailable)")
	}
	tabs := make([]string, 0, viewCount)
	for i, name := range viewNames {
		label := fmt.Sprintf("%d %s", i+1, name)
		if viewID(i) == m.active {
			tabs = append(tabs, st.TabActive.Render(label))
		} else {
			tabs = append(tabs, st.TabInactive.Render(label))
		}
	}
	tabLine := strings.Join(tabs, "   ")
	if q := m.activeQuery(); q != "" {
		tabLine += st.HeaderLabel.Render("   filter: ") + st.Info.Render(m.r.safe(q))
	}
	return strings.Join([]string{fit(line1, m.width), fit(counts, m.width), fit(tabLine, m.width)}, "\n")
}

func failStyle(m *Model, n int64) lipgloss.Style {
	if n > 0 {
		return m.r.st.Bad
	}
	return m.r.st.HeaderValue
}

func (m *Model) activeQuery() string {
	switch m.active {
	case viewInbox:
		return m.inbox.query
	case viewDeliveries:
		return m.deliv.query
	}
	return ""
}

func (m *Model) body() string {
	g := m.geometry()
	m.syncDetailSize(g) // the list's columns may have changed its width
	if m.mode == modeForm && m.form != nil {
		return m.formPane(g)
	}
	switch {
	case g.listH == 0:
		return m.detailPane(g)
	case g.detH == 0:
		return m.listPane(g)
	}
	list := m.listPane(g)
	det := m.detailPane(g)
	if g.stacked {
		return lipgloss.JoinVertical(lipgloss.Left, list, det)
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, list, det)
}

// pane frames content (inner w×h cells) in a border; lipgloss v2 sizes
// include the border, hence the +2.
func (m *Model) pane(focused bool, w, h int, content string) string {
	st := m.r.st.PaneBlurred
	if focused {
		st = m.r.st.PaneFocused
	}
	return st.Width(w + 2).Height(h + 2).MaxHeight(h + 2).Render(content)
}

func (m *Model) listPane(g geometry) string {
	w := max(g.listW-2, 1)
	h := g.listRows + 1
	var content string
	switch m.active {
	case viewInbox:
		head, rows := m.inbox.table(m.r, w)
		content = renderRows(m.r.st, head, rows, m.inbox.pg.cursor, w, h, m.emptyText(m.inbox.pg.loading, m.inbox.err, emptyList(m.r.safe(m.inbox.query), "no requests yet — POST to /hooks/{route}", "no requests match")))
	case viewDeliveries:
		head, rows := m.deliv.table(m.r, m.names, w)
		content = renderRows(m.r.st, head, rows, m.deliv.pg.cursor, w, h, m.emptyText(m.deliv.pg.loading, m.deliv.err, emptyList(m.r.safe(m.deliv.query), "no deliveries yet — send a fixture from view 4", "no deliveries match")))
	case viewEndpoints:
		rows, cur := m.endp.lines(m.r, w, g.listRows)
		content = renderRows(m.r.st, m.endp.head(w), rows, cur, w, h, m.emptyText(false, m.endp.err, "no endpoints — n adds one"))
	case viewFixtures:
		rows, cur := m.fix.lines(g.listRows)
		content = renderRows(m.r.st, m.fix.head(), rows, cur, w, h, "no fixtures")
	case viewRoutes:
		head, rows, cur := m.routeLines(w, g.listRows)
		content = renderRows(m.r.st, head, rows, cur, w, h, "no routes — n creates one")
	}
	return m.titled(m.focus == focusList, w, m.pane(m.focus == focusList, w, h, content), m.listTitle(m.active, w-3))
}

// titled writes title into a pane's top border (inner width w).
func (m *Model) titled(focused bool, w int, pane, title string) string {
	st := m.r.st.PaneBlurred
	if focused {
		st = m.r.st.PaneFocused
	}
	i := strings.IndexByte(pane, '\n')
	if w < 4 || i < 0 {
		return pane
	}
	b := st.GetBorderStyle()
	line := lipgloss.NewStyle().Foreground(st.GetBorderTopForeground())
	inner := " " + title + " "
	if ansi.StringWidth(inner) > w-1 {
		inner = ansi.Truncate(inner, max(w-2, 0), "…") + " "
	}
	top := line.Render(b.TopLeft+b.Top) + inner + line.Render(strings.Repeat(b.Top, max(w-1-ansi.StringWidth(inner), 0))+b.TopRight)
	return top + pane[i:]
}

// emptyList is what an empty list says: that nothing has arrived yet, or,
// under a filter, that nothing matches it (there may well be rows).
func emptyList(query, none, noMatch string) string {
	if query == "" {
		return none
	}
	return noMatch + " " + query + " (/ changes the filter)"
}

func (m *Model) emptyText(loading bool, err error, empty string) string {
	switch {
	case err != nil:
		return "error: " + m.r.safe(err.Error())
	case loading:
		return "loading…"
	}
	return empty
}

func (m *Model) detailPane(g geometry) string {
	w := max(g.detW-2, 1)
	h := g.detH - 2
	if m.mode == modePick && m.picker != nil {
		return m.pane(true, w, h, m.picker.view(m.r.st, w, h))
	}
	title := m.r.st.PaneTitle.Render("Detail")
	if m.focus == focusDetail {
		title += m.r.st.Muted.Render(fmt.Sprintf("  %3.0f%%  ↑↓ scroll · esc back", m.detail.ScrollPercent()*100))
	} else {
		title += m.r.st.Muted.Render("  enter to scroll")
	}
	live := ""
	if m.active == viewDeliveries {
		if d := m.details[viewDeliveries]; d.delivery != nil && d.id == m.wantedDetail() {
			live = m.r.countdown(d.delivery, m.clock, m.info.TimeScale)
		}
	}
	top := fit(title, w)
	if live != "" {
		// The countdown is the view's news: on a narrow pane it takes a
		// second line (the viewport's last line gives way) rather than
		// being cut.
		top = fit(live, w)
		if lipgloss.Width(live) > w {
			lines := strings.SplitN(ansi.Wrap(live, w, " "), "\n", 3)
			top = fit(lines[0], w) + "\n" + fit(lines[1], w)
		}
	}
	body := m.detail.View()
	if m.wantedDetail() == 0 {
		body = m.r.st.Empty.Render("nothing selected")
	}
	return m.pane(m.focus == focusDetail, w, h, top+"\n"+body)
}

func (m *Model) statusLine() string {
	st := m.r.st
	switch m.mode {
	case modeFilter:
		if m.filterErr != "" {
			// The error takes the right of the line; the input its room.
			e := "  " + st.StatusError.Render("✗ "+m.r.safe(m.filterErr))
			e = ansi.Truncate(e, max(m.width*2/3, 1), "…")
			in := ansi.Truncate(m.input.View(), max(m.width-lipgloss.Width(e), 0), "")
			return fit(in+e, m.width)
		}
		return fit(m.input.View(), m.width)
	case modeRoute, modeURL, modeJump, modeCommand:
		return fit(m.input.View(), m.width)
	case modeConfirm:
		if m.confirm != nil {
			// The question is cut, never its [y/n].
			const yn = "  [y/n]"
			q := ansi.Truncate(m.confirm.question, max(m.width-len(yn), 1), "…")
			return fit(st.StatusAsk.Render(q+yn), m.width)
		}
	case modePick:
		return fit(st.StatusAsk.Render("pick an endpoint: ↑↓ enter · esc cancel"), m.width)
	}
	style := st.StatusInfo
	switch m.statusKind {
	case statusOK:
		style = st.StatusOK
	case statusError:
		style = st.StatusError
	case statusAsk:
		style = st.StatusAsk
	}
	return fit(style.Render(m.r.safe(m.status)), m.width)
}

// viewKeys are the active view's action bindings.
func (m *Model) viewKeys() ([]key.Binding, [][]key.Binding) {
	switch m.active {
	case viewInbox:
		return m.inbox.keys.ShortHelp(), m.inbox.keys.FullHelp()
	case viewDeliveries:
		return m.deliv.keys.ShortHelp(), m.deliv.keys.FullHelp()
	case viewEndpoints:
		return m.endp.keys.ShortHelp(), m.endp.keys.FullHelp()
	case viewFixtures:
		return m.fix.keys.ShortHelp(), m.fix.keys.FullHelp()
	case viewRoutes:
		return m.routesV.keys.ShortHelp(), m.routesV.keys.FullHelp()
	}
	return nil, nil
}

// footer is the help line: the active view's keys, then navigation, cut
// to the room left by "? help • q quit", which always show at the end.
func (m *Model) footer() string {
	var bindings []key.Binding
	if m.mode == modeForm { // the form's keys
		line := m.help.ShortHelpView([]key.Binding{
			key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/enter", "next field")),
			key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "back")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		})
		return fit(line, m.width)
	}
	if m.focus == focusDetail { // the detail's own keys
		switch m.active {
		case viewDeliveries:
			bindings = append(bindings, m.deliv.keys.PrevAttempt, m.deliv.keys.NextAttempt, m.deliv.keys.Produced)
		case viewInbox:
			bindings = append(bindings, m.inbox.keys.Sender)
		}
		for _, b := range m.nav.DetailHelp() {
			if (b.Help() == m.nav.NextHit.Help() || b.Help() == m.nav.PrevHit.Help()) && m.searchTerm() == "" {
				continue // n/N find the filter's text: shown when there is one
			}
			bindings = append(bindings, b)
		}
	} else {
		short, _ := m.viewKeys()
		bindings = append(append(bindings, short...), m.nav.ShortHelp()...)
		if m.active == viewInbox || m.active == viewDeliveries { // where they work
			bindings = append(bindings, m.global.Filter, m.global.Follow)
		}
		bindings = append(bindings, m.global.NextView)
	}
	always := m.help.ShortHelpView([]key.Binding{m.global.Help, m.global.Quit})
	sep := m.r.st.HelpSep.Render(" • ")
	room := max(m.width-lipgloss.Width(always)-lipgloss.Width(sep), 0)
	rest := m.help
	rest.SetWidth(room)
	// help can still add an item past its width when no ellipsis fits.
	line := ansi.Truncate(rest.ShortHelpView(bindings), room, "…")
	if line == "" {
		return fit(always, m.width)
	}
	return fit(line+sep+always, m.width)
}

func (m *Model) fullHelp() string {
	_, full := m.viewKeys()
	groups := append(append(full, m.nav.FullHelp()...), m.global.FullHelp()...)
	title := m.r.st.PaneTitle.Render(viewNames[m.active]+" — keys") + m.r.st.Muted.Render("   (? or esc to close)")
	filter := ""
	if m.active == viewInbox || m.active == viewDeliveries {
		filter = m.r.st.Muted.Render("filter: " + filterHint(m.active) + " (other words search the text)")
	}
	content := title + "\n\n" + m.helpColumns(groups) + "\n\n" + filter
	h := m.geometry().bodyH
	lines := strings.Split(content, "\n")
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i := range lines {
		lines[i] = fit(lines[i], m.width)
	}
	return strings.Join(lines[:h], "\n")
}

// helpColumns lays the key groups out side by side, starting a new band
// below when the next group would not fit the width, so no group is cut
// (help's own full view drops the columns past the width).
func (m *Model) helpColumns(groups [][]key.Binding) string {
	const gap = "   "
	var bands []string
	var band []string
	bandW := 0
	flush := func() {
		if len(band) > 0 {
			bands = append(bands, lipgloss.JoinHorizontal(lipgloss.Top, band...))
		}
		band, bandW = nil, 0
	}
	h := m.help
	h.SetWidth(0) // each group whole; the bands do the fitting
	for _, g := range groups {
		col := h.FullHelpView([][]key.Binding{g})
		w := lipgloss.Width(col)
		if len(band) > 0 && bandW+len(gap)+w > m.width {
			flush()
		}
		if len(band) > 0 {
			band = append(band, gap)
			bandW += len(gap)
		}
		band = append(band, col)
		bandW += w
	}
	flush()
	return strings.Join(bands, "\n\n")
}

// plain strips styling (tests and the narrow checks use it).
func plain(s string) string { return ansi.Strip(s) }
