// Package keys defines the console's key bindings: one KeyMap for what works
// everywhere, one for moving in a list or the detail pane, and one per view
// for its actions. Each has a Default constructor and ShortHelp/FullHelp,
// so the footer and the full help are generated from the same bindings the
// views match on.
package keys

import "charm.land/bubbles/v2/key"

// Global works in every view.
type Global struct {
	Quit     key.Binding
	NextView key.Binding
	PrevView key.Binding
	Inbox    key.Binding
	Deliv    key.Binding
	Endpts   key.Binding
	Fixtures key.Binding
	Routes   key.Binding
	Help     key.Binding
	Filter   key.Binding
	Follow   key.Binding
	Jump     key.Binding
	Command  key.Binding
}

// DefaultGlobal is the default Global map.
func DefaultGlobal() Global {
	return Global{
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		NextView: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next view")),
		PrevView: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous view")),
		Inbox:    key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "inbox")),
		Deliv:    key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "deliveries")),
		Endpts:   key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "endpoints")),
		Fixtures: key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "fixtures")),
		Routes:   key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "routes")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Follow:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "follow")),
		Jump:     key.NewBinding(key.WithKeys("#"), key.WithHelp("#", "go to id")),
		Command:  key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command line")),
	}
}

// ShortHelp is the footer's share of global keys.
func (k Global) ShortHelp() []key.Binding { return []key.Binding{k.NextView, k.Help, k.Quit} }

// FullHelp lists every global key.
func (k Global) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.NextView, k.PrevView, k.Inbox, k.Deliv, k.Endpts, k.Fixtures, k.Routes},
		{k.Filter, k.Jump, k.Command, k.Follow, k.Help, k.Quit},
	}
}

// Nav moves in a list and scrolls the detail pane.
type Nav struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Open     key.Binding
	Back     key.Binding
	Zoom     key.Binding
	Narrower key.Binding
	Wider    key.Binding
	Wrap     key.Binding
	NextHit  key.Binding
	PrevHit  key.Binding
}

// DefaultNav is the default Nav map.
func DefaultNav() Nav {
	return Nav{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "newest")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "oldest")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "detail")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Zoom:     key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom pane")),
		Narrower: key.NewBinding(key.WithKeys("<"), key.WithHelp("<", "narrower list")),
		Wider:    key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "wider list")),
		Wrap:     key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap on/off")),
		NextHit:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		PrevHit:  key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
	}
}

// ShortHelp is the footer's share of navigation keys.
func (k Nav) ShortHelp() []key.Binding { return []key.Binding{k.Down, k.Open} }

// DetailHelp is the footer's share of navigation keys while the detail
// pane has focus.
func (k Nav) DetailHelp() []key.Binding {
	scroll := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓/pgdn", "scroll"))
	return []key.Binding{scroll, k.NextHit, k.PrevHit, k.Wrap, k.Zoom, k.Back}
}

// FullHelp lists every navigation key.
func (k Nav) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Back}, {k.Zoom, k.Narrower, k.Wider, k.Wrap, k.NextHit, k.PrevHit}}
}

// Inbox holds the received-requests view's actions.
type Inbox struct {
	Replay   key.Binding
	Simulate key.Binding
	Curl     key.Binding
	Export   key.Binding
	HAR      key.Binding
	Pager    key.Binding
	Sender   key.Binding
	Inspect  Inspect
}

// DefaultInbox is the default Inbox map.
func DefaultInbox() Inbox {
	return Inbox{
		Replay:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "replay")),
		Simulate: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "route response")),
		Curl:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy curl")),
		Export:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export JSON lines")),
		HAR:      key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "export HAR")),
		Pager:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open whole in $PAGER")),
		Sender:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delivery that sent it")),
		Inspect:  DefaultInspect(),
	}
}

// ShortHelp is the footer's share of Inbox keys.
func (k Inbox) ShortHelp() []key.Binding { return []key.Binding{k.Simulate, k.Replay, k.Curl} }

// FullHelp lists every Inbox key.
func (k Inbox) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Simulate, k.Replay, k.Curl, k.Export, k.HAR, k.Pager, k.Sender}, k.Inspect.FullHelp()}
}

// Deliveries holds the deliveries view's actions.
type Deliveries struct {
	PrevAttempt key.Binding
	NextAttempt key.Binding
	Retry       key.Binding
	Produced    key.Binding
	Inspect     Inspect
	Curl        key.Binding
	Export      key.Binding
	HAR         key.Binding
	Pager       key.Binding
}

