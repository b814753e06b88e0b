package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sanitize"
	"github.com/hookscope/hookscope/tui/styles"
)

// maxShownBody caps how much of one body the detail pane renders; the rest
// is announced, never silently dropped. It is the preview a request's row
// keeps of a longer body, so a detail never reads the whole body.
const maxShownBody = db.BodyPreviewBytes

// maxLineCells bounds one line of the detail pane, in cells. A longer line
// (a megabyte header value, a one-line JSON body) is cut there with a mark,
// so wrapping and scrolling cost the same whatever a request holds; the
// whole text stays in the database, the copied curl and the exports.
const maxLineCells = 1024

// cutMarkCells is the most cells the mark at the end of a cut line takes.
const cutMarkCells = 64

// bound cuts every line of content wider than maxLineCells (and its cut
// mark), ending it with a mark that says how much was left out. Its cost
// is bounded by the cells kept, not by the line: a line is read only up to
// the cut.
func (r renderer) bound(content string) string {
	if r.whole || len(content) <= maxLineCells {
		return content
	}
	lines := strings.Split(content, "\n")
	changed := false
	for i, line := range lines {
		if len(line) <= maxLineCells { // bytes ≥ cells: surely narrow enough
			continue
		}
		// A line safe already cut ends in its mark: it stays as it is.
		if _, over := cutCells(line, maxLineCells+cutMarkCells); !over {
			continue
		}
		cut, _ := cutCells(line, maxLineCells)
		lines[i] = cut + "\x1b[m" + r.cutMark(len(ansi.Strip(line))-len(ansi.Strip(cut)))
		changed = true
	}
	if !changed {
		return content
	}
	return strings.Join(lines, "\n")
}

// cutCells returns the start of s that is at most limit cells wide,
// escape sequences kept, and whether anything was left out. It reads s
// only up to the cut.
func cutCells(s string, limit int) (string, bool) {
	var state byte
	width, i := 0, 0
	for i < len(s) {
		_, w, n, next := ansi.DecodeSequence(s[i:], state, nil)
		if width+w > limit {
			return s[:i], true
		}
		width += w
		state = next
		i += n
	}
	return s, false
}

// cutMark ends a line that was cut, saying how many bytes were left out.
func (r renderer) cutMark(more int) string {
	return r.st.Notice.Render(fmt.Sprintf(" … line cut, %d more bytes (o: whole in $PAGER)", more))
}

// valueCells bounds one value of the detail (safe's cut): less than
// maxLineCells by room for the field's name before it on its line, so
// that its line, mark included, stays within what bound leaves alone, and
// the mark keeps its count of every byte not shown. A line that holds two
// values that may be long cuts the first to nameCells and gives the
// second what is left of maxLineCells (safeIn).
const (
	valueCells = maxLineCells - 64
	nameCells  = 128
)

// clipCells cuts text, before it is sanitised, at a character boundary so
// that, sanitised, it is at most limit cells wide: a character that
// becomes a placeholder counts the placeholder's cells, a tab
// sanitize.TabWidth, any other its own width (at least one). It reads s
// only up to the cut, so a megabyte header value costs no more than a
// short one; cut is how many bytes were left out, every one of them.
func clipCells(s string, limit int) (clipped string, cut int) {
	if len(s) <= limit && printableASCII(s) {
		return s, 0
	}
	width := 0
	for i := 0; i < len(s); {
		w, size := 1, 1
		if c := s[i]; c < 0x20 || c >= 0x7f {
			_, size = utf8.DecodeRuneInString(s[i:])
			if c == '\t' {
				w = sanitize.TabWidth
			} else {
				w = max(ansi.StringWidth(sanitize.Line(s[i:i+size])), 1)
			}
		}
		if width+w > limit {
			return s[:i], len(s) - i
		}
		width += w
		i += size
	}
	return s, 0
}

// printableASCII reports whether every byte of s is printable ASCII: s
// is shown as it is, a cell a byte.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// clipSanitized is s cut by clipCells to cells, then made safe by clean,
// and how many bytes of s were left out (the caller marks them).
func clipSanitized(s string, cells int, clean func(string) string) (string, int) {
	s, cut := clipCells(s, cells)
	out := clean(s)
	if cut > 0 && ansi.StringWidth(out) > cells { // a cluster wider than its characters
		out = ansi.Truncate(out, cells, "")
	}
	return out, cut
}

