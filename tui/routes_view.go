package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sanitize"
	"github.com/hookscope/hookscope/tui/keys"
	"github.com/hookscope/hookscope/validate"
)

// routesView lists the receiver's routes (a short list, held whole in
// Model.routes, reloaded when a route changes in any process).
type routesView struct {
	cursor int
	offset int
	keys   keys.Routes
}

func newRoutesView() routesView { return routesView{keys: keys.DefaultRoutes()} }

// selectedRoute is the route under the cursor.
func (m *Model) selectedRoute() (db.Route, bool) {
	v := &m.routesV
	if v.cursor < 0 || v.cursor >= len(m.routes) {
		return db.Route{}, false
	}
	return m.routes[v.cursor], true
}

// setRoutes installs a fresh list, keeping the selected route.
func (m *Model) setRoutes(rows []db.Route) {
	keep, _ := m.selectedRoute()
	m.routes = rows
	m.routesV.cursor = min(m.routesV.cursor, max(len(rows)-1, 0))
	for i, r := range rows {
		if r.Name == keep.Name {
			m.routesV.cursor = i
		}
	}
}

// routeAuth is a route's credential as a list shows it: masked.
func routeAuth(r db.Route) string {
	switch {
	case r.Secret != "":
		return "secret " + fixtures.MaskSecret(r.Secret)
	case r.Token != "":
		return "token " + fixtures.MaskSecret(r.Token)
	}
	return "—"
}

// routeColumns are the Routes list's columns over the routes shown.
func (m *Model) routeColumns(rows []db.Route) []column {
	name := column{head: "name", min: 8, give: 1}
	profile := column{head: "profile", min: 7, give: 0}
	auth := column{head: "auth", min: 6, give: 0}
	got := column{head: "got", min: 3, right: true, give: 2}
	answers := column{head: "answers", min: 10}
	for _, r := range rows {
		name.cells = append(name.cells, sanitize.Line(r.Name))
		profile.cells = append(profile.cells, sanitize.Line(r.Profile))
		auth.cells = append(auth.cells, sanitize.Line(routeAuth(r)))
		got.cells = append(got.cells, fmt.Sprint(r.Counters.Received))
		answers.cells = append(answers.cells, sanitize.Line(db.DescribeSim(r.Response)))
	}
	return []column{name, profile, auth, got, answers}
}

// routeLines lays out the rows that fit h lines, and the cursor's line.
func (m *Model) routeLines(w, h int) (string, []string, int) {
	v := &m.routesV
	v.offset = scrollWindow(v.cursor, v.offset, h, len(m.routes))
	end := min(len(m.routes), v.offset+h)
	head, rows := table(m.routeColumns(m.routes[v.offset:end]), w)
	if len(m.routes) == 0 {
		head, _ = table(m.routeColumns(nil), w)
	}
	return head, rows, v.cursor - v.offset
}

// renderRoute is a route's detail: where to post, how it checks and how it
// answers.
func (r renderer) renderRoute(rt db.Route, receiverAddr string) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line(r.st.Section.Render("Route "+r.safe(rt.Name)) + "  " + r.st.Muted.Render("POST http://"+r.safe(orDash(receiverAddr))+validate.HookPrefix+r.safe(rt.Name)))
	line(r.field("profile", r.safe(rt.Profile)))
	switch {
	case rt.Secret != "":
		line(r.field("secret", r.safe(fixtures.MaskSecret(rt.Secret))+r.st.Muted.Render(" — signatures are verified with it")))
	case rt.Token != "":
		line(r.field("token", r.safe(fixtures.MaskSecret(rt.Token))+r.st.Muted.Render(" — requests must carry it")))
	default:
		line(r.field("auth", r.st.Muted.Render("none set: signatures cannot be verified")))
	}
	if rt.Header != "" {
		line(r.field("header", r.safe(rt.Header)))
	}
	line(r.field("received", fmt.Sprint(rt.Counters.Received)+r.st.Muted.Render(" since its answer was last set")))
	line(r.section("Answer"))
	s := rt.Response
	status := s.Status
	if status == 0 {
		status = 200
	}
	line(r.field("status", r.st.HTTPStatus(status).Render(fmt.Sprint(status))))
	failStatus := s.FailStatus
	if failStatus == 0 {
		failStatus = 500
	}
	if s.FailFirst > 0 {
		left := max(int64(s.FailFirst)-rt.Counters.Received, 0)
		line(r.field("fail first", fmt.Sprintf("%d with %d (%d left)", s.FailFirst, failStatus, left)))
	}
	if s.FailureRate > 0 {
		line(r.field("fail rate", fmt.Sprintf("%g%% with %d, seed %d", s.FailureRate*100, failStatus, s.Seed)))
	}
	if s.DelayMS > 0 {
		line(r.field("delay", duration(time.Duration(s.DelayMS)*time.Millisecond)))
	}
	if s.Hang {
		line(r.field("hang", r.st.Warn.Render("yes — the connection is held, never answered")))
	}
	if s.OversizeBytes > 0 {
		line(r.field("oversized", fmt.Sprintf("a %d-byte body", s.OversizeBytes)))
	}
	for _, h := range s.Headers {
		line(row(r.st.FieldName.Render(r.safe(h.Name)) + r.st.Muted.Render(": ") + r.safe(h.Value)))
	}
	if s.Body != "" {
		line(r.section(fmt.Sprintf("Answer body (%d bytes)", len(s.Body))))
		r.body(&b, []byte(s.Body), int64(len(s.Body)), false)
	}
	line("")
	line(r.st.Muted.Render("n new route · e edit the answer · c credentials · r reset the answer · D delete"))
	return strings.TrimRight(b.String(), "\n")
}
