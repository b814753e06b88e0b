// Package tui is hookscope's console: one Bubble Tea v2 root model over the
// running receiver and sender, which it reaches only through its own
// interfaces, Source (what it reads) and Actions (what it does; the wiring,
// cmd/app, adapts the sender and receiver to it).
//
// It guarantees: Update never does I/O (database and network work run in
// tea.Cmds and come back as typed messages); lists page from the database
// by keyset, so only the visible window of rows is in memory whatever the
// history; untrusted text (bodies, headers, paths, endpoint answers) is
// drawn only through package sanitize, so no control character or escape
// sequence from it reaches the terminal, while the stored bytes stay
// exact; changes made by this process or another sharing the database
// arrive as ChangedMsg (see Feed) and reload what is on screen.
package tui

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/tui/keys"
	"github.com/hookscope/hookscope/tui/styles"
)

// viewID names the five views.
type viewID int

const (
	viewInbox viewID = iota
	viewDeliveries
	viewEndpoints
	viewFixtures
	viewRoutes
	viewCount
)

var viewNames = [viewCount]string{"Inbox", "Deliveries", "Endpoints", "Fixtures", "Routes"}

// focus is which pane takes the movement keys.
type focus int

const (
	focusList focus = iota
	focusDetail
)

// mode is what the keyboard is doing beyond normal browsing.
type mode int

const (
	modeNormal  mode = iota
	modeFilter       // typing a filter in the status line
	modeConfirm      // answering y/n in the status line
	modePick         // picking an endpoint
	modeRoute        // editing a route's simulated response
	modeForm         // a form takes the keys (Model.form)
	modeURL          // typing a URL to replay to
	modeJump         // typing an id to go to
	modeCommand      // typing a command line (:)
)

// Config is what New needs.
type Config struct {
	// Context bounds every query and action the console starts.
	Context context.Context
	Source  Source
	// Actions may be nil: actions then answer that they are unavailable.
	Actions Actions
	Info    Info
	// Styles defaults to styles.Default().
	Styles *styles.Styles
	// Profiles defaults to fixtures.All().
	Profiles []fixtures.Profile
	// Now defaults to time.Now; Location to time.Local.
	Now      Clock
	Location *time.Location
	// ExportDir is where exports are written (default: the current directory).
	ExportDir string
	// NoTick disables the one-second clock (tests drive time themselves).
	NoTick bool
	// FilterDebounce is how long typing in the filter prompt pauses before
	// the filter applies (the console uses DefaultFilterDebounce); 0
	// applies it on every key.
	FilterDebounce time.Duration
}

// detailState is what the detail pane shows for one view.
type detailState struct {
	id       int64
	content  string
	delivery *DeliveryDetail
	err      error
}

// statusKind styles the status line.
type statusKind int

const (
	statusInfo statusKind = iota
	statusOK
	statusError
	statusAsk
	statusBusy // an action in progress: it stays until its answer replaces it
)

// How long a status message stays before the line clears: an error longer,
// for reading.
const (
	statusTTL      = 5 * time.Second
	statusErrorTTL = 12 * time.Second
)

// Model is the console's root model. Views are child structs it calls.
type Model struct {
	ctx    context.Context
	src    Source
	act    Actions
	info   Info
	r      renderer
	now    Clock
	noTick bool
	expDir string

	width, height int
	active        viewID
	focus         focus
	mode          mode
	follow        bool
	showHelp      bool
	clock         time.Time

	stats      Stats
	statsErr   error
	statsAt    time.Time // when the counts were last asked for
	statsStale bool      // a change came while the counts were fresh
	inbox      inbox
	deliv      deliveries
	endp       endpoints
	fix        fixturesView
	routes     []db.Route
	routesV    routesView
	names      map[int64]string

	detail  viewport.Model
	details [viewCount]detailState

	status     string
	statusKind statusKind
	statusAt   time.Time // when the status was set, for its expiry
	input      textinput.Model
	confirm    *confirmation
	picker     *picker
	form       *openForm
	routeName  string
	routeBase  db.SimResponse // the route's answer when its prompt opened: words not written keep its fields
	filterSeq  int            // the filter input's version, for its debounce
	debounce   time.Duration
	split      int  // the list's share of a wide screen, in percent (0: as its columns need)
	zoom       bool // the focused pane alone takes the body
	noWrap     bool // the detail keeps long lines whole (w toggles)
	raw        bool // requests and attempts show their raw bytes (v toggles)

	// detailRaw is the detail shown, before wrapDetail laid it out for
	// detailWidth cells.
	detailRaw   string
	detailWidth int
	// detailLines is the detail as laid out; matches are the filter's
	// text found in it, matchCur the one n/N moved to (-1: none yet).
	detailLines []string
	matches     []match
	matchCur    int
	filterErr   string    // why the filter typed does not apply
	replayID    int64     // the request a typed URL replays
	linkNote    string    // what a jump from a linked row shows once it lands
	diffMark    *diffSide // the first side of a diff (m marks it)

	// execEditor hands the terminal to $EDITOR or $PAGER (tea.ExecProcess; tests
	// run the editor directly).
	execEditor func(c *exec.Cmd, fn tea.ExecCallback) tea.Cmd

	global      keys.Global
	nav         keys.Nav
	confirmKeys keys.Confirm
	help        help.Model
}

