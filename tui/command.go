package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/sanitize"
)

// The command line (:) does what the keys and forms do, for people who
// would rather type: tab completes the word being typed (the rest shows
// greyed), ↑/↓ pick among several completions.
//
//	route NAME [status=… fail_first=… fail_status=… delay_ms=… failure_rate=… hang=…]
//	route new | route delete NAME
//	endpoint add | endpoint NAME edit|test [EVENT]|disable [REASON]|enable|send-skipped|rotate|delete
//	export jsonl|har      prune 7d|DATE|all      go ID      view NAME      quit

// commandWords are the command line's first words.
var commandWords = []string{"route", "endpoint", "export", "prune", "go", "view", "quit"}

// simKeys are the keys `route NAME` takes.
var simKeys = []string{"status=", "fail_first=", "fail_status=", "delay_ms=", "failure_rate=", "hang="}

// endpointVerbs are what `endpoint NAME` does.
var endpointVerbs = []string{"edit", "test", "disable", "enable", "send-skipped", "rotate", "delete"}

// startCommand opens the command line.
func (m *Model) startCommand() tea.Cmd {
	m.mode = modeCommand
	m.input.Prompt = ":"
	m.input.Placeholder = "route, endpoint, export, prune, go, view, quit (tab completes)"
	m.input.SetValue("")
	m.input.ShowSuggestions = true
	m.input.SetSuggestions(m.completions(""))
	return m.input.Focus()
}

// completions are the whole lines the command line may become by
// completing its last word.
func (m *Model) completions(line string) []string {
	words := strings.Fields(line)
	if line == "" || strings.HasSuffix(line, " ") {
		words = append(words, "")
	}
	head := strings.Join(words[:len(words)-1], " ")
	if head != "" {
		head += " "
	}
	var cands []string
	switch n := len(words); {
	case n == 1:
		cands = commandWords
	case words[0] == "route" && n == 2:
		cands = append([]string{"new", "delete"}, m.routeNames()...)
	case words[0] == "route" && n == 3 && words[1] == "delete":
		cands = m.routeNames()
	case words[0] == "route" && n >= 3:
		cands = simKeys
	case words[0] == "endpoint" && n == 2:
		cands = append([]string{"add"}, m.endpointNames()...)
	case words[0] == "endpoint" && n == 3:
		cands = endpointVerbs
	case words[0] == "endpoint" && n == 4 && words[2] == "test":
		if e, ok := m.endpointByName(words[1]); ok {
			if p, err := fixtures.Lookup(e.Profile); err == nil {
				for _, ev := range p.Catalogue() {
					cands = append(cands, ev.Type)
				}
			}
		}
	case words[0] == "export" && n == 2:
		cands = []string{"jsonl", "har"}
	case words[0] == "prune" && n == 2:
		cands = []string{"7d", "30d", "24h", "all"}
	case words[0] == "view" && n == 2:
		for _, name := range viewNames {
			cands = append(cands, strings.ToLower(name))
		}
	}
	out := make([]string, 0, len(cands))
	for _, c := range cands {
		out = append(out, head+c)
	}
	return out
}

func (m *Model) routeNames() []string {
	out := make([]string, 0, len(m.routes))
	for _, r := range m.routes {
		out = append(out, r.Name)
	}
	return out
}

func (m *Model) endpointNames() []string {
	out := make([]string, 0, len(m.endp.rows))
	for _, e := range m.endp.rows {
		if !strings.ContainsAny(e.Name, " \t") { // a word on the command line
			out = append(out, e.Name)
		}
	}
	return out
}

func (m *Model) endpointByName(name string) (db.Endpoint, bool) {
	for _, e := range m.endp.rows {
		if e.Name == name {
			return e, true
		}
	}
	return db.Endpoint{}, false
}

// commandKey handles a key while the command line is open.
func (m *Model) commandKey(msg tea.KeyPressMsg) tea.Cmd {
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.input.SetSuggestions(m.completions(m.input.Value()))
	return cmd
}

