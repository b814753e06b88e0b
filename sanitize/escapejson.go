package sanitize

import (
	"unicode/utf16"
	"unicode/utf8"
)

// EscapeJSON rewrites, in encoded JSON, every character Terminal would
// replace (DEL, C1 controls, format characters such as bidi overrides;
// encoding/json already escapes C0) as a \u escape. Outside its strings
// JSON holds only ASCII punctuation, digits, letters and whitespace, so
// every such character is inside a string. b itself is returned when it
// needs no change.
func EscapeJSON(b []byte) []byte {
	i := firstToEscape(b)
	if i < 0 {
		return b
	}
	return appendEscaped(make([]byte, 0, len(b)+32), b, i)
}

// AppendEscapeJSON appends b to dst escaped as EscapeJSON does, without
// allocating when dst has room.
func AppendEscapeJSON(dst, b []byte) []byte {
	i := firstToEscape(b)
	if i < 0 {
		return append(dst, b...)
	}
	return appendEscaped(dst, b, i)
}

// firstToEscape is the offset of the first character to escape, or -1.
func firstToEscape(b []byte) int {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf && c != 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if c == 0x7f || r != utf8.RuneError && NeedsPlaceholder(r) {
			return i
		}
		i += size
	}
	return -1
}

// appendEscaped appends b to dst, escaping from offset i on (b[:i] needs
// nothing).
func appendEscaped(dst, b []byte, i int) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, b[:i]...)
	last := i
	for i < len(b) {
		c := b[i]
		if c < utf8.RuneSelf && c != 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if c == 0x7f || r != utf8.RuneError && NeedsPlaceholder(r) {
			dst = append(dst, b[last:i]...)
			units := []rune{r}
			if r > 0xFFFF {
				r1, r2 := utf16.EncodeRune(r)
				units = []rune{r1, r2}
			}
			for _, u := range units {
				dst = append(dst, '\\', 'u', hex[u>>12&0xf], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
			}
			last = i + size
		}
		i += size
	}
	return append(dst, b[last:]...)
}