// renderer turns stored rows into detail text. It is a small value (the
// styles, which nothing changes once built, by pointer; a location) so a
// tea.Cmd can use it off the Update goroutine. Every piece of untrusted
// text goes through safe or safeText.
type renderer struct {
	st  *styles.Styles
	loc *time.Location
	// now is the console's clock: an instant of another day is shown with
	// its date.
	now time.Time
	// whole renders for $PAGER: every body whole, no line cut, JSON
	// indented but not coloured (it is written as plain text).
	whole bool
}

// safe makes untrusted text safe on one line, placeholders marked; text
// too long for a detail line is cut first, with a mark.
func (r renderer) safe(s string) string { return r.safeIn(s, valueCells) }

// safeIn is safe with the text cut to cells cells.
func (r renderer) safeIn(s string, cells int) string {
	if r.whole {
		return sanitize.LineMarked(s, r.st.Mark)
	}
	line, cut := clipSanitized(s, max(cells, 1), func(s string) string { return sanitize.LineMarked(s, r.st.Mark) })
	if cut == 0 {
		return line
	}
	return line + r.cutMark(cut)
}

// safeText makes untrusted text safe as lines, placeholders marked; a line
// too long for the detail is cut first, with a mark, as safe cuts one, so
// a body that is one 256 KB line is sanitised and measured 1,024
// characters deep, not 256 KB.
func (r renderer) safeText(s string) string {
	out, _ := r.safeLines(s, false)
	return out
}

// safeLines is safeText; with openEnd (s is the start of a longer text,
// its last line goes on past it) the last line gets no mark, and lastCut
// is how many of s's bytes that line leaves out, for the caller to count
// with what follows s.
func (r renderer) safeLines(s string, openEnd bool) (out string, lastCut int) {
	if r.whole || !hasLongLine(s) {
		return sanitize.TextMarked(s, r.st.Mark), 0
	}
	textMarked := func(s string) string { return sanitize.TextMarked(s, r.st.Mark) }
	var b strings.Builder
	for {
		line, rest, more := strings.Cut(s, "\n")
		out, cut := clipSanitized(line, maxLineCells, textMarked)
		b.WriteString(out)
		if !more && openEnd {
			return b.String(), cut
		}
		if cut > 0 {
			b.WriteString(r.cutMark(cut))
		}
		if !more {
			return b.String(), 0
		}
		b.WriteByte('\n')
		s = rest
	}
}

// hasLongLine reports whether a line of s may be wider than maxLineCells
// cells once sanitised: longer than maxLineCells/4 bytes, as a byte shown
// as a placeholder (⟨FF⟩) or a tab takes up to four cells.
func hasLongLine(s string) bool {
	const most = maxLineCells / 4
	for len(s) > most {
		i := strings.IndexByte(s, '\n')
		if i < 0 || i > most {
			return true
		}
		s = s[i+1:]
	}
	return false
}

// clock formats an instant for a row, in 12 cells: the time of day for
// today, the day and minute for another day of this year, else the date.
func (r renderer) clock(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(r.loc)
	now := r.now.In(r.loc)
	switch {
	case r.now.IsZero() || sameDay(t, now):
		return t.Format("15:04:05.000")
	case t.Year() == now.Year():
		return t.Format("Jan 02 15:04")
	}
	return t.Format("2006-01-02")
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// stamp formats an instant for the detail pane.
func (r renderer) stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(r.loc).Format("2006-01-02 15:04:05.000 MST")
}

// section is a titled rule.
func (r renderer) section(title string) string {
	return r.st.Section.Render("── " + title + " ──")
}

// field is "name  value" with an aligned name.
func (r renderer) field(name, value string) string {
	return r.st.FieldName.Render(fmt.Sprintf("%-10s", name)) + " " + value
}

