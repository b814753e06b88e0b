package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sanitize"
	"github.com/hookscope/hookscope/tui/keys"
	"github.com/hookscope/hookscope/validate"
)

// endpoints is the sender's endpoints view (a short list, held whole).
type endpoints struct {
	rows   []db.Endpoint
	cursor int
	offset int
	keys   keys.Endpoints
	err    error
}

func newEndpoints() endpoints { return endpoints{keys: keys.DefaultEndpoints()} }

func (v *endpoints) selected() (db.Endpoint, bool) {
	if v.cursor < 0 || v.cursor >= len(v.rows) {
		return db.Endpoint{}, false
	}
	return v.rows[v.cursor], true
}

func (v *endpoints) selectedID() int64 {
	if e, ok := v.selected(); ok {
		return e.ID
	}
	return 0
}

// set installs a fresh list, keeping the selected endpoint.
func (v *endpoints) set(rows []db.Endpoint) {
	keep := v.selectedID()
	v.rows = rows
	v.cursor = min(v.cursor, max(len(rows)-1, 0))
	for i, e := range rows {
		if e.ID == keep {
			v.cursor = i
		}
	}
}

// endpointCols are the Endpoints list's column widths for one pane width.
type endpointCols struct{ id, name, profile, state, url int }

// stateWidth fits "disabled", the longer state.
const stateWidth = 8

// cols sizes the columns from the content within width w: the id, name and
// profile columns as wide as their longest value, the URL the rest; when
// they do not fit, the profile, then the name, give way (down to a floor)
// and are cut with "…", so the columns stay aligned.
func (v *endpoints) cols(w int) endpointCols {
	c := endpointCols{id: 3, name: len("name"), profile: len("profile"), state: stateWidth}
	for _, e := range v.rows {
		c.id = max(c.id, len(fmt.Sprint(e.ID)))
		c.name = max(c.name, ansi.StringWidth(sanitize.Line(e.Name)))
		c.profile = max(c.profile, ansi.StringWidth(sanitize.Line(e.Profile)))
	}
	const minURL, minName, minProfile = 12, 10, 7
	avail := w - c.id - c.state - 4 // four single-space gaps
	if over := c.name + c.profile + minURL - avail; over > 0 {
		cut := min(over, max(c.profile-minProfile, 0))
		c.profile -= cut
		over -= cut
		if over > 0 {
			c.name -= min(over, max(c.name-minName, 0))
		}
	}
	c.url = max(avail-c.name-c.profile, 1)
	return c
}

// natural is the width the list needs to show every column whole, the
// URL up to want cells.
func (v *endpoints) natural(want int) int {
	c := v.cols(1 << 20) // as wide as their content
	url := 3
	for _, e := range v.rows {
		url = max(url, ansi.StringWidth(sanitize.Line(e.URL)))
	}
	return c.id + c.name + c.profile + c.state + min(url, want) + 4
}

// row lays out one line; a URL too long is cut in its middle, keeping its
// scheme and host and the end of its path (which tells endpoints of one
// host apart).
func (c endpointCols) row(id, name, profile, state, url string) string {
	url = cutMiddle(url, c.url)
	return fit(id, c.id) + " " + fit(name, c.name) + " " + fit(profile, c.profile) + " " + fit(state, c.state) + " " + url
}

func (v *endpoints) head(w int) string {
	c := v.cols(w)
	return c.row(fmt.Sprintf("%*s", c.id, "#"), "name", "profile", "state", "url")
}

func (v *endpoints) lines(r renderer, w, h int) ([]string, int) {
	c := v.cols(w)
	v.offset = scrollWindow(v.cursor, v.offset, h, len(v.rows))
	end := min(len(v.rows), v.offset+h)
	out := make([]string, 0, end-v.offset)
	for _, e := range v.rows[v.offset:end] {
		state := r.st.OK.Render(fit("enabled", c.state))
		if !e.Enabled {
			state = r.st.Bad.Render(fit("disabled", c.state))
		}
		out = append(out, c.row(fmt.Sprintf("%*d", c.id, e.ID), sanitize.Line(e.Name), sanitize.Line(e.Profile), state, sanitize.Line(e.URL)))
	}
	return out, v.cursor - v.offset
}

