package main

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/hookscope/hookscope/sanitize"
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

// escapeForTerminal rewrites, in encoded JSON, every character a terminal
// could act on as a \u escape (see sanitize.EscapeJSON).
func escapeForTerminal(b []byte) []byte { return sanitize.EscapeJSON(b) }

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
