package tui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/sanitize"
	"github.com/hookscope/hookscope/tui/keys"
	"github.com/hookscope/hookscope/tui/styles"
	"github.com/hookscope/hookscope/validate"
)

// confirmation is a question in the status line and what a yes runs.
type confirmation struct {
	question string
	run      tea.Cmd
}

// picker chooses an endpoint for an action, or, where onURL is set, a URL
// typed in the status line (the entry after the endpoints).
type picker struct {
	title  string
	items  []db.Endpoint
	cursor int
	onPick func(e db.Endpoint) tea.Cmd
	onURL  func() tea.Cmd
}

// urlEntry is the picker's last row when a URL may be typed.
const urlEntry = "   ↳ type a URL…"

// entries counts the rows that can be picked.
func (p *picker) entries() int {
	if p.onURL != nil {
		return len(p.items) + 1
	}
	return len(p.items)
}

func (p *picker) view(st *styles.Styles, w, h int) string {
	rows := make([]string, 0, p.entries())
	nameW := 4
	for _, e := range p.items {
		nameW = max(nameW, min(ansi.StringWidth(sanitize.Line(e.Name)), 28))
	}
	for _, e := range p.items {
		state := ""
		if !e.Enabled {
			state = " (disabled)"
		}
		rows = append(rows, fmt.Sprintf("%4d %s %s%s", e.ID, fit(sanitize.Line(e.Name), nameW), sanitize.Line(e.URL), state))
	}
	if p.onURL != nil {
		rows = append(rows, urlEntry)
	}
	off := scrollWindow(p.cursor, 0, h-1, len(rows))
	end := min(len(rows), off+h-1)
	return renderRows(st, p.title, rows[off:end], p.cursor-off, w, h, "no endpoints — n in Endpoints (3) adds one")
}

// runAction wraps an action call as a Cmd reporting to the status line.
func (m *Model) runAction(fn func(ctx context.Context, a Actions) (string, error)) tea.Cmd {
	ctx, act := m.ctx, m.act
	return func() tea.Msg {
		text, err := fn(ctx, act)
		return actionDoneMsg{text: text, err: err}
	}
}

// ask puts a question in the status line.
func (m *Model) ask(question string, run tea.Cmd) tea.Cmd {
	m.confirm = &confirmation{question: question, run: run}
	m.mode = modeConfirm
	return nil
}

// pickFrom opens the picker over some endpoints.
func (m *Model) pickFrom(title string, items []db.Endpoint, onPick func(e db.Endpoint) tea.Cmd) tea.Cmd {
	m.picker = &picker{title: title, items: items, onPick: onPick}
	m.mode = modePick
	return nil
}

// inspectAction runs the keys the Inbox and Deliveries share.
func (m *Model) inspectAction(msg tea.KeyPressMsg, k keys.Inspect) (tea.Cmd, bool) {
	switch {
	case key.Matches(msg, k.Raw):
		return m.toggleRaw(), true
	case key.Matches(msg, k.Copy):
		return m.startCopy(), true
	case key.Matches(msg, k.Mark):
		return m.markForDiff(), true
	case key.Matches(msg, k.Diff):
		return m.showDiff(), true
	case key.Matches(msg, k.Prune):
		return m.startPrune(), true
	}
	return nil, false
}

