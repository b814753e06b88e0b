package sanitize

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// EscapeJSON rewrites, in encoded JSON, every character Terminal would
// replace (DEL, C1 controls, format characters such as bidi
// overrides; encoding/json already escapes C0) as a \u escape. Outside its
// strings JSON holds only ASCII punctuation, digits, letters and
// whitespace, so every such character is inside a string.
func EscapeJSON(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf && c != 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if c == 0x7f || r != utf8.RuneError && NeedsPlaceholder(r) {
			out = append(out, b[last:i]...)
			if r > 0xFFFF {
				r1, r2 := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
			last = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}
