package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/sanitize"
	"github.com/hookscope/hookscope/tui/keys"
)

// deliveries is the sent-deliveries view: a keyset window over the
// deliveries table.
type deliveries struct {
	pg     pager[db.Delivery]
	filter db.DeliveryFilter
	query  string
	counts listCounts
	keys   keys.Deliveries
	err    error
	// attempt is the attempt (its n) whose request and response the
	// detail shows; 0 shows the latest. [ and ] move it; it resets when
	// another delivery is selected.
	attempt   int
	attemptOf int64 // the delivery attempt belongs to
}

func newDeliveries() deliveries {
	return deliveries{pg: newPager(func(d db.Delivery) int64 { return d.ID }), counts: newListCounts(), keys: keys.DefaultDeliveries()}
}

func (v *deliveries) fetch(ctx context.Context, src Source) tea.Cmd {
	f := v.filter
	l := v.pg.pend
	f.Before, f.After, f.Oldest, f.Limit = l.before, l.after, l.kind == loadOldest, l.size
	seq := v.pg.seq
	return func() tea.Msg {
		rows, err := src.ListDeliveries(ctx, f)
		return deliveriesPageMsg{seq: seq, rows: rows, err: err}
	}
}

// table lays the page out in w cells: id, time, status, attempts, the
// endpoint (cut first when narrow), then the event types in what is left.
func (v *deliveries) table(r renderer, names map[int64]string, w int) (string, []string) {
	return table(v.columns(r, names), w)
}

// columns are the page's columns, cells rendered.
func (v *deliveries) columns(r renderer, names map[int64]string) []column {
	n := len(v.pg.rows)
	ids, times, states, tries, eps, events := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, d := range v.pg.rows {
		name := names[d.EndpointID]
		if name == "" {
			name = fmt.Sprintf("#%d", d.EndpointID)
		}
		ev := strings.Join(d.EventTypes, ",")
		if k := len(d.EventTypes); k > 1 {
			ev = fmt.Sprintf("×%d %s", k, ev)
		}
		ids[i] = fmt.Sprint(d.ID)
		times[i] = r.clock(d.CreatedAt)
		states[i] = r.deliveryStatus(d.Status)
		tries[i] = fmt.Sprint(d.AttemptCount)
		eps[i] = sanitize.Line(name)
		events[i] = sanitize.Line(ev)
	}
	return []column{
		{head: "#", cells: ids, right: true, min: 1 << 10},
		{head: "created", cells: times, min: 12},
		{head: "status", cells: states, min: 9},
		{head: "try", cells: tries, right: true, min: 3},
		{head: "endpoint", cells: eps, min: 8},
		{head: "events", cells: events, min: 20}, // the endpoint gives way first
	}
}

func (r renderer) deliveryStatus(s string) string {
	padded := fmt.Sprintf("%-9s", s)
	switch s {
	case db.DeliverySucceeded:
		return r.st.OK.Render(padded)
	case db.DeliveryFailed:
		return r.st.Bad.Render(padded)
	case db.DeliveryRetrying:
		return r.st.Warn.Render(padded)
	case db.DeliveryPending:
		return r.st.Info.Render(padded)
	}
	return r.st.Muted.Render(padded)
}

// countdown is the live line above a delivery's detail: when its next
// attempt runs, in real (scaled) time and on the vendor's schedule. The
// time scale is the delivery's own (it keeps the one it was scheduled
// with, whichever process sends it); scale stands in for a delivery that
// has none.
func (r renderer) countdown(d *DeliveryDetail, now time.Time, scale float64) string {
	if d == nil {
		return ""
	}
	del := d.Delivery
	if del.TimeScale > 0 {
		scale = del.TimeScale
	}
	if del.NextAttemptAt == nil || del.Status == db.DeliverySucceeded || del.Status == db.DeliveryFailed {
		switch del.Status {
		case db.DeliverySucceeded:
			return r.st.OK.Render(fmt.Sprintf("✓ delivered after %d attempt(s)", del.AttemptCount))
		case db.DeliveryFailed:
			return r.st.Bad.Render(fmt.Sprintf("✗ failed after %d attempt(s); no retry scheduled", del.AttemptCount))
		case db.DeliverySkipped:
			return r.st.Muted.Render("– skipped: the endpoint was disabled")
		case db.DeliveryCancelled:
			return r.st.Muted.Render("– " + sanitize.Line(del.LastError))
		}
		return ""
	}
	left := del.NextAttemptAt.Sub(now)
	what := fmt.Sprintf("attempt %d", del.AttemptCount+1)
	if w := d.Wait; w != nil && w.Retry > 0 {
		what = fmt.Sprintf("retry %d of %d", w.Retry, w.Of)
	}
	s := fmt.Sprintf("⏱ %s in %s", what, duration(left.Round(100*time.Millisecond)))
	if left <= 0 {
		s = fmt.Sprintf("⏱ %s due now", what)
	}
	if w := d.Wait; w != nil && w.VendorWaitMS > 0 {
		s += fmt.Sprintf(" · vendor waits %s", duration(w.VendorWait()))
		if scale > 1 {
			s += fmt.Sprintf(", ×%g → %s", scale, duration(time.Duration(w.ScaledWaitMS)*time.Millisecond))
		}
		if w.Reason != "" {
			s += " (" + sanitize.Line(w.Reason) + ")"
		}
	} else if scale > 1 && left > 0 {
		s += fmt.Sprintf(" · ≈%s on the vendor's clock (×%g)", duration(time.Duration(float64(left)*scale)), scale)
	}
	return r.st.Warn.Render(s)
}

