package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/tui/styles"
)

// fit truncates s to w cells (with an ellipsis) and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if n := w - ansi.StringWidth(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// renderRows draws a list body: a column head, then rows, the selected one
// highlighted, padded to height lines of width cells. Rows are already safe.
func renderRows(st *styles.Styles, head string, rows []string, cursor, width, height int, empty string) string {
	lines := make([]string, 0, height)
	if head != "" {
		lines = append(lines, st.ColumnHead.Render(fit(head, width)))
	}
	if len(rows) == 0 && empty != "" {
		lines = append(lines, st.Empty.Render(fit(empty, width)))
	}
	for i, r := range rows {
		if len(lines) >= height {
			break
		}
		if i == cursor {
			lines = append(lines, st.RowSelected.Render(fit(ansi.Strip(r), width)))
		} else {
			lines = append(lines, fit(r, width))
		}
	}
	for len(lines) < height {
		lines = append(lines, strings.Repeat(" ", max(width, 0)))
	}
	return strings.Join(lines[:height], "\n")
}

// scrollWindow returns the first row to show so that cursor is visible in
// a window of h rows over n rows (used by the in-memory lists).
func scrollWindow(cursor, offset, h, n int) int {
	if h <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+h {
		offset = cursor - h + 1
	}
	return max(0, min(offset, max(n-h, 0)))
}