// New builds the console's model.
func New(cfg Config) *Model {
	st := styles.Default()
	if cfg.Styles != nil {
		st = *cfg.Styles
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Profiles == nil {
		cfg.Profiles = fixtures.All()
	}
	if cfg.Actions == nil {
		cfg.Actions = unavailableActions{}
	}
	in := textinput.New()
	in.Prompt = "/ "
	h := help.New()
	h.Styles.ShortKey, h.Styles.FullKey = st.HelpKey, st.HelpKey
	h.Styles.ShortDesc, h.Styles.FullDesc = st.HelpDesc, st.HelpDesc
	h.Styles.ShortSeparator, h.Styles.FullSeparator = st.HelpSep, st.HelpSep
	m := &Model{
		ctx:         cfg.Context,
		src:         cfg.Source,
		act:         cfg.Actions,
		info:        cfg.Info,
		r:           renderer{st: &st, loc: cfg.Location},
		now:         cfg.Now,
		noTick:      cfg.NoTick,
		debounce:    cfg.FilterDebounce,
		expDir:      cfg.ExportDir,
		width:       80,
		height:      24,
		inbox:       newInbox(),
		deliv:       newDeliveries(),
		endp:        newEndpoints(),
		fix:         newFixturesView(cfg.Profiles),
		routesV:     newRoutesView(),
		names:       map[int64]string{},
		detail:      newDetailViewport(),
		input:       in,
		global:      keys.DefaultGlobal(),
		nav:         keys.DefaultNav(),
		confirmKeys: keys.DefaultConfirm(),
		help:        h,
		execEditor:  tea.ExecProcess,
	}
	m.clock = m.now()
	m.r.now = m.clock
	m.layout()
	return m
}

// Init loads the first pages, the counts and starts the clock.
func (m *Model) Init() tea.Cmd {
	m.inbox.pg.top()
	m.deliv.pg.top()
	cmds := []tea.Cmd{
		m.inbox.fetch(m.ctx, m.src),
		m.deliv.fetch(m.ctx, m.src),
		m.loadEndpoints(),
		m.loadRoutes(),
		m.loadStats(),
		m.countList(viewInbox, true),
		m.countList(viewDeliveries, true),
		m.syncDetail(false),
	}
	if !m.noTick {
		cmds = append(cmds, tick())
	}
	return tea.Batch(cmds...)
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *Model) loadEndpoints() tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		rows, err := src.ListEndpoints(ctx)
		return endpointsMsg{rows: rows, err: err}
	}
}

func (m *Model) loadRoutes() tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		rows, err := src.ListRoutes(ctx)
		return routesMsg{rows: rows, err: err}
	}
}

func (m *Model) loadStats() tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		s, err := src.Stats(ctx)
		return statsMsg{stats: s, err: err}
	}
}

// setStatus shows a sentence in the status line.
func (m *Model) setStatus(kind statusKind, text string) {
	m.status, m.statusKind, m.statusAt = text, kind, m.now()
}

// expireStatus clears a status message older than its time to live (an
// action in progress stays).
func (m *Model) expireStatus(now time.Time) {
	ttl := statusTTL
	switch m.statusKind {
	case statusBusy:
		return
	case statusError:
		ttl = statusErrorTTL
	}
	if m.status != "" && now.Sub(m.statusAt) >= ttl {
		m.status = ""
	}
}

// unavailableActions answers every action with ErrUnavailable.
type unavailableActions struct{}

func (unavailableActions) SendFixture(context.Context, int64, string, string, json.RawMessage) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) RetryNow(context.Context, int64) (string, error) { return "", ErrUnavailable }
func (unavailableActions) RetryFailed(context.Context, int64) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) SetEndpointEnabled(context.Context, int64, bool, string) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) Replay(context.Context, int64, int64) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) ReplayToURL(context.Context, int64, string) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) SaveEndpoint(context.Context, db.Endpoint) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) DeleteEndpoint(context.Context, int64) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) RotateCredential(context.Context, int64) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) TestEndpoint(context.Context, int64, string) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) SendSkipped(context.Context, int64) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) Prune(context.Context, time.Time) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) PutRoute(context.Context, db.Route) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) DeleteRoute(context.Context, string) (string, error) {
	return "", ErrUnavailable
}
func (unavailableActions) SetRouteResponse(context.Context, string, db.SimResponse) (string, error) {
	return "", ErrUnavailable
}

// newDetailViewport is the detail pane's scroller. Its content arrives
// wrapped to the pane (wrapDetail: at word boundaries, table rows cut), so
// the viewport itself never wraps; with wrapping off (w), left and right
// scroll long lines.
func newDetailViewport() viewport.Model {
	v := viewport.New()
	v.SoftWrap = false
	return v
}

// setDetail shows content (a rendered detail) in the detail pane, laid out
// for its width; keep holds the scroll position.
func (m *Model) setDetail(content string, keep bool) {
	off := m.detail.YOffset()
	m.detailRaw = content
	m.detailWidth = m.detail.Width()
	m.detailLines = strings.Split(wrapDetail(content, m.detailWidth, !m.noWrap), "\n")
	m.matches, m.matchCur = findMatches(m.detailLines, m.searchTerm()), -1
	m.detail.SetContentLines(m.detailLines)
	m.showMatches()
	if keep {
		m.detail.SetYOffset(off)
	} else {
		m.detail.GotoTop()
	}
}
