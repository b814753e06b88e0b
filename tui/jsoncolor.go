package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/tui/sanitize"
)

// jsonColors are the JSON styles as the SGR sequences that start them
// ("" for a style that sets nothing), built once per body, so a token is
// styled by writing its sequence before it and a reset after it, instead
// of through lipgloss's Render, which lays out a block each time.
type jsonColors struct{ key, str, num, atom, punct string }

func (r renderer) jsonColors() jsonColors {
	return jsonColors{key: sgr(r.st.JSONKey), str: sgr(r.st.JSONString), num: sgr(r.st.JSONNumber),
		atom: sgr(r.st.JSONAtom), punct: sgr(r.st.JSONPunct)}
}

// sgr is the sequence that starts a text style's colour and attributes,
// or "" when it sets none.
func sgr(s lipgloss.Style) string {
	var a ansi.Style
	// GetForeground is NoColor{} when the style sets none.
	if c := s.GetForeground(); !isNoColor(c) {
		a = a.ForegroundColor(c)
	}
	if s.GetBold() {
		a = a.Bold()
	}
	if s.GetItalic() {
		a = a.Italic(true)
	}
	if s.GetUnderline() {
		a = a.Underline(true)
	}
	if len(a) == 0 {
		return ""
	}
	return a.String()
}

func isNoColor(c any) bool {
	_, none := c.(lipgloss.NoColor)
	return none
}

// styled writes tok started by seq and reset after, as ansi.Style.Styled
// does; tok alone when seq is "".
func styled(b *strings.Builder, seq, tok string) {
	if seq == "" {
		b.WriteString(tok)
		return
	}
	b.WriteString(seq)
	b.WriteString(tok)
	b.WriteString(ansi.ResetStyle)
}

// highlightJSON colours JSON that json.Indent wrote (so well-formed, its
// strings on one line) in one pass over it: keys, strings, numbers, true,
// false and null, and punctuation, each string sanitised (and cut, when
// longer than a detail line) before it is styled. A hand-written pass
// instead of chroma's JSON lexer: the lexer's regular expressions took
// 0.6 ms per KB, 375 ms for a 250 KB body (see BenchmarkDetailLargeJSON
// and the README).
func (r renderer) highlightJSON(src string) string {
	c := r.jsonColors()
	var b strings.Builder
	b.Grow(4 * len(src)) // each token gains its SGR sequence and a reset
	for i := 0; i < len(src); {
		ch := src[i]
		switch {
		case ch == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(src))
			seq := c.str
			if j < len(src) && src[j] == ':' {
				seq = c.key
			}
			styled(&b, seq, r.safeToken(src[i:j]))
			i = j
		case ch == ' ' || ch == '\n':
			j := i + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\n') {
				j++
			}
			b.WriteString(src[i:j])
			i = j
		case strings.IndexByte("{}[],:", ch) >= 0:
			styled(&b, c.punct, src[i:i+1])
			i++
		default: // a number, or true, false or null
			j := i + 1
			for j < len(src) && strings.IndexByte(" \n{}[],:\"", src[j]) < 0 {
				j++
			}
			seq := c.num
			if ch == 't' || ch == 'f' || ch == 'n' {
				seq = c.atom
			}
			styled(&b, seq, r.safeToken(src[i:j]))
			i = j
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// safeToken is safeText for one token of valid JSON (one line, no raw
// control character): the token itself when nothing in it needs a
// placeholder or a cut, as for nearly every token.
func (r renderer) safeToken(tok string) string {
	if len(tok) <= maxLineCells && sanitize.IsSafe(tok) {
		return tok
	}
	return r.safeText(tok)
}
