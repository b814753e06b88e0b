package tui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/tui/keys"
	"github.com/hookscope/hookscope/tui/sanitize"
)

// inbox is the received-requests view: a keyset window over the requests
// table and the filter applied to it.
type inbox struct {
	pg     pager[db.Request]
	filter db.RequestFilter
	query  string // the filter as typed
	keys   keys.Inbox
	err    error
}

func newInbox() inbox {
	return inbox{pg: newPager(func(r db.Request) int64 { return r.ID }), keys: keys.DefaultInbox()}
}

// fetch runs the pending page load.
func (v *inbox) fetch(ctx context.Context, src Source) tea.Cmd {
	f := v.filter
	f.Before, f.Limit = v.pg.pendBefore, v.pg.size
	seq := v.pg.seq
	return func() tea.Msg {
		rows, err := src.ListRequests(ctx, f)
		return requestsPageMsg{seq: seq, rows: rows, err: err}
	}
}

func (v *inbox) head() string {
	return fmt.Sprintf("%7s %-12s %-6s %-14s %-3s %s", "#", "received", "status", "vendor", "sig", "event / path")
}

func (v *inbox) rows(r renderer) []string {
	out := make([]string, len(v.pg.rows))
	for i, q := range v.pg.rows {
		status := fmt.Sprintf("%-6d", q.Response.Status)
		if q.Response.Status == 0 {
			status = "—     "
		}
		what := strings.Join(q.EventTypes, ",")
		if what == "" {
			what = q.Method + " " + q.Path
		}
		flags := ""
		if q.Duplicate {
			flags += " dup"
		}
		if len(q.ShapeIssues) > 0 {
			flags += " shape!"
		}
		if len(q.EventTypes) > 1 {
			flags = fmt.Sprintf(" ×%d", len(q.EventTypes)) + flags
		}
		out[i] = fmt.Sprintf("%7d %-12s %s %s %-3s %s%s", q.ID, r.clock(q.ReceivedAt), r.st.HTTPStatus(q.Response.Status).Render(status),
			fit(sanitize.Line(orDash(q.Vendor)), 14), sigGlyph(q.Signature.Status), sanitize.Line(what), flags)
	}
	return out
}

func sigGlyph(s string) string {
	switch s {
	case "valid":
		return "✓"
	case "invalid":
		return "✗"
	case "missing":
		return "!"
	}
	return "–"
}

// renderRequest is the detail of one received request.
func (r renderer) renderRequest(q *db.Request) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line(r.st.Section.Render(fmt.Sprintf("Request #%d", q.ID)) + "  " + r.safe(q.Method) + " " + r.safe(q.Path+queryPart(q.Query)))
	line(r.field("received", r.stamp(q.ReceivedAt)+r.st.Muted.Render(" from ")+r.safe(q.RemoteAddr)))
	line(r.field("route", r.safe(orDash(q.Route))))
	line(r.field("vendor", r.safe(orDash(q.Vendor))))
	line(r.field("event", r.safe(orDash(strings.Join(q.EventTypes, ", ")))))
	line(r.field("signature", r.signature(q.Signature.Status, q.Signature.Reason)))
	dup := r.st.OK.Render("no")
	if q.Duplicate {
		dup = r.st.Warn.Render(fmt.Sprintf("yes — repeat of #%d", q.DuplicateOf))
	}
	line(r.field("duplicate", dup))
	if q.Stale {
		line(r.field("stale", r.st.Warn.Render("yes")+" — "+r.safe(q.StaleReason)))
	}
	switch why := q.ShapeNotChecked(); {
	case why != "":
		line(r.field("shape", r.st.Muted.Render("not checked — "+why)))
	case len(q.ShapeIssues) == 0:
		line(r.field("shape", r.st.OK.Render("✓ matches the documented shape")))
	default:
		line(r.field("shape", r.st.Warn.Render(fmt.Sprintf("%d issue(s)", len(q.ShapeIssues)))))
		for _, s := range q.ShapeIssues {
			line("  " + r.st.Warn.Render("•") + " " + r.safe(s))
		}
	}
	if !q.JSONValid && len(q.Body) > 0 {
		line(r.field("json", r.st.Bad.Render("✗ not well-formed JSON (shown raw)")))
	}
	if q.Error != "" {
		line(r.field("error", r.st.Bad.Render(r.safe(q.Error))))
	}
	r.batch(&b, batchEvents(q.Body))
	line(r.section("Request headers"))
	r.headers(&b, toHeaderLike(q.Headers))
	line(r.section(fmt.Sprintf("Request body (%d bytes)", q.BodySize)))
	r.body(&b, q.Body, q.BodyTruncated)
	if q.Response.Status == 0 {
		// No answer was sent (a simulated hang): the error says how long
		// the connection was held and how it ended.
		line(r.section("Response") + " " + r.st.Warn.Render("none sent"))
	} else {
		status := r.st.HTTPStatus(q.Response.Status).Render(fmt.Sprintf("%d", q.Response.Status))
		line(r.section("Response") + " " + status + r.st.Muted.Render(" in "+ms(q.Response.LatencyMS)))
	}
	r.headers(&b, toHeaderLike(q.Response.Headers))
	r.body(&b, q.Response.Body, q.Response.Truncated)
	if f := q.Forward; f != nil {
		line(r.section("Forwarded to " + r.safe(f.URL)))
		if f.Error != "" {
			line(r.st.Bad.Render("error: ") + r.safe(f.Error))
		} else {
			line(r.field("status", r.st.HTTPStatus(f.Status).Render(fmt.Sprintf("%d", f.Status))+r.st.Muted.Render(" in "+ms(f.LatencyMS))))
		}
		r.headers(&b, toHeaderLike(f.Headers))
		r.body(&b, f.Body, false)
	}
	return strings.TrimRight(b.String(), "\n")
}

func queryPart(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

func toHeaderLike(hs []db.Header) []headerLike {
	out := make([]headerLike, len(hs))
	for i, h := range hs {
		out[i] = headerLike{h.Name, h.Value}
	}
	return out
}
