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

// endpointForm holds an endpoint form's fields as typed.
type endpointForm struct {
	base db.Endpoint // the endpoint edited (ID 0: a new one)

	name, url, profile, secret, token, header string
	events                                    []string
	severity, environments, clouds            string
	headers                                   string
	maxAttempts, backoff, timeout             string
}

func newEndpointForm(e db.Endpoint) *endpointForm {
	f := &endpointForm{base: e, name: e.Name, url: e.URL, profile: e.Profile, secret: e.Secret, token: e.Token, header: e.Header,
		events: append([]string(nil), e.Events...), severity: strings.Join(e.Filters.Severity, ", "),
		environments: strings.Join(e.Filters.Environments, ", "), clouds: strings.Join(e.Filters.CloudProviders, ", ")}
	var hs []string
	for _, h := range e.Headers {
		hs = append(hs, h.Name+": "+h.Value)
	}
	f.headers = strings.Join(hs, "\n")
	if r := e.Retry; r != nil {
		if r.MaxAttempts > 0 {
			f.maxAttempts = strconv.Itoa(r.MaxAttempts)
		}
		if r.BackoffMultiplier > 0 {
			f.backoff = strconv.FormatFloat(r.BackoffMultiplier, 'g', -1, 64)
		}
	}
	if e.TimeoutSeconds > 0 {
		f.timeout = strconv.Itoa(e.TimeoutSeconds)
	}
	if f.profile == "" {
		f.profile = "policycortex"
	}
	return f
}

// list splits a comma-separated field.
func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// endpoint builds the endpoint the form describes, checked as the sender
// checks it (a signing profile with no secret gets one generated).
func (f *endpointForm) endpoint() (db.Endpoint, error) {
	e := f.base
	e.Name, e.URL, e.Profile = strings.TrimSpace(f.name), strings.TrimSpace(f.url), f.profile
	e.Secret, e.Token, e.Header = f.secret, f.token, strings.TrimSpace(f.header)
	e.Events = append([]string{}, f.events...)
	e.Filters = db.Filters{Severity: list(f.severity), Environments: list(f.environments), CloudProviders: list(f.clouds)}
	hs, err := parseHeaders(f.headers)
	if err != nil {
		return e, err
	}
	e.Headers = hs
	attempts, err := parseLimitField(formMaxAttempts, f.maxAttempts)
	if err != nil {
		return e, err
	}
	backoff, err := formMultiplier(f.backoff)
	if err != nil {
		return e, err
	}
	e.Retry = nil
	if attempts > 0 || backoff > 0 {
		e.Retry = &db.RetryConfig{MaxAttempts: int(attempts), BackoffMultiplier: backoff}
	}
	t, err := parseLimitField(formTimeout, f.timeout)
	if err != nil {
		return e, err
	}
	e.TimeoutSeconds = int(t)
	check := e
	return e, validate.Endpoint(&check)
}