// handleAction runs the active view's action keys.
func (m *Model) handleAction(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	switch m.active {
	case viewInbox, viewDeliveries:
		k := m.inbox.keys.Inspect
		if m.active == viewDeliveries {
			k = m.deliv.keys.Inspect
		}
		if cmd, ok := m.inspectAction(msg, k); ok {
			return cmd, true
		}
	}
	switch m.active {
	case viewInbox:
		k := m.inbox.keys
		q, ok := m.inbox.pg.selected()
		switch {
		case key.Matches(msg, k.Replay) && ok:
			return m.startReplay(q), true
		case key.Matches(msg, k.Simulate) && ok:
			return m.startRouteEdit(q.Route), true
		case key.Matches(msg, k.Curl) && ok:
			return m.copyRequestCurl(q.ID), true
		case key.Matches(msg, k.Export):
			return m.exportInbox(), true
		case key.Matches(msg, k.HAR):
			return m.exportInboxHAR(), true
		case key.Matches(msg, k.Pager) && ok:
			return m.openInPager(viewInbox, q.ID), true
		case key.Matches(msg, k.Sender) && ok:
			return m.findSender(q.ID), true
		}
	case viewDeliveries:
		k := m.deliv.keys
		d, ok := m.deliv.pg.selected()
		switch {
		case key.Matches(msg, k.Retry) && ok:
			q := fmt.Sprintf("Retry delivery #%d now?", d.ID)
			if d.Status == db.DeliverySkipped {
				q = fmt.Sprintf("Send delivery #%d, skipped while its endpoint was disabled, now?", d.ID)
			}
			return m.ask(q,
				m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.RetryNow(ctx, d.ID) })), true
		case key.Matches(msg, k.Produced) && ok:
			return m.findProduced(d.ID), true
		case key.Matches(msg, k.PrevAttempt, k.NextAttempt) && ok:
			return m.stepAttempt(key.Matches(msg, k.NextAttempt)), true
		case key.Matches(msg, k.Curl) && ok:
			return m.copyDeliveryCurl(d.ID), true
		case key.Matches(msg, k.Export):
			return m.exportDeliveries(), true
		case key.Matches(msg, k.HAR):
			return m.exportDeliveriesHAR(), true
		case key.Matches(msg, k.Pager) && ok:
			return m.openInPager(viewDeliveries, d.ID), true
		}
	case viewEndpoints:
		return m.endpointAction(msg)
	case viewRoutes:
		return m.routeAction(msg)
	case viewFixtures:
		k := m.fix.keys
		f, ok := m.fix.selected()
		switch {
		case key.Matches(msg, k.Send) && ok:
			vendor, event := f.profile.Name(), f.info.Type
			return m.pickFrom(fmt.Sprintf("send %s %s to… (%s endpoints)", vendor, event, vendor), m.endpointsOf(vendor), func(e db.Endpoint) tea.Cmd {
				// A real webhook goes out: the picked target is confirmed
				// first, so no stray Enter sends one.
				return m.ask(fmt.Sprintf("Send %s %s to %s (%s)?", vendor, event, sanitize.Line(e.Name), sanitize.Line(e.URL)),
					m.runAction(func(ctx context.Context, a Actions) (string, error) {
						return a.SendFixture(ctx, e.ID, vendor, event, nil)
					}))
			}), true
		case key.Matches(msg, k.EditSend) && ok:
			return m.editAndSend(f), true
		}
	}
	return nil, false
}

func (m *Model) handleConfirm(msg tea.KeyPressMsg) tea.Cmd {
	c := m.confirm
	switch {
	case key.Matches(msg, m.confirmKeys.Yes):
		m.mode, m.confirm = modeNormal, nil
		m.setStatus(statusBusy, "working…")
		return c.run
	case key.Matches(msg, m.confirmKeys.No):
		m.mode, m.confirm = modeNormal, nil
		m.setStatus(statusInfo, "cancelled")
	}
	return nil
}

func (m *Model) handlePick(msg tea.KeyPressMsg) tea.Cmd {
	p := m.picker
	switch {
	case key.Matches(msg, m.nav.Back):
		m.mode, m.picker = modeNormal, nil
		m.setStatus(statusInfo, "cancelled")
	case key.Matches(msg, m.nav.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, m.nav.Down):
		p.cursor = min(p.cursor+1, max(p.entries()-1, 0))
	case key.Matches(msg, m.nav.Open):
		if p.entries() == 0 {
			return nil
		}
		m.mode, m.picker = modeNormal, nil
		if p.cursor >= len(p.items) {
			return p.onURL()
		}
		return p.onPick(p.items[p.cursor])
	}
	return nil
}

// startReplay opens the picker for a replay of a received request: the
// endpoints of its vendor (every endpoint for a request no vendor
// claimed), then an entry to type a URL.
func (m *Model) startReplay(q db.Request) tea.Cmd {
	items := m.endp.rows
	vendor := q.Vendor
	if vendor != "" && vendor != fixtures.Unknown {
		items = m.endpointsOf(vendor)
	} else {
		vendor = "unrecognised"
	}
	id := q.ID
	m.pickFrom(fmt.Sprintf("replay request #%d (%s) to…", id, sanitize.Line(vendor)), items, func(e db.Endpoint) tea.Cmd {
		return m.ask(fmt.Sprintf("Replay request #%d to %s (re-signed with its credentials)?", id, sanitize.Line(e.Name)),
			m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.Replay(ctx, id, e.ID) }))
	})
	path := q.Path
	m.picker.onURL = func() tea.Cmd {
		m.mode = modeURL
		m.replayID = id
		m.input.Prompt = fmt.Sprintf("replay #%d to URL: ", id)
		m.input.Placeholder = "http://127.0.0.1:8080/hooks/NAME"
		def := ""
		if m.info.ReceiverAddr != "" {
			def = "http://" + m.info.ReceiverAddr + path
		}
		m.input.SetValue(def)
		m.input.CursorEnd()
		return m.input.Focus()
	}
	return nil
}

