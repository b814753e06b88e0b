// Package sanitize makes untrusted text safe to draw on a terminal.
//
// It guarantees: the text it returns holds no C0 control character
// (U+0000–U+001F) other than the line feeds of a multi-line text, no DEL,
// no C1 control character (U+0080–U+009F, 8-bit CSI/OSC/DCS included), no
// invalid UTF-8 and no Unicode format character (bidi overrides and
// isolates, zero-width characters, line and paragraph separators). Each one
// is replaced by a visible placeholder, so a person sees that something was
// there: ESC becomes "␛" (so "\x1b[2J" reads "␛[2J"), BEL "␇", DEL "␡", a C1
// character "⟨U+9B⟩", an invalid byte "⟨FF⟩", a bidi override "⟨U+202E⟩".
// Placeholders can be styled apart from the text through a Marker.
//
// The input is never modified: callers keep and store the exact bytes and
// sanitise only what they draw.
package sanitize

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Marker styles a placeholder (for example with a distinct colour). It must
// return text that is itself safe; a lipgloss style's Render is.
type Marker func(placeholder string) string

// plainMarker leaves placeholders unstyled.
func plainMarker(s string) string { return s }

// TabWidth is how many columns a tab stop spans in multi-line text.
const TabWidth = 4

// How render treats line feeds and tabs.
const (
	oneLine   = iota // both become placeholders
	multiline        // line feeds kept, tabs expanded to spaces
	terminal         // line feeds and tabs kept as they are
)

// Line makes s safe on one line: every control character, line feeds and
// tabs included, becomes a visible placeholder. Placeholders are unstyled.
func Line(s string) string { return render(s, oneLine, plainMarker) }

// LineMarked is Line with placeholders passed through mark.
func LineMarked(s string, mark Marker) string { return render(s, oneLine, orPlain(mark)) }

// Text makes s safe as a block of lines: line feeds stay line breaks and
// tabs become spaces to the next tab stop; every other control character
// (carriage returns included) becomes a visible placeholder.
func Text(s string) string { return render(s, multiline, plainMarker) }

// TextMarked is Text with placeholders passed through mark.
func TextMarked(s string, mark Marker) string { return render(s, multiline, orPlain(mark)) }

// Bytes is Text for a byte slice.
func Bytes(b []byte) string { return render(string(b), multiline, plainMarker) }

// Terminal makes s safe to print on a terminal as a command's output: line
// feeds and tabs are kept (the terminal moves to the next line or tab
// stop); every other character Line replaces is replaced the same way.
func Terminal(s string) string { return render(s, terminal, plainMarker) }

// NeedsPlaceholder reports whether r is never drawn as itself: a C0 control
// (line feed and tab included), DEL, a C1 control or a Unicode format
// character.
func NeedsPlaceholder(r rune) bool {
	_, bad := placeholder(r)
	return bad
}

// IsSafe reports whether s would be drawn unchanged by Line.
func IsSafe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return false
		}
		if _, bad := placeholder(r); bad {
			return false
		}
		i += size
	}
	return true
}

func orPlain(m Marker) Marker {
	if m == nil {
		return plainMarker
	}
	return m
}

// render walks s once. Printable ASCII runs are copied in bulk, which is the
// fast path for the usual JSON body.
func render(s string, mode int, mark Marker) string {
	if isPrintableASCII(s, mode) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	col := 0 // column within the current line, for tab stops
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			j := i + 1
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x7f {
				j++
			}
			b.WriteString(s[i:j])
			col += j - i
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(mark(fmt.Sprintf("⟨%02X⟩", c)))
			col += 4
		case mode != oneLine && r == '\n':
			b.WriteByte('\n')
			col = 0
		case mode == terminal && r == '\t':
			b.WriteByte('\t')
			col += TabWidth - col%TabWidth
		case mode == multiline && r == '\t':
			n := TabWidth - col%TabWidth
			b.WriteString(strings.Repeat(" ", n))
			col += n
		default:
			if p, bad := placeholder(r); bad {
				b.WriteString(mark(p))
				col += utf8.RuneCountInString(p)
			} else {
				b.WriteString(s[i : i+size])
				col++
			}
		}
		i += size
	}
	return b.String()
}

func isPrintableASCII(s string, mode int) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			continue
		}
		if mode != oneLine && c == '\n' || mode == terminal && c == '\t' {
			continue
		}
		return false
	}
	return true
}

// placeholder returns what stands in for r, and whether r needs one.
func placeholder(r rune) (string, bool) {
	switch {
	case r < 0x20:
		// The Control Pictures block mirrors C0: U+2400 + code.
		return string(rune(0x2400 + r)), true
	case r == 0x7f:
		return "␡", true
	case r >= 0x80 && r <= 0x9f:
		return fmt.Sprintf("⟨U+%02X⟩", r), true
	case r == '\u2028', r == '\u2029', unicode.Is(unicode.Cf, r):
		// Format characters: bidi embeddings, overrides and isolates,
		// zero-width spaces and joiners, the BOM, soft hyphen.
		return fmt.Sprintf("⟨U+%04X⟩", r), true
	case r >= 0xE0000 && r <= 0xE007F: // tag characters (Cf covers most)
		return fmt.Sprintf("⟨U+%X⟩", r), true
	}
	return "", false
}