// eventOptions are the chosen profile's catalogue, for the events field.
func (f *endpointForm) eventOptions() []huh.Option[string] {
	p, err := fixtures.Lookup(f.profile)
	if err != nil {
		return nil
	}
	var out []huh.Option[string]
	for _, ev := range p.Catalogue() {
		out = append(out, huh.NewOption(ev.Type, ev.Type).Selected(containsString(f.events, ev.Type)))
	}
	return out
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// form lays the fields out in three groups: where, who it is, and how it
// is sent.
func (f *endpointForm) form(names func(string) bool) *huh.Form {
	var profiles []huh.Option[string]
	for _, p := range fixtures.All() {
		profiles = append(profiles, huh.NewOption(p.Name()+" — "+p.Title(), p.Name()))
	}
	return huh.NewForm(
		huh.NewGroup(
			huh.NewInput().Title("Name").Value(&f.name).Validate(func(s string) error {
				s = strings.TrimSpace(s)
				probe := db.Endpoint{Name: s, URL: "http://127.0.0.1/", Profile: "generic"}
				if err := validate.Endpoint(&probe); err != nil {
					return err
				}
				if s != f.base.Name && names(s) {
					return fmt.Errorf("an endpoint named %s exists already", s)
				}
				return nil
			}),
			huh.NewInput().Title("URL").Description("where the webhooks are POSTed").Value(&f.url).Validate(func(s string) error {
				probe := db.Endpoint{Name: "x", URL: strings.TrimSpace(s), Profile: "generic"}
				return validate.Endpoint(&probe)
			}),
			huh.NewSelect[string]().Title("Profile").Description("the vendor it plays: framing, signing, retries").Options(profiles...).Value(&f.profile),
		).Title("Endpoint"),
		huh.NewGroup(
			huh.NewInput().Title("Secret").Description("signing profiles: empty generates one").Value(&f.secret).EchoMode(huh.EchoModePassword),
			huh.NewInput().Title("Token").Description("token profiles ("+tokenProfiles()+"): empty generates one").Value(&f.token).EchoMode(huh.EchoModePassword),
			huh.NewInput().Title("Header").Description("generic profile only: the header of its token or signature").Value(&f.header),
			huh.NewMultiSelect[string]().Title("Events").Description("space picks; none picked: every event of the profile").
				OptionsFunc(f.eventOptions, &f.profile).Value(&f.events).Height(8),
		).Title("Credentials and events"),
		huh.NewGroup(
			huh.NewInput().Title("Severity filter").Description("PolicyCortex: comma-separated, e.g. HIGH, CRITICAL").Value(&f.severity),
			huh.NewInput().Title("Environments filter").Value(&f.environments),
			huh.NewInput().Title("Cloud providers filter").Value(&f.clouds),
			huh.NewText().Title("Custom headers").Description("one Name: value per line").Value(&f.headers).Lines(2).Validate(func(s string) error {
				hs, err := parseHeaders(s)
				if err != nil {
					return err
				}
				probe := db.Endpoint{Name: "x", URL: "http://127.0.0.1/", Profile: "generic", Headers: hs}
				return validate.Endpoint(&probe)
			}),
			huh.NewInput().Title("Max attempts").Description("empty: the profile's; "+formMaxAttempts.Range()).Value(&f.maxAttempts).
				Validate(func(s string) error { _, err := parseLimitField(formMaxAttempts, s); return err }),
			huh.NewInput().Title("Backoff multiplier").Description("empty: the profile's; "+formMultiplierRange.Range()).Value(&f.backoff).
				Validate(func(s string) error { _, err := formMultiplier(s); return err }),
			huh.NewInput().Title("Timeout seconds").Description("empty: the profile's; "+formTimeout.Range()).Value(&f.timeout).
				Validate(func(string) error { _, err := f.endpoint(); return err }), // the whole endpoint, checked last
		).Title("Delivery"),
	)
}

// The endpoint form's numbers, named as the form labels them, with the
// ranges the API and the CLI use (limits).
var (
	formMaxAttempts     = limits.EndpointMaxAttempts.Named("max attempts")
	formMultiplierRange = limits.EndpointBackoffMultiplier.Named("backoff multiplier")
	formTimeout         = limits.EndpointTimeoutSeconds.Named("timeout seconds")
)

// formMultiplier reads the backoff multiplier: empty or 0 is the
// profile's, else a number in its range.
func formMultiplier(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseFloat(s, 64); s == "" || err == nil && v == 0 {
		return 0, nil
	}
	return formMultiplierRange.Parse(s)
}

// endpointAction runs the Endpoints view's action keys.
func (m *Model) endpointAction(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.endp.keys
	e, ok := m.endp.selected()
	switch {
	case key.Matches(msg, k.New):
		f := newEndpointForm(db.Endpoint{})
		return m.startForm("New endpoint", f.form(m.endpointNamed), func() tea.Cmd { return m.saveEndpoint(f) }), true
	case !key.Matches(msg, k.Edit, k.Test, k.Toggle, k.SendSkipped, k.RetryFailed, k.Rotate, k.Delete):
		return nil, false
	case !ok:
		m.setStatus(statusInfo, "no endpoint selected: n adds one")
		return nil, true
	case key.Matches(msg, k.Edit):
		f := newEndpointForm(e)
		return m.startForm("Endpoint "+sanitize.Line(e.Name), f.form(m.endpointNamed), func() tea.Cmd { return m.saveEndpoint(f) }), true
	case key.Matches(msg, k.Test):
		return m.startTestSend(e), true
	case key.Matches(msg, k.Toggle):
		if e.Enabled {
			return m.startDisable(e), true
		}
		return m.askEnable(e), true
	case key.Matches(msg, k.SendSkipped):
		return m.askSendSkipped(e), true
	case key.Matches(msg, k.RetryFailed):
		return m.askRetryFailed(e), true
	case key.Matches(msg, k.Rotate):
		return m.askRotate(e), true
	default: // delete
		return m.askDeleteEndpoint(e), true
	}
}

func (m *Model) endpointNamed(name string) bool {
	for _, e := range m.endp.rows {
		if e.Name == name {
			return true
		}
	}
	return false
}

func (m *Model) saveEndpoint(f *endpointForm) tea.Cmd {
	e, err := f.endpoint()
	if err != nil {
		m.setStatus(statusError, "✗ not saved: "+err.Error())
		return nil
	}
	m.setStatus(statusBusy, "saving endpoint "+sanitize.Line(e.Name)+"…")
	return m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.SaveEndpoint(ctx, e) })
}

// startDisable asks for the reason, saying what happens to new events.
func (m *Model) startDisable(e db.Endpoint) tea.Cmd {
	reason := ""
	f := huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Why disable " + sanitize.Line(e.Name) + "?").
			Description("New events for it are recorded as skipped, not sent; after enabling, S sends them. Deliveries already retrying wait.").
			Value(&reason).Validate(func(s string) error {
			if len(s) > 500 || !sanitize.IsSafe(s) {
				return fmt.Errorf("a reason of at most 500 bytes, without control characters")
			}
			return nil
		}),
	))
	return m.startForm("Disable endpoint "+sanitize.Line(e.Name), f, func() tea.Cmd {
		r := strings.TrimSpace(reason)
		if r == "" {
			r = "disabled from the console"
		}
		return m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.SetEndpointEnabled(ctx, e.ID, false, r) })
	})
}

// startTestSend picks an event of the endpoint's profile, then asks.
func (m *Model) startTestSend(e db.Endpoint) tea.Cmd {
	p, err := fixtures.Lookup(e.Profile)
	if err != nil {
		m.setStatus(statusError, "✗ "+err.Error())
		return nil
	}
	var opts []huh.Option[string]
	for _, ev := range p.Catalogue() {
		opts = append(opts, huh.NewOption(ev.Type, ev.Type))
	}
	event := ""
	f := huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().Title("Event to send to " + sanitize.Line(e.Name)).Description("sent now, once, never retried").Options(opts...).Value(&event).Height(12),
	))
	return m.startForm("Test-send to "+sanitize.Line(e.Name), f, func() tea.Cmd {
		return m.askTestSend(e, event)
	})
}