// renderDelivery is the detail of one delivery: its events, notices, the
// attempt timeline, then the last attempt's request and response in full.
func (r renderer) renderDelivery(dd *DeliveryDetail, shown int) string {
	d := dd.Delivery
	shown = shownAttempt(d.Attempts, shown)
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	to := fmt.Sprintf("endpoint #%d", d.EndpointID)
	if e := dd.Endpoint; e != nil {
		to = r.safe(e.Name) + " " + r.st.Muted.Render(r.safe(e.URL))
		if e.AdHoc { // a send or replay to a URL: the URL is the target
			to = r.safe(e.URL) + " " + r.st.Muted.Render("(sent to a URL, not an endpoint)")
		}
	}
	line(r.st.Section.Render(fmt.Sprintf("Delivery #%d", d.ID)) + " → " + to)
	line(r.field("status", r.deliveryStatus(d.Status)))
	line(r.field("vendor", r.safe(d.Vendor)))
	line(r.field("events", r.safe(strings.Join(d.EventTypes, ", "))))
	if d.ExecutionID != "" {
		line(r.field("execution", r.safe(d.ExecutionID)))
	}
	if d.MessageID != "" {
		line(r.field("message", r.safe(d.MessageID)))
	}
	line(r.field("created", r.stamp(d.CreatedAt)))
	if d.LastError != "" {
		line(r.field("last error", r.st.Bad.Render(r.safe(d.LastError))))
	}
	// The endpoint's disabled state, unless this delivery's own auto-disable
	// notice below is that same event (it says more).
	sameEvent := func(e *db.Endpoint) bool {
		esc := d.Escalation
		return esc != nil && esc.Kind == "disabled" && e.DisabledAt != nil && e.DisabledAt.Equal(esc.At)
	}
	if e := dd.Endpoint; e != nil && !e.Enabled && !sameEvent(e) {
		at := ""
		if e.DisabledAt != nil {
			at = " at " + r.stamp(*e.DisabledAt)
		}
		line(r.st.Notice.Render("⊘ endpoint disabled"+at) + ": " + r.safe(orDash(e.DisabledReason)))
	}
	if esc := d.Escalation; esc != nil {
		title := "▲ escalated"
		if esc.Kind == "disabled" {
			title = "⊘ auto-disabled"
		}
		line(r.st.Notice.Render(title+" at "+r.stamp(esc.At)) + ": " + r.safe(esc.Subject))
		for _, l := range strings.Split(r.safeText(esc.Body), "\n") {
			line("  " + l)
		}
	}
	if len(d.Attempts) > 0 {
		r.batch(&b, batchEvents(d.Vendor, d.Attempts[len(d.Attempts)-1].Request.Body))
	}
	line(r.section(fmt.Sprintf("Attempts (%d)", len(d.Attempts))))
	if len(d.Attempts) == 0 {
		line(r.st.Muted.Render("no attempt yet"))
	}
	for _, a := range d.Attempts {
		status := "—  "
		if a.Response != nil {
			status = fmt.Sprintf("%-3d", a.Response.Status)
		}
		code := 0
		if a.Response != nil {
			code = a.Response.Status
		}
		manual := ""
		if a.Manual {
			manual = r.st.Info.Render(" manual")
		}
		errText := ""
		if a.Error != "" {
			errText = " " + r.st.Bad.Render(r.safe(a.Error))
		}
		// The vendor's wait before a retry, unscaled: the ladder as the
		// vendor runs it, whatever the time scale.
		wait := ""
		if a.VendorWaitMS > 0 {
			wait = "+" + duration(time.Duration(a.VendorWaitMS)*time.Millisecond)
		}
		mark := " "
		if a.N == shown && len(d.Attempts) > 1 {
			mark = r.st.Info.Render("▸")
		}
		line(row(fmt.Sprintf("%s%3d %7s  %s  %s  %8s%s%s", mark, a.N, wait, r.clock(a.StartedAt), r.st.HTTPStatus(code).Render(status), ms(a.DurationMS), manual, errText)))
	}
	for _, a := range d.Attempts {
		if shown >= 0 && a.N != shown {
			continue
		}
		title := fmt.Sprintf("Attempt %d request", a.N)
		if len(d.Attempts) > 1 && shown >= 0 {
			title = attemptAnchor(a.N, len(d.Attempts))
		}
		line(r.section(title) + " " + r.safe(a.Request.Method) + " " + r.safe(a.Request.URL))
		r.headers(&b, toHeaderLike(a.Request.Headers))
		r.body(&b, a.Request.Body, int64(len(a.Request.Body)), false)
		if a.Response != nil {
			line(r.section(fmt.Sprintf("Attempt %d response", a.N)) + " " + r.st.HTTPStatus(a.Response.Status).Render(fmt.Sprint(a.Response.Status)))
			r.headers(&b, toHeaderLike(a.Response.Headers))
			r.body(&b, a.Response.Body, int64(len(a.Response.Body)), a.Response.Truncated)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// shownAttempt is the n of the attempt a delivery's detail shows in full:
// want when the delivery has it, else the latest; -1 (every attempt, for
// the pager) stays -1.
func shownAttempt(attempts []db.Attempt, want int) int {
	if want < 0 || len(attempts) == 0 {
		return want
	}
	for _, a := range attempts {
		if a.N == want {
			return want
		}
	}
	return attempts[len(attempts)-1].N
}

// attemptAnchor is the text on the first line of attempt n's full view
// (the title of a delivery with more than one attempt, as stepping needs).
func attemptAnchor(n, of int) string { return fmt.Sprintf("Attempt %d/%d request", n, of) }
