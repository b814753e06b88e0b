package tui

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sanitize"
)

// The raw view (v) shows a request as the bytes that travelled: the
// request line, each header as it came, the body byte for byte. Printable
// text is itself; every other byte (controls, DEL, bytes that are not
// UTF-8, format characters) is \xNN in the control style, a line break in
// the body is \n before the next line. The bytes a vendor's signature
// covers are underlined, so a user debugging "✗ invalid" sees what was
// signed.

// Underline on and off (SGR 4 and 24) for signed bytes: set per line, so
// each laid-out line carries its own.
const (
	signedOn  = "\x1b[4m"
	signedOff = "\x1b[24m"
)

// rawText is the raw view's escaper: styled escapes, signed spans, and
// the mark that ends a line cut.
type rawText struct {
	escOpen, escClose string // the control style around an escape
	mark              func(more int) string
}

func (r renderer) rawText() rawText {
	// The style's opening and closing sequences, found once around a
	// sample, so escaping a binary body is not a Render call per byte.
	s := r.st.ControlGlyph.Render("X")
	i := strings.Index(s, "X")
	return rawText{escOpen: s[:i], escClose: s[i+1:], mark: r.cutMark}
}

// rawSpan is how rawText.bytes writes one piece of text.
type rawSpan struct {
	signed bool // every byte underlined
	lines  bool // a line break in the text also breaks the line shown
	// room is how many cells the first line shown may take (what stands
	// before it on its line took the rest); a later line takes
	// maxLineCells.
	room int
	// openEnd: the text is the start of a longer one, so its last line
	// goes on past it: that line gets no mark, and bytes returns how many
	// of its bytes it left out, for the caller to count with the rest.
	openEnd bool
}

// bytes writes b escaped to out, each line shown cut to its room with a
// mark counting the bytes of the line left out (as received, however
// wide their escapes). It returns the cells the last line shown took and,
// with openEnd, the bytes of that line it left out.
func (t rawText) bytes(out *strings.Builder, b []byte, sp rawSpan) (width, lastCut int) {
	on := func() {
		if sp.signed {
			out.WriteString(signedOn)
		}
	}
	off := func() {
		if sp.signed {
			out.WriteString(signedOff)
		}
	}
	esc := func(s string) {
		out.WriteString(t.escOpen + s + t.escClose)
		on() // the style's reset ends the underline too
	}
	room := sp.room
	on()
	for i := 0; i < len(b); {
		c := b[i]
		if c == '\n' {
			esc(`\n`)
			width += 2
			if sp.lines {
				off()
				out.WriteByte('\n')
				on()
				width, room = 0, maxLineCells
			}
			i++
			continue
		}
		// The next unit: a run of printable ASCII (as much of it as fits),
		// \r or \t, or one character, itself or escaped byte by byte.
		n, w, escaped := 1, 2, true
		switch {
		case c >= 0x20 && c < 0x7f:
			for i+n < len(b) && n <= room-width && b[i+n] >= 0x20 && b[i+n] < 0x7f {
				n++ // (no further than one past the room: the rest is cut)
			}
			if width+n > room && room > width {
				n = room - width
			}
			w, escaped = n, false
		case c == '\r' || c == '\t':
		default:
			r, size := utf8.DecodeRune(b[i:])
			n = size
			if (r == utf8.RuneError && size <= 1) || sanitize.NeedsPlaceholder(r) {
				w = 4 * size
			} else {
				w, escaped = max(ansi.StringWidth(string(b[i:i+size])), 1), false
			}
		}
		if width+w > room {
			end := len(b)
			if k := bytes.IndexByte(b[i:], '\n'); sp.lines && k >= 0 {
				end = i + k
			}
			if end == len(b) && sp.openEnd {
				off()
				return width, end - i
			}
			off()
			m := t.mark(end - i)
			out.WriteString(m)
			on()
			width += ansi.StringWidth(m)
			i = end // the rest of the line, up to its break
			continue
		}
		switch {
		case !escaped:
			out.Write(b[i : i+n])
		case c == '\r':
			esc(`\r`)
		case c == '\t':
			esc(`\t`)
		default:
			for k := range n {
				esc(fmt.Sprintf(`\x%02x`, b[i+k]))
			}
		}
		width += w
		i += n
	}
	off()
	return width, 0
}

// coverageOf is what vendor's signature covers (zero when it signs nothing).
func coverageOf(vendor string) fixtures.Coverage {
	p, err := fixtures.Lookup(vendor)
	if err != nil {
		return fixtures.Coverage{}
	}
	if c, ok := p.(fixtures.Covering); ok {
		return c.Coverage()
	}
	return fixtures.Coverage{}
}