// headers renders header lines, names and values sanitised; a header
// that carries a credential in clear (a token, a bearer) shows masked
// (fixtures.MaskHeaderValue), while the stored bytes, the copied curl and
// the exports keep the real value.
func (r renderer) headers(b *strings.Builder, hs []headerLike) {
	if len(hs) == 0 {
		b.WriteString(r.st.Muted.Render("(no headers)") + "\n")
		return
	}
	for _, h := range hs {
		name := r.safeIn(h.name, nameCells)
		value := r.safeIn(fixtures.MaskHeaderValue(h.name, h.value), maxLineCells-ansi.StringWidth(name)-2)
		if fixtures.IsCredentialHeader(h.name) && h.value != "" {
			value = r.st.Muted.Render(value)
		}
		b.WriteString(row(r.st.JSONKey.Render(name)+r.st.Muted.Render(": ")+value) + "\n")
	}
}

type headerLike struct{ name, value string }

// body renders a body: JSON pretty-printed and coloured, anything else as
// sanitised text; truncation and size are stated.
// stored is the whole body's length (body may be its first bytes only).
func (r renderer) body(b *strings.Builder, body []byte, stored int64, truncated bool) {
	if len(body) == 0 {
		b.WriteString(r.st.Muted.Render("(empty body)") + "\n")
		return
	}
	shown := body
	cut := false
	if !r.whole && (len(shown) > maxShownBody || int64(len(shown)) < stored) {
		shown, cut = shown[:min(len(shown), maxShownBody)], true
	}
	shownBytes := int64(len(shown))
	if !cut && json.Valid(shown) {
		var pretty bytes.Buffer
		if json.Indent(&pretty, shown, "", "  ") == nil {
			if r.whole {
				b.WriteString(r.safeText(pretty.String()))
			} else {
				b.WriteString(r.highlightJSON(pretty.String()))
			}
			b.WriteString("\n")
		}
	} else {
		// A cut body's last line goes on past what is shown: the count
		// below covers the rest of it with the rest of the body.
		text, lastCut := r.safeLines(string(shown), cut)
		b.WriteString(text)
		b.WriteString("\n")
		shownBytes -= int64(lastCut)
	}
	if cut {
		b.WriteString(r.st.Notice.Render(fmt.Sprintf("… %d more bytes not shown", stored-shownBytes)) + "\n")
	}
	if truncated {
		b.WriteString(r.st.Notice.Render("… body truncated at the size limit when recorded") + "\n")
	}
}

// batchEvents lists the events of a batch envelope ({"events": [...]}),
// one row each: CodeScoring's way of sending several events at once. Only
// the body of a vendor that batches is decoded (a profile with a batch
// window): decoding every body, megabytes long or not, to find out would
// cost more than the rest of the detail.
func batchEvents(vendor string, body []byte) []batchEvent {
	if p, err := fixtures.Lookup(vendor); err != nil || p.Policy().BatchWindow == 0 {
		return nil
	}
	var env fixtures.BatchEnvelope
	if json.Unmarshal(body, &env) != nil || len(env.Events) == 0 {
		return nil
	}
	out := make([]batchEvent, len(env.Events))
	for i, e := range env.Events {
		out[i] = batchEvent{createdAt: e.CreatedAt, trigger: e.Trigger, size: len(e.Payload)}
	}
	return out
}

type batchEvent struct {
	createdAt, trigger string
	size               int
}

func (r renderer) batch(b *strings.Builder, events []batchEvent) {
	if len(events) < 1 {
		return
	}
	b.WriteString(r.section(fmt.Sprintf("Batch: %d events in one request", len(events))) + "\n")
	for i, e := range events {
		b.WriteString(row(fmt.Sprintf("%3d  %-25s  %s  %s", i+1, r.safe(e.createdAt), r.safe(e.trigger),
			r.st.Muted.Render(fmt.Sprintf("%d B payload", e.size)))) + "\n")
	}
}

// signature renders a verdict with its reason.
func (r renderer) signature(status, reason string) string {
	var s string
	switch status {
	case "valid":
		s = r.st.OK.Render("✓ valid")
	case "invalid":
		s = r.st.Bad.Render("✗ invalid")
	case "missing":
		s = r.st.Warn.Render("! missing")
	case "unverifiable", "":
		s = r.st.Muted.Render("– " + orDash(status))
	default:
		s = r.safe(status)
	}
	if reason != "" {
		s += r.st.Muted.Render(" — ") + r.safe(reason)
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// duration formats a duration short and stable: 950ms, 4.2s, 3m05s, 2h00m.
func duration(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
	}
}

// ms formats milliseconds.
func ms(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1fms", v)
	}
	return duration(time.Duration(v * float64(time.Millisecond)))
}