// startFilter opens the filter prompt for the active list.
func (m *Model) startFilter() tea.Cmd {
	if m.active != viewInbox && m.active != viewDeliveries {
		m.setStatus(statusInfo, "filter works in the Inbox and Deliveries")
		return nil
	}
	m.mode = modeFilter
	m.input.Prompt = "/ "
	m.input.Placeholder = filterHint(m.active)
	m.input.SetValue(m.activeQuery())
	m.input.CursorEnd()
	return m.input.Focus()
}

// startRouteEdit opens the simulated-response prompt for a route.
func (m *Model) startRouteEdit(route string) tea.Cmd {
	if route == "" {
		m.setStatus(statusError, "this request came on no route")
		return nil
	}
	var cur db.SimResponse
	for _, r := range m.routes {
		if r.Name == route {
			cur = r.Response
		}
	}
	m.mode = modeRoute
	m.routeName, m.routeBase = route, cur
	m.input.Prompt = "route " + sanitize.Line(route) + " answers: "
	m.input.Placeholder = db.SimWordsHelp
	m.input.SetValue(cur.Words())
	m.input.CursorEnd()
	return m.input.Focus()
}

func (m *Model) handleInput(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		mode := m.mode
		m.mode = modeNormal
		m.input.Blur()
		m.input.ShowSuggestions = false
		if mode == modeFilter { // esc clears the filter
			m.input.SetValue("")
			m.filterErr = ""
			m.setStatus(statusInfo, "filter cleared")
			return m.applyFilter("")
		}
		m.setStatus(statusInfo, "cancelled")
		return nil
	case "enter":
		value := m.input.Value()
		mode := m.mode
		m.mode = modeNormal
		m.input.Blur()
		if mode == modeURL {
			target, id := strings.TrimSpace(value), m.replayID
			if target == "" {
				m.setStatus(statusInfo, "cancelled: no URL")
				return nil
			}
			return m.ask(fmt.Sprintf("Replay request #%d to %s?", id, sanitize.Line(target)),
				m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.ReplayToURL(ctx, id, target) }))
		}
		if mode == modeJump {
			return m.jump(value)
		}
		if mode == modeCommand {
			return m.runCommand(value)
		}
		if mode == modeRoute {
			sim, err := db.ParseSimWords(m.routeBase, value)
			if err != nil {
				m.setStatus(statusError, err.Error())
				return nil
			}
			return m.askRouteAnswer(m.routeName, sim)
		}
		cmd := m.applyFilter(value)
		if m.filterErr != "" {
			m.setStatus(statusError, m.filterErr)
		} else {
			m.setStatus(statusInfo, filterStatus(value))
		}
		return cmd
	}
	if m.mode == modeCommand {
		return m.commandKey(msg)
	}
	var cmd tea.Cmd
	before := m.input.Value()
	m.input, cmd = m.input.Update(msg)
	if m.mode == modeFilter && m.input.Value() != before {
		// Applied as typed, once typing pauses.
		m.filterSeq++
		seq := m.filterSeq
		tick := func(time.Time) tea.Msg { return filterTickMsg{seq: seq} }
		if m.debounce <= 0 {
			return tea.Batch(cmd, func() tea.Msg { return tick(time.Time{}) })
		}
		return tea.Batch(cmd, tea.Tick(m.debounce, tick))
	}
	return cmd
}

// DefaultFilterDebounce is how long typing pauses before the filter
// applies, in the console a person runs (Config.FilterDebounce).
const DefaultFilterDebounce = 250 * time.Millisecond

// filterTickMsg applies the filter being typed if nothing was typed since.
type filterTickMsg struct{ seq int }

// applyFilter parses the query and reloads the active list from the top.
// A query that does not parse (an unknown key, a value the key does not
// take) changes nothing: the error is shown instead.
func (m *Model) applyFilter(q string) tea.Cmd {
	words := strings.Fields(q)
	switch m.active {
	case viewInbox:
		f, err := m.inboxFilter(words)
		if err != nil {
			m.filterErr = err.Error()
			return nil
		}
		m.filterErr = ""
		changed := f != m.inbox.filter
		m.inbox.filter, m.inbox.query = f, strings.Join(words, " ")
		m.inbox.pg.top()
		m.setDetail(m.detailRaw, true) // its matches change with the text
		if !changed {
			return m.inbox.fetch(m.ctx, m.src)
		}
		return tea.Batch(m.inbox.fetch(m.ctx, m.src), m.filterChanged(viewInbox))
	case viewDeliveries:
		f, err := m.deliveriesFilter(words)
		if err != nil {
			m.filterErr = err.Error()
			return nil
		}
		m.filterErr = ""
		changed := f != m.deliv.filter
		m.deliv.filter, m.deliv.query = f, strings.Join(words, " ")
		m.deliv.pg.top()
		m.setDetail(m.detailRaw, true) // its matches change with the text
		if !changed {
			return m.deliv.fetch(m.ctx, m.src)
		}
		return tea.Batch(m.deliv.fetch(m.ctx, m.src), m.filterChanged(viewDeliveries))
	}
	return nil
}