// mask shows the first and last characters of a secret only.
func mask(s string) string {
	if s == "" {
		return "—"
	}
	if len(s) <= 8 {
		return strings.Repeat("•", len(s))
	}
	return s[:3] + strings.Repeat("•", 6) + s[len(s)-2:]
}

// renderEndpoint is the detail of one endpoint and its profile's policy.
func (r renderer) renderEndpoint(e db.Endpoint) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line(r.st.Section.Render(fmt.Sprintf("Endpoint #%d", e.ID)) + "  " + r.safe(e.Name))
	line(r.field("url", r.safe(e.URL)))
	line(r.field("profile", r.safe(e.Profile)))
	if e.Enabled {
		line(r.field("state", r.st.OK.Render("enabled")))
	} else {
		at := ""
		if e.DisabledAt != nil {
			at = " since " + r.stamp(*e.DisabledAt)
		}
		line(r.field("state", r.st.Bad.Render("disabled"+at)))
		line(r.field("reason", r.st.Notice.Render(r.safe(orDash(e.DisabledReason)))))
	}
	if e.Secret != "" {
		line(r.field("secret", mask(e.Secret)))
	}
	if e.Token != "" {
		line(r.field("token", mask(e.Token)))
	}
	events := "all"
	if len(e.Events) > 0 {
		events = strings.Join(e.Events, ", ")
	}
	line(r.field("events", r.safe(events)))
	if f := e.Filters; len(f.Severity)+len(f.Environments)+len(f.CloudProviders) > 0 {
		line(r.field("filters", r.safe(fmt.Sprintf("severity=%v environments=%v cloud_providers=%v", f.Severity, f.Environments, f.CloudProviders))))
	}
	if e.TimeoutSeconds > 0 {
		line(r.field("timeout", fmt.Sprintf("%ds", e.TimeoutSeconds)))
	}
	if e.Retry != nil {
		line(r.field("retry", fmt.Sprintf("max %d attempts, ×%g backoff", e.Retry.MaxAttempts, e.Retry.BackoffMultiplier)))
	}
	// Values stored out of range (an older file, another program): said,
	// and the profile's used in their place.
	for _, bad := range validate.StoredEndpoint(e) {
		line(r.field("invalid", r.safe(bad)))
	}
	if len(e.Headers) > 0 {
		line(r.section("Custom headers"))
		r.headers(&b, toHeaderLike(e.Headers))
	}
	if p, err := fixtures.Lookup(e.Profile); err == nil {
		line(r.section("Delivery policy: " + p.Title()))
		r.policy(&b, p.Policy())
	}
	return strings.TrimRight(b.String(), "\n")
}

// policy describes a vendor's delivery policy.
func (r renderer) policy(b *strings.Builder, pol fixtures.DeliveryPolicy) {
	line := func(s string) { b.WriteString(s + "\n") }
	if pol.Timeout > 0 {
		line(r.field("timeout", duration(pol.Timeout)))
	}
	if len(pol.Schedule) > 0 {
		steps := make([]string, len(pol.Schedule))
		for i, d := range pol.Schedule {
			steps[i] = duration(d)
		}
		line(r.field("retries", strings.Join(steps, " → ")))
	} else if bo := pol.Backoff; bo != nil {
		line(r.field("retries", fmt.Sprintf("exponential from %s ×%g, %d attempts", duration(bo.Initial), bo.Multiplier, bo.MaxAttempts)))
	}
	if pol.Window > 0 {
		line(r.field("window", duration(pol.Window)))
	}
	if pol.OnExhausted != "" {
		line(r.field("then", string(pol.OnExhausted)))
	}
	if pol.Note != "" {
		line(r.st.Muted.Render(pol.Note))
	}
}
