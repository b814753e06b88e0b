package tui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/sanitize"
	"github.com/hookscope/hookscope/tui/keys"
)

// inbox is the received-requests view: a keyset window over the requests
// table and the filter applied to it.
type inbox struct {
	pg     pager[db.Request]
	filter db.RequestFilter
	query  string // the filter as typed
	counts listCounts
	keys   keys.Inbox
	err    error
}

func newInbox() inbox {
	return inbox{pg: newPager(func(r db.Request) int64 { return r.ID }), counts: newListCounts(), keys: keys.DefaultInbox()}
}

// fetch runs the pending page load.
func (v *inbox) fetch(ctx context.Context, src Source) tea.Cmd {
	f := v.filter
	l := v.pg.pend
	f.Before, f.After, f.Oldest, f.Limit = l.before, l.after, l.kind == loadOldest, l.size
	seq := v.pg.seq
	return func() tea.Msg {
		rows, err := src.ListRequests(ctx, f)
		return requestsPageMsg{seq: seq, rows: rows, err: err}
	}
}

// table lays the page out in w cells: id, time, status, vendor (cut
// first when narrow), signature, then the event types (or method and path)
// in what is left.
func (v *inbox) table(r renderer, w int) (string, []string) { return table(v.columns(r), w) }

// columns are the page's columns, cells rendered.
func (v *inbox) columns(r renderer) []column {
	n := len(v.pg.rows)
	ids, times, codes, vendors, sigs, whats := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, q := range v.pg.rows {
		ids[i] = fmt.Sprint(q.ID)
		times[i] = r.clock(q.ReceivedAt)
		code := "—"
		if q.Response.Status != 0 {
			code = fmt.Sprint(q.Response.Status)
		}
		codes[i] = r.st.HTTPStatus(q.Response.Status).Render(code)
		vendors[i] = sanitize.Line(orDash(q.Vendor))
		sigs[i] = r.sigGlyph(q.Signature.Status)
		what := strings.Join(q.EventTypes, ",")
		if what == "" {
			what = q.Method + " " + q.Path
		}
		what, _ = clipCells(what, maxLineCells) // a row shows far less; the table cuts it to the width
		flags := ""
		if q.Duplicate {
			flags += " dup"
		}
		if q.RepeatOf > 0 || q.RepeatNote != "" {
			flags += " rep"
		}
		if len(q.ShapeIssues) > 0 {
			flags += " shape!"
		}
		if len(q.EventTypes) > 1 {
			flags = fmt.Sprintf(" ×%d", len(q.EventTypes)) + flags
		}
		whats[i] = sanitize.Line(what) + flags
	}
	return []column{
		{head: "#", cells: ids, right: true, min: 1 << 10},
		{head: "received", cells: times, min: 12},
		{head: "st", cells: codes, min: 3},
		{head: "vendor", cells: vendors, min: 6},
		{head: "sig", cells: sigs, min: 3},
		{head: "event / path", cells: whats, min: 24}, // the vendor gives way first
	}
}

// sigGlyph is a signature verdict as one glyph, coloured like the
// detail's verdicts (and plain under NO_COLOR).
func (r renderer) sigGlyph(s string) string {
	switch s {
	case "valid":
		return r.st.OK.Render("✓")
	case "invalid":
		return r.st.Bad.Render("✗")
	case "missing":
		return r.st.Warn.Render("!")
	}
	return r.st.Muted.Render("–")
}

// renderRequest is the detail of one received request.
func (r renderer) renderRequest(q *db.RequestPreview) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	title := r.st.Section.Render(fmt.Sprintf("Request #%d", q.ID)) + "  " + r.safeIn(q.Method, nameCells) + " "
	line(title + r.safeIn(q.Path+queryPart(q.Query), maxLineCells-ansi.StringWidth(title)))
	line(r.field("received", r.stamp(q.ReceivedAt)+r.st.Muted.Render(" from ")+r.safe(q.RemoteAddr)))
	line(r.field("route", r.safe(orDash(q.Route))))
	line(r.field("vendor", r.safe(orDash(q.Vendor))))
	line(r.field("event", r.safe(orDash(strings.Join(q.EventTypes, ", ")))))
	line(r.field("signature", r.signature(q.Signature.Status, q.Signature.Reason)))
	dup := r.st.OK.Render("no")
	switch {
	case q.Duplicate && q.DuplicateOf > 0:
		dup = r.st.Warn.Render(fmt.Sprintf("yes — a copy of #%d", q.DuplicateOf))
	case q.Duplicate:
		dup = r.st.Warn.Render("yes")
	case q.RepeatNote != "":
		// Not a duplicate: one of the two signatures failed. A repeat is
		// a verdict, not an error.
		dup = r.st.Warn.Render("no") + " — " + r.safe(q.RepeatNote)
	case q.RepeatOf > 0:
		dup = r.st.Warn.Render("no") + " — " + r.safe(fmt.Sprintf("repeats the id of #%d", q.RepeatOf))
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
	r.batch(&b, batchEvents(q.Vendor, q.Body))
	line(r.section("Request headers"))
	r.headers(&b, toHeaderLike(q.Headers))
	line(r.section(fmt.Sprintf("Request body (%d bytes)", q.BodySize)))
	r.body(&b, q.Body, q.BodyLen, q.BodyTruncated)
	if q.Response.Status == 0 {
		// No answer was sent (a simulated hang): the error says how long
		// the connection was held and how it ended.
		line(r.section("Response") + " " + r.st.Warn.Render("none sent"))
	} else {
		status := r.st.HTTPStatus(q.Response.Status).Render(fmt.Sprintf("%d", q.Response.Status))
		line(r.section("Response") + " " + status + r.st.Muted.Render(" in "+ms(q.Response.LatencyMS)))
	}
	r.headers(&b, toHeaderLike(q.Response.Headers))
	r.body(&b, q.Response.Body, q.RespBodyLen, q.Response.Truncated)
	if f := q.Forward; f != nil {
		line(r.section("Forwarded to " + r.safe(f.URL)))
		if f.Error != "" {
			line(r.st.Bad.Render("error: ") + r.safe(f.Error))
		} else {
			line(r.field("status", r.st.HTTPStatus(f.Status).Render(fmt.Sprintf("%d", f.Status))+r.st.Muted.Render(" in "+ms(f.LatencyMS))))
		}
		r.headers(&b, toHeaderLike(f.Headers))
		r.body(&b, f.Body, q.ForwardBodyLen, false)
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