// rawHTTP writes a request line (or status line), headers and a body as
// raw bytes; cov marks what is signed.
func (r renderer) rawHTTP(b *strings.Builder, first string, hs []headerLike, body []byte, bodyLen int64, cov fixtures.Coverage) {
	t := r.rawText()
	t.bytes(b, []byte(first), rawSpan{room: maxLineCells})
	b.WriteString("\n")
	for _, h := range hs {
		signed := false
		for _, name := range cov.Headers {
			if strings.EqualFold(name, h.name) {
				signed = true
			}
		}
		b.WriteString(noWrap)
		w, _ := t.bytes(b, []byte(h.name), rawSpan{room: nameCells})
		b.WriteString(": ")
		t.bytes(b, []byte(h.value), rawSpan{signed: signed, room: maxLineCells - w - 2})
		b.WriteString("\n")
	}
	b.WriteString("\n")
	// A body cut at its preview: its last line goes on past what is
	// loaded, and the count below covers the rest of it with the rest of
	// the body.
	_, lastCut := t.bytes(b, body, rawSpan{signed: cov.Body, lines: true, room: maxLineCells, openEnd: int64(len(body)) < bodyLen})
	b.WriteString("\n")
	if more := bodyLen - int64(len(body)) + int64(lastCut); more > 0 {
		b.WriteString(r.st.Notice.Render(fmt.Sprintf("… %d more bytes not shown (o: whole in $PAGER)", more)) + "\n")
	}
}

// coverageNote says what the underlined bytes are.
func (r renderer) coverageNote(b *strings.Builder, cov fixtures.Coverage) {
	if !cov.Body && len(cov.Headers) == 0 {
		b.WriteString(r.field("signed", r.st.Muted.Render("nothing: this vendor does not sign its requests")) + "\n")
		return
	}
	b.WriteString(r.field("signed", signedOn+"underlined"+signedOff+" — "+r.safe(cov.How)) + "\n")
}

// renderRawRequest is the raw view of a received request (its body cut as
// the preview is) and of the answer hookscope gave.
func (r renderer) renderRawRequest(q *db.RequestPreview) string {
	var b strings.Builder
	bodyShown := min(int64(len(q.Body)), maxShownBody)
	b.WriteString(r.st.Section.Render(fmt.Sprintf("Request #%d", q.ID)) + r.st.Muted.Render(fmt.Sprintf("  raw: %d bytes of body as received (v: back)", q.BodyLen)) + "\n")
	b.WriteString(r.field("signature", r.signature(q.Signature.Status, q.Signature.Reason)) + "\n")
	cov := coverageOf(q.Vendor)
	r.coverageNote(&b, cov)
	b.WriteString(r.section("Raw request") + "\n")
	r.rawHTTP(&b, q.Method+" "+q.Path+queryPart(q.Query), toHeaderLike(q.Headers), q.Body[:bodyShown], q.BodyLen, cov)
	if q.Response.Status != 0 {
		b.WriteString(r.section("Raw response") + "\n")
		respShown := min(int64(len(q.Response.Body)), maxShownBody)
		r.rawHTTP(&b, fmt.Sprint(q.Response.Status), toHeaderLike(q.Response.Headers), q.Response.Body[:respShown], q.RespBodyLen, fixtures.Coverage{})
	}
	return strings.TrimRight(b.String(), "\n")
}

// renderRawDelivery is the raw view of the attempt a delivery's detail
// shows: the request hookscope sent and the answer it got.
func (r renderer) renderRawDelivery(dd *DeliveryDetail, shown int) string {
	d := dd.Delivery
	var b strings.Builder
	b.WriteString(r.st.Section.Render(fmt.Sprintf("Delivery #%d", d.ID)) + r.st.Muted.Render("  raw (v: back · [ ] attempts)") + "\n")
	shown = shownAttempt(d.Attempts, shown)
	var a *db.Attempt
	for i := range d.Attempts {
		if d.Attempts[i].N == shown {
			a = &d.Attempts[i]
		}
	}
	if a == nil {
		b.WriteString(r.st.Muted.Render("no attempt yet: nothing was sent"))
		return b.String()
	}
	cov := coverageOf(d.Vendor)
	r.coverageNote(&b, cov)
	b.WriteString(r.section(fmt.Sprintf("Attempt %d/%d raw request", a.N, len(d.Attempts))) + "\n")
	body := a.Request.Body[:min(len(a.Request.Body), maxShownBody)]
	r.rawHTTP(&b, a.Request.Method+" "+a.Request.URL, toHeaderLike(a.Request.Headers), body, int64(len(a.Request.Body)), cov)
	if resp := a.Response; resp != nil {
		b.WriteString(r.section(fmt.Sprintf("Attempt %d raw response", a.N)) + "\n")
		rb := resp.Body[:min(len(resp.Body), maxShownBody)]
		r.rawHTTP(&b, fmt.Sprint(resp.Status), toHeaderLike(resp.Headers), rb, int64(len(resp.Body)), fixtures.Coverage{})
	} else if a.Error != "" {
		b.WriteString(r.field("error", r.st.Bad.Render(r.safe(a.Error))) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// toggleRaw switches the Inbox's and Deliveries' detail between the
// rendered view and the raw bytes, and reloads the one shown.
func (m *Model) toggleRaw() tea.Cmd {
	m.raw = !m.raw
	if m.raw {
		m.setStatus(statusInfo, "raw bytes: \\xNN is a byte that is not printable text; underlined bytes are signed")
	} else {
		m.setStatus(statusInfo, "raw bytes off")
	}
	return m.syncDetail(true)
}
