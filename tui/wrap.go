package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// noWrap starts a line of the detail that is a table row (a header, an
// attempt, an event of a batch): such a row is cut at the pane's edge,
// never wrapped onto the next line. Untrusted text can never carry it: the
// sanitiser turns every NUL into a visible placeholder.
const noWrap = "\x00"

// row marks s as a table row of the detail (see noWrap).
func row(s string) string { return noWrap + s }

// wrapDetail lays the detail's content out for a pane width cells wide:
// lines wrap at word boundaries (a word longer than the width is broken),
// table rows are cut with "…". With wrap off, every line is kept whole for
// horizontal scrolling. Either way the row marks are removed.
func wrapDetail(content string, width int, wrap bool) string {
	if !strings.Contains(content, noWrap) && (!wrap || !anyWider(content, width)) {
		return content
	}
	lines := strings.Split(content, "\n")
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		table := strings.HasPrefix(line, noWrap)
		line = strings.TrimPrefix(line, noWrap)
		if !wrap || len(line) <= width || ansi.StringWidth(line) <= width {
			out = append(out, line)
			continue
		}
		if table {
			out = append(out, ansi.Truncate(line, width, "…"))
			continue
		}
		out = append(out, ansi.Wrap(line, width, " "))
	}
	return strings.Join(out, "\n")
}

// anyWider reports whether a line of s may be wider than width cells
// (bytes ≥ cells, so a short line surely is not).
func anyWider(s string, width int) bool {
	for line := range strings.SplitSeq(s, "\n") {
		if len(line) > width && ansi.StringWidth(line) > width {
			return true
		}
	}
	return false
}