// runCommand does what a command line says.
func (m *Model) runCommand(line string) tea.Cmd {
	m.input.ShowSuggestions = false
	w := strings.Fields(line)
	if len(w) == 0 {
		m.setStatus(statusInfo, "cancelled: no command")
		return nil
	}
	bad := func(format string, args ...any) tea.Cmd {
		m.setStatus(statusError, "✗ "+fmt.Sprintf(format, args...))
		return nil
	}
	switch w[0] {
	case "q", "quit":
		return tea.Quit
	case "go":
		if len(w) != 2 {
			return bad("go ID: the id of a request (Inbox) or a delivery (Deliveries)")
		}
		var sw tea.Cmd
		if m.active != viewInbox && m.active != viewDeliveries {
			sw = m.switchView(viewInbox)
		}
		return tea.Batch(sw, m.jump(w[1]))
	case "view":
		for i, name := range viewNames {
			if len(w) == 2 && strings.EqualFold(w[1], name) {
				return m.switchView(viewID(i))
			}
		}
		return bad("view NAME: inbox, deliveries, endpoints, fixtures or routes")
	case "export":
		if len(w) != 2 || (w[1] != "jsonl" && w[1] != "har") || (m.active != viewInbox && m.active != viewDeliveries) {
			return bad("export jsonl|har, in the Inbox or Deliveries (the whole filtered list)")
		}
		switch {
		case m.active == viewInbox && w[1] == "jsonl":
			return m.exportInbox()
		case m.active == viewInbox:
			return m.exportInboxHAR()
		case w[1] == "jsonl":
			return m.exportDeliveries()
		default:
			return m.exportDeliveriesHAR()
		}
	case "prune":
		if len(w) != 2 {
			return bad("prune 7d|DATE|all")
		}
		if err := checkPruneDays(w[1]); err != nil {
			return bad("%v", err)
		}
		return m.askPrune(w[1])
	case "route":
		return m.routeCommand(w[1:], bad)
	case "endpoint":
		return m.endpointCommand(w[1:], line, bad)
	}
	return bad("unknown command %q: %s", sanitize.Line(w[0]), strings.Join(commandWords, ", "))
}

// checkPruneDays checks the N of a prune's "Nd" by limits.PruneDays, as
// prune --older-than does; any other time is left to db.ParseWhen.
func checkPruneDays(when string) error {
	days, ok := strings.CutSuffix(when, "d")
	if !ok {
		return nil
	}
	var re *limits.RangeError
	if _, err := limits.PruneDays.Named("prune").Parse(days); errors.As(err, &re) && !re.NaN {
		return err
	}
	return nil
}

func (m *Model) routeCommand(w []string, bad func(string, ...any) tea.Cmd) tea.Cmd {
	switch {
	case len(w) == 0:
		return bad("route NAME [key=value…] | route new | route delete NAME")
	case w[0] == "new" && len(w) == 1:
		return tea.Batch(m.switchView(viewRoutes), m.startNewRoute())
	case w[0] == "delete" && len(w) == 2:
		if !m.routeExists(w[1]) {
			return bad("no route %s", sanitize.Line(w[1]))
		}
		return m.askDeleteRoute(w[1])
	}
	i := slices.IndexFunc(m.routes, func(r db.Route) bool { return r.Name == w[0] })
	if i < 0 {
		return bad("no route %s (route new creates one)", sanitize.Line(w[0]))
	}
	r := m.routes[i]
	if len(w) == 1 {
		return m.startEditAnswer(r)
	}
	sim, err := db.ParseSimWords(r.Response, strings.Join(w[1:], " "))
	if err != nil {
		return bad("%v", err)
	}
	return m.askRouteAnswer(r.Name, sim)
}

func (m *Model) endpointCommand(w []string, line string, bad func(string, ...any) tea.Cmd) tea.Cmd {
	if len(w) == 1 && w[0] == "add" {
		f := newEndpointForm(db.Endpoint{})
		return m.startForm("New endpoint", f.form(m.endpointNamed), func() tea.Cmd { return m.saveEndpoint(f) })
	}
	if len(w) < 2 {
		return bad("endpoint add | endpoint NAME %s", strings.Join(endpointVerbs, "|"))
	}
	e, ok := m.endpointByName(w[0])
	if !ok {
		return bad("no endpoint %s (endpoint add creates one)", sanitize.Line(w[0]))
	}
	switch w[1] {
	case "edit":
		f := newEndpointForm(e)
		return m.startForm("Endpoint "+sanitize.Line(e.Name), f.form(m.endpointNamed), func() tea.Cmd { return m.saveEndpoint(f) })
	case "test":
		if len(w) == 2 {
			return m.startTestSend(e)
		}
		if _, _, err := fixtures.Find(e.Profile, w[2]); err != nil {
			return bad("%v", err)
		}
		return m.askTestSend(e, w[2])
	case "disable":
		if len(w) == 2 {
			return m.startDisable(e)
		}
		// The reason is the rest of the line as typed.
		_, rest, _ := strings.Cut(line, " disable ")
		return m.askDisable(e, strings.TrimSpace(rest))
	case "enable":
		return m.askEnable(e)
	case "send-skipped":
		return m.askSendSkipped(e)
	case "rotate":
		return m.askRotate(e)
	case "delete":
		return m.askDeleteEndpoint(e)
	}
	return bad("endpoint NAME %s", strings.Join(endpointVerbs, "|"))
}