// inboxKeys are the Inbox filter's keys, each with its canonical name.
var inboxKeys = map[string]string{"vendor": "vendor", "status": "status", "route": "route", "sig": "sig", "signature": "sig"}

// deliveriesKeys are the Deliveries filter's keys.
var deliveriesKeys = map[string]string{"vendor": "vendor", "status": "status", "endpoint": "endpoint", "check": "check"}

// inboxFilter reads the Inbox's filter words; values are checked as the
// REST API and `requests list` check them (validate.RequestFilter).
func (m *Model) inboxFilter(words []string) (db.RequestFilter, error) {
	kv, text, err := parseFilter(words, inboxKeys)
	if err != nil {
		return db.RequestFilter{}, err
	}
	f := db.RequestFilter{Vendor: kv["vendor"], Status: kv["status"], Route: kv["route"], Signature: kv["sig"], Text: text}
	err = validate.RequestFilter(&f) // the pager sets the page size (Limit 0)
	return f, asFilterText(err)
}

// asFilterText names, in a *limits.RangeError of the shared filter
// parser, its q as what the console calls it: the filter's search text.
func asFilterText(err error) error {
	var re *limits.RangeError
	if errors.As(err, &re) && re.Field == "q" {
		re.Field = "search text"
	}
	return err
}

// deliveriesFilter reads the Deliveries filter's words (endpoint: takes an
// id or a name).
func (m *Model) deliveriesFilter(words []string) (db.DeliveryFilter, error) {
	kv, text, err := parseFilter(words, deliveriesKeys)
	if err != nil {
		return db.DeliveryFilter{}, err
	}
	f := db.DeliveryFilter{Vendor: kv["vendor"], Status: kv["status"], Text: text, Limit: 1}
	if run, ok := kv["check"]; ok && run != "" {
		f.Source = "check " + run // the deliveries of one `hookscope check` run
	}
	if v, ok := kv["endpoint"]; ok {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			f.EndpointID = id
		} else {
			for id, name := range m.names {
				if name == v {
					f.EndpointID = id
				}
			}
			if f.EndpointID == 0 {
				return f, fmt.Errorf("endpoint %q: no endpoint has that id or name", v)
			}
		}
	}
	err = validate.DeliveryFilter(&f)
	f.Limit = 0
	return f, asFilterText(err)
}

// filterKeyRE is what a filter key looks like: "vendor" in "vendor:holm".
// A word whose part before ":" is not one (a URL, a JSON fragment) is
// searched as text.
var filterKeyRE = regexp.MustCompile(`^[a-z_]+$`)

// parseFilter splits typed filter words into key:value pairs, for the keys
// known (each mapped to its canonical name; a later word wins), and the
// rest, joined, which is searched as text. A word that looks like a key
// this view does not know is an error naming the keys it does.
func parseFilter(words []string, known map[string]string) (map[string]string, string, error) {
	kv := map[string]string{}
	var text []string
	for _, w := range words {
		if k, v, ok := strings.Cut(w, ":"); ok && filterKeyRE.MatchString(k) && !strings.HasPrefix(v, "//") {
			canon, isKey := known[k]
			if !isKey {
				return nil, "", fmt.Errorf("unknown filter key %q (here: %s; other words search the text)", k+":", strings.Join(sortedKeys(known), ", "))
			}
			kv[canon] = v
			continue
		}
		text = append(text, w)
	}
	return kv, strings.Join(text, " "), nil
}

// sortedKeys lists a filter's keys as "key:" words, sorted.
func sortedKeys(known map[string]string) []string {
	out := make([]string, 0, len(known))
	for k := range known {
		out = append(out, k+":")
	}
	slices.Sort(out)
	return out
}

func filterStatus(q string) string {
	if strings.TrimSpace(q) == "" {
		return "filter cleared"
	}
	return "filter: " + q
}

// endpointsOf lists the endpoints whose profile frames vendor's events.
func (m *Model) endpointsOf(vendor string) []db.Endpoint {
	var out []db.Endpoint
	for _, e := range m.endp.rows {
		if e.Profile == vendor {
			out = append(out, e)
		}
	}
	return out
}

// filterHint is what a view's filter takes.
func filterHint(v viewID) string {
	if v == viewDeliveries {
		return "vendor:holm status:failed (or the last attempt's 5xx, 503) endpoint:NAME check:RUN text…"
	}
	return "vendor:cyscale status:5xx route:NAME sig:invalid text…"
}
