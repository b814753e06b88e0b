package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hookscope/hookscope/tui/sanitize"
)

// writeJSON prints v as indented JSON with a trailing newline, for every
// command's --json output (shared by all commands of this package). Every
// character a terminal could act on is written as a \u escape, so the
// output is safe on a terminal and still decodes to the exact values.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeForTerminal(buf.Bytes()))
	return err
}

// escapeForTerminal rewrites, in encoded JSON, every character sanitize
// would replace (DEL, C1 controls, format characters such as bidi
// overrides; encoding/json already escapes C0) as a \u escape. Outside its
// strings JSON holds only ASCII punctuation, digits, letters and
// whitespace, so every such character is inside a string.
func escapeForTerminal(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf && c != 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if c == 0x7f || r != utf8.RuneError && sanitize.NeedsPlaceholder(r) {
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

// terminalSafe wraps a command's output: whatever it is given reaches the
// terminal with every control character but line feed and tab, DEL, every
// C1 control, invalid UTF-8 and every Unicode format character replaced by
// sanitize's visible placeholder. Each write is made safe on its own (a
// UTF-8 sequence split across two writes shows as placeholders, never
// raw). Stored and user-given text (names, URLs, paths, bodies) thus never
// drives the terminal, whichever command prints it.
type terminalSafe struct{ w io.Writer }

func (t terminalSafe) Write(p []byte) (int, error) {
	if _, err := io.WriteString(t.w, sanitize.Terminal(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