// DefaultDeliveries is the default Deliveries map.
func DefaultDeliveries() Deliveries {
	return Deliveries{
		PrevAttempt: key.NewBinding(key.WithKeys("["), key.WithHelp("[", "earlier attempt")),
		NextAttempt: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "later attempt")),
		Retry:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry now")),
		Produced:    key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "request it produced")),
		Inspect:     DefaultInspect(),
		Curl:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy curl")),
		Export:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export JSON lines")),
		HAR:         key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "export HAR")),
		Pager:       key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open whole in $PAGER")),
	}
}

// ShortHelp is the footer's share of Deliveries keys.
func (k Deliveries) ShortHelp() []key.Binding { return []key.Binding{k.Retry, k.Curl} }

// FullHelp lists every Deliveries key.
func (k Deliveries) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Retry, k.PrevAttempt, k.NextAttempt, k.Produced, k.Curl, k.Export, k.HAR, k.Pager}}
}

// Endpoints holds the endpoints view's actions.
type Endpoints struct {
	New         key.Binding
	Edit        key.Binding
	Test        key.Binding
	Toggle      key.Binding
	SendSkipped key.Binding
	RetryFailed key.Binding
	Rotate      key.Binding
	Delete      key.Binding
}

// DefaultEndpoints is the default Endpoints map.
func DefaultEndpoints() Endpoints {
	return Endpoints{
		New:         key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new endpoint")),
		Edit:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Test:        key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test-send")),
		Toggle:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "disable/enable")),
		SendSkipped: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "send skipped")),
		RetryFailed: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "retry failed")),
		Rotate:      key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "new secret/token")),
		Delete:      key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete")),
	}
}

// ShortHelp is the footer's share of Endpoints keys.
func (k Endpoints) ShortHelp() []key.Binding { return []key.Binding{k.New, k.Edit, k.Test, k.Toggle} }

// FullHelp lists every Endpoints key.
func (k Endpoints) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.New, k.Edit, k.Test, k.Toggle, k.SendSkipped, k.RetryFailed, k.Rotate, k.Delete}}
}

// Fixtures holds the fixtures view's actions.
type Fixtures struct {
	Send     key.Binding
	EditSend key.Binding
}

// DefaultFixtures is the default Fixtures map.
func DefaultFixtures() Fixtures {
	return Fixtures{
		Send:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "send to endpoint")),
		EditSend: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit & send")),
	}
}

// ShortHelp is the footer's share of Fixtures keys.
func (k Fixtures) ShortHelp() []key.Binding { return []key.Binding{k.Send, k.EditSend} }

// FullHelp lists every Fixtures key.
func (k Fixtures) FullHelp() [][]key.Binding { return [][]key.Binding{{k.Send, k.EditSend}} }

// Confirm answers a question in the status line.
type Confirm struct {
	Yes key.Binding
	No  key.Binding
}

// DefaultConfirm is the default Confirm map.
func DefaultConfirm() Confirm {
	return Confirm{
		Yes: key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y", "confirm")),
		No:  key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "cancel")),
	}
}

// Routes holds the receiver routes view's actions.
type Routes struct {
	New         key.Binding
	Edit        key.Binding
	Credentials key.Binding
	Reset       key.Binding
	Delete      key.Binding
}

// DefaultRoutes is the default Routes map.
func DefaultRoutes() Routes {
	return Routes{
		New:         key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new route")),
		Edit:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit answer")),
		Credentials: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "profile & credentials")),
		Reset:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reset answer")),
		Delete:      key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete")),
	}
}

// ShortHelp is the footer's share of Routes keys.
func (k Routes) ShortHelp() []key.Binding { return []key.Binding{k.New, k.Edit, k.Reset} }

// FullHelp lists every Routes key.
func (k Routes) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.New, k.Edit, k.Credentials, k.Reset, k.Delete}}
}

// Inspect holds the keys the Inbox and Deliveries share, for looking at a
// request (or the attempt shown) in other ways and for the history.
type Inspect struct {
	Raw   key.Binding
	Copy  key.Binding
	Mark  key.Binding
	Diff  key.Binding
	Prune key.Binding
}

// DefaultInspect is the default Inspect map.
func DefaultInspect() Inspect {
	return Inspect{
		Raw:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "raw bytes on/off")),
		Copy:  key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy…")),
		Mark:  key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mark for diff")),
		Diff:  key.NewBinding(key.WithKeys("="), key.WithHelp("=", "diff with the mark")),
		Prune: key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "prune history…")),
	}
}

// FullHelp lists the Inspect keys as one group.
func (k Inspect) FullHelp() []key.Binding {
	return []key.Binding{k.Raw, k.Copy, k.Mark, k.Diff, k.Prune}
}
