package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
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
// false and null, and punctuation, each token sanitised before it is
// styled, and cut with a mark counting its bytes left out when its line
// has no room for it (a key gets at most nameCells, so its value keeps
// room too). A hand-written pass instead of chroma's JSON lexer: the
// lexer's regular expressions took 0.6 ms per KB, 375 ms for a 250 KB
// body (see BenchmarkDetailLargeJSON and docs/performance.md).
func (r renderer) highlightJSON(src string) string {
	c := r.jsonColors()
	var b strings.Builder
	b.Grow(4 * len(src)) // each token gains its SGR sequence and a reset
	col := 0             // cells on the line so far
	token := func(seq, tok string, room int) {
		shown, w := r.safeToken(tok, room)
		styled(&b, seq, shown)
		col += w
	}
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
			if j < len(src) && src[j] == ':' {
				token(c.key, src[i:j], min(nameCells, maxLineCells-col))
			} else {
				token(c.str, src[i:j], maxLineCells-col)
			}
			i = j
		case ch == ' ' || ch == '\n':
			j := i + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\n') {
				j++
			}
			b.WriteString(src[i:j])
			if k := strings.LastIndexByte(src[i:j], '\n'); k >= 0 {
				col = j - (i + k + 1)
			} else {
				col += j - i
			}
			i = j
		case strings.IndexByte("{}[],:", ch) >= 0:
			styled(&b, c.punct, src[i:i+1])
			col++
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
			token(seq, src[i:j], maxLineCells-col)
			i = j
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// safeToken is safeIn for one token of valid JSON (one line, no raw
// control character) with room cells left on its line (at least 16 are
// given), and the cells it takes: the token itself when nothing in it
// needs a placeholder or a cut, as for nearly every token.
func (r renderer) safeToken(tok string, room int) (string, int) {
	room = max(room, 16)
	if len(tok) <= room && printableASCII(tok) {
		return tok, len(tok)
	}
	out := r.safeIn(tok, room)
	return out, ansi.StringWidth(out)
}
