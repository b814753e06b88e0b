package tui

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/tui/sanitize"
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

// rawText is the raw view's escaper: styled escapes, signed spans.
type rawText struct {
	escOpen, escClose string // the control style around an escape
}

func (r renderer) rawText() rawText {
	// The style's opening and closing sequences, found once around a
	// sample, so escaping a binary body is not a Render call per byte.
	s := r.st.ControlGlyph.Render("X")
	i := strings.Index(s, "X")
	return rawText{escOpen: s[:i], escClose: s[i+1:]}
}

// bytes writes b escaped to out; with lines, a line break in b also
// breaks the line shown. signed underlines every byte.
func (t rawText) bytes(out *strings.Builder, b []byte, signed, lines bool) {
	on := func() {
		if signed {
			out.WriteString(signedOn)
		}
	}
	off := func() {
		if signed {
			out.WriteString(signedOff)
		}
	}
	esc := func(s string) {
		out.WriteString(t.escOpen + s + t.escClose)
		on() // the style's reset ends the underline too
	}
	on()
	for i := 0; i < len(b); {
		c := b[i]
		if c >= 0x20 && c < 0x7f {
			j := i + 1
			for j < len(b) && b[j] >= 0x20 && b[j] < 0x7f {
				j++
			}
			out.Write(b[i:j])
			i = j
			continue
		}
		switch c {
		case '\n':
			esc(`\n`)
			if lines {
				off()
				out.WriteByte('\n')
				on()
			}
			i++
			continue
		case '\r':
			esc(`\r`)
			i++
			continue
		case '\t':
			esc(`\t`)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if (r == utf8.RuneError && size <= 1) || sanitize.NeedsPlaceholder(r) {
			for k := range size {
				esc(fmt.Sprintf(`\x%02x`, b[i+k]))
			}
		} else {
			out.Write(b[i : i+size])
		}
		i += size
	}
	off()
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
	t.bytes(b, []byte(first), false, false)
	b.WriteString("\n")
	for _, h := range hs {
		signed := false
		for _, name := range cov.Headers {
			if strings.EqualFold(name, h.name) {
				signed = true
			}
		}
		b.WriteString(noWrap)
		t.bytes(b, []byte(h.name), false, false)
		b.WriteString(": ")
		t.bytes(b, []byte(h.value), signed, false)
		b.WriteString("\n")
	}
	b.WriteString("\n")
	if int64(len(body)) < bodyLen {
		// The body is cut: its last line goes on past what is loaded. It
		// is shown to maxLineCells bytes, and the count below covers the
		// rest of it with the rest of the body.
		if start := bytes.LastIndexByte(body, '\n') + 1; len(body)-start > maxLineCells {
			body = body[:start+maxLineCells]
		}
	}
	t.bytes(b, body, cov.Body, true)
	b.WriteString("\n")
	if more := bodyLen - int64(len(body)); more > 0 {
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
