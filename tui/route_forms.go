package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/sanitize"
	"github.com/hookscope/hookscope/validate"
)

// routeForm holds a route form's fields as typed.
type routeForm struct {
	name, profile, secret, token, header string

	status, failFirst, failStatus, failRate, seed, delayMS, oversize string
	hang                                                             bool
	body, headers                                                    string
}

// newRouteForm starts from a route's current values.
func newRouteForm(r db.Route) *routeForm {
	s := r.Response
	num := func(v int64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	f := &routeForm{name: r.Name, profile: r.Profile, secret: r.Secret, token: r.Token, header: r.Header,
		status: num(int64(s.Status)), failFirst: num(int64(s.FailFirst)), failStatus: num(int64(s.FailStatus)),
		seed: num(s.Seed), delayMS: num(int64(s.DelayMS)), oversize: num(s.OversizeBytes), hang: s.Hang, body: s.Body}
	if s.FailureRate > 0 {
		f.failRate = strconv.FormatFloat(s.FailureRate*100, 'g', -1, 64)
	}
	var hs []string
	for _, h := range s.Headers {
		hs = append(hs, h.Name+": "+h.Value)
	}
	f.headers = strings.Join(hs, "\n")
	if f.profile == "" {
		f.profile = "generic"
	}
	return f
}

// The form's fields take the ranges of limits, named as the form shows
// them; an empty field is 0 (for a status: the default).
var (
	formStatus     = limits.RouteStatus.Named("status")
	formFailStatus = limits.RouteFailStatus.Named("fail status")
	formFailFirst  = limits.RouteFailFirst.Named("fail first")
	formDelay      = limits.RouteDelayMS.Named("delay")
	formOversize   = limits.RouteOversize.Named("oversized body")
	formSeed       = limits.RouteSeed.Named("seed")
	// The form takes the failure rate as a percentage.
	formFailRate = limits.Float{Field: "failure rate", Min: limits.RouteFailRate.Min * 100, Max: limits.RouteFailRate.Max * 100, Unit: "%"}
)

// limitField checks a whole number by r; empty is 0.
func limitField(r limits.Int) func(string) error {
	return func(s string) error {
		_, err := parseLimitField(r, s)
		return err
	}
}

// parseLimitField reads a whole number by r; empty is 0.
func parseLimitField(r limits.Int, s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	return r.Parse(s)
}

// statusField checks a status: empty or 0 is the default.
func statusField(r limits.Int) func(string) error {
	return func(s string) error {
		_, err := parseStatusField(r, s)
		return err
	}
}

func parseStatusField(r limits.Int, s string) (int64, error) {
	if strings.TrimSpace(s) == "0" {
		return 0, nil
	}
	return parseLimitField(r, s)
}

func rateField(s string) error {
	_, err := parseRate(s)
	return err
}

// parseRate reads a percentage ("25" or "25%") as a fraction.
func parseRate(s string) (float64, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	if s == "" {
		return 0, nil
	}
	v, err := formFailRate.Parse(s)
	return v / 100, err
}

// parseHeaders reads "Name: value" lines.
func parseHeaders(s string) ([]db.Header, error) {
	var out []db.Header
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("headers, line %d: write Name: value", i+1)
		}
		out = append(out, db.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	return out, nil
}

// route builds the route the form describes, checked as the receiver
// checks it.
func (f *routeForm) route() (db.Route, error) {
	var (
		r   = db.Route{Name: strings.TrimSpace(f.name), Profile: f.profile, Secret: f.secret, Token: f.token, Header: strings.TrimSpace(f.header)}
		err error
		v   int64
	)
	s := &r.Response
	get := func(parse func(limits.Int, string) (int64, error), lim limits.Int, in string) int64 {
		if err != nil {
			return 0
		}
		v, err = parse(lim, in)
		return v
	}
	s.Status = int(get(parseStatusField, formStatus, f.status))
	s.FailFirst = int(get(parseLimitField, formFailFirst, f.failFirst))
	s.FailStatus = int(get(parseStatusField, formFailStatus, f.failStatus))
	s.Seed = get(parseLimitField, formSeed, f.seed)
	s.DelayMS = int(get(parseLimitField, formDelay, f.delayMS))
	s.OversizeBytes = get(parseLimitField, formOversize, f.oversize)
	if err != nil {
		return r, err
	}
	if s.FailureRate, err = parseRate(f.failRate); err != nil {
		return r, err
	}
	s.Hang, s.Body = f.hang, f.body
	if s.Headers, err = parseHeaders(f.headers); err != nil {
		return r, err
	}
	return r, validate.Route(&r)
}

// answerFields are the fields of a route's simulated answer.
func (f *routeForm) answerFields() []*huh.Group {
	return []*huh.Group{
		huh.NewGroup(
			huh.NewInput().Title("Status").Description("what the route answers (empty: 200)").Value(&f.status).Validate(statusField(formStatus)).CharLimit(3),
			huh.NewInput().Title("Fail first").Description("answer the fail status to this many requests first").Value(&f.failFirst).Validate(limitField(formFailFirst)),
			huh.NewInput().Title("Fail status").Description("the failing answer (empty: 500)").Value(&f.failStatus).Validate(statusField(formFailStatus)).CharLimit(3),
			huh.NewInput().Title("Failure rate %").Description("then fail this share of requests at random").Value(&f.failRate).Validate(rateField),
			huh.NewInput().Title("Seed").Description("makes the random failures repeatable").Value(&f.seed).Validate(limitField(formSeed)),
		).Title("Answer"),
		huh.NewGroup(
			huh.NewInput().Title("Delay ms").Description("wait before answering ("+formDelay.Range()+")").Value(&f.delayMS).Validate(limitField(formDelay)),
			huh.NewConfirm().Title("Hang").Description("hold the connection and never answer (past any timeout)").Value(&f.hang),
			huh.NewInput().Title("Oversized body bytes").Description("answer a body this large (0: off; "+formOversize.Range()+")").Value(&f.oversize).Validate(limitField(formOversize)),
			huh.NewText().Title("Headers").Description("one Name: value per line").Value(&f.headers).Lines(3).Validate(func(s string) error {
				hs, err := parseHeaders(s)
				if err != nil {
					return err
				}
				probe := db.Route{Name: "x", Profile: "generic", Response: db.SimResponse{Headers: hs}}
				return validate.Route(&probe)
			}),
			huh.NewText().Title("Body").Description("the answer's body").Value(&f.body).Lines(3).CharLimit(limits.RouteBody),
		).Title("Answer: timing, headers, body"),
	}
}

// credentialFields are a route's profile and credentials.
func (f *routeForm) credentialFields(existing func(string) bool, naming bool) *huh.Group {
	var fields []huh.Field
	if naming {
		fields = append(fields, huh.NewInput().Title("Name").Description("webhooks go to POST "+validate.HookPrefix+"NAME").Value(&f.name).Validate(func(s string) error {
			s = strings.TrimSpace(s)
			if err := validate.RouteName(s); err != nil {
				return err
			}
			if existing(s) {
				return fmt.Errorf("route %s exists already: e edits it", s)
			}
			return nil
		}))
	}
	var opts []huh.Option[string]
	for _, p := range fixtures.All() {
		opts = append(opts, huh.NewOption(p.Name()+" — "+p.Title(), p.Name()))
	}
	fields = append(fields,
		huh.NewSelect[string]().Title("Profile").Description("the vendor whose requests it verifies and recognises").Options(opts...).Value(&f.profile),
		huh.NewInput().Title("Secret").Description("for a vendor that signs (PolicyCortex, Standard Webhooks, generic HMAC)").Value(&f.secret).EchoMode(huh.EchoModePassword),
		huh.NewInput().Title("Token").Description("for a vendor that sends a token ("+tokenProfiles()+")").Value(&f.token).EchoMode(huh.EchoModePassword),
		huh.NewInput().Title("Header").Description("generic profile only: the header of its token or signature").Value(&f.header),
	)
	return huh.NewGroup(fields...).Title("Profile and credentials")
}

// startNewRoute opens the form for a new route.
func (m *Model) startNewRoute() tea.Cmd {
	f := newRouteForm(db.Route{})
	exists := m.routeExists
	groups := append([]*huh.Group{f.credentialFields(exists, true)}, f.answerFields()...)
	return m.startForm("New route", huh.NewForm(groups...), func() tea.Cmd { return m.saveRoute(f, "") })
}

// startEditAnswer opens the form for the selected route's answer.
func (m *Model) startEditAnswer(r db.Route) tea.Cmd {
	f := newRouteForm(r)
	return m.startForm("Route "+sanitize.Line(r.Name)+": its answer", huh.NewForm(f.answerFields()...), func() tea.Cmd { return m.saveRoute(f, r.Name) })
}

// startEditCredentials opens the form for the selected route's profile
// and credentials.
func (m *Model) startEditCredentials(r db.Route) tea.Cmd {
	f := newRouteForm(r)
	return m.startForm("Route "+sanitize.Line(r.Name)+": profile and credentials", huh.NewForm(f.credentialFields(m.routeExists, false)), func() tea.Cmd { return m.saveRoute(f, r.Name) })
}

func (m *Model) routeExists(name string) bool {
	for _, r := range m.routes {
		if r.Name == name {
			return true
		}
	}
	return false
}

// saveRoute stores what a route form describes (keeping the name of the
// route edited).
func (m *Model) saveRoute(f *routeForm, editing string) tea.Cmd {
	if editing != "" {
		f.name = editing
	}
	r, err := f.route()
	if err != nil {
		m.setStatus(statusError, "✗ not saved: "+err.Error())
		return nil
	}
	m.setStatus(statusBusy, "saving route "+sanitize.Line(r.Name)+"…")
	return m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.PutRoute(ctx, r) })
}

// routeAction runs the Routes view's action keys.
func (m *Model) routeAction(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.routesV.keys
	r, ok := m.selectedRoute()
	switch {
	case key.Matches(msg, k.New):
		return m.startNewRoute(), true
	case !key.Matches(msg, k.Edit, k.Credentials, k.Reset, k.Delete):
		return nil, false
	case !ok:
		m.setStatus(statusInfo, "no route selected: n creates one")
		return nil, true
	case key.Matches(msg, k.Edit):
		return m.startEditAnswer(r), true
	case key.Matches(msg, k.Credentials):
		return m.startEditCredentials(r), true
	case key.Matches(msg, k.Reset):
		name := r.Name
		return m.ask(fmt.Sprintf("Reset route %s to answer 200 at once, its counters restarted?", sanitize.Line(name)),
			m.runAction(func(ctx context.Context, a Actions) (string, error) {
				return a.SetRouteResponse(ctx, name, db.SimResponse{})
			})), true
	default: // delete
		return m.askDeleteRoute(r.Name), true
	}
}
