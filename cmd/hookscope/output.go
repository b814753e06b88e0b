package main

import (
	"encoding/json"
	"io"
)

// writeJSON prints v as indented JSON with a trailing newline, for every
// command's --json output (shared by all commands of this package).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
