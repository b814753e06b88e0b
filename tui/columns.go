package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// column is one column of a list: its head and its cells (already safe;
// they may be styled), how narrow it may be cut (with "…"), which column
// gives way first when the pane is narrow (a lower give first), and
// whether it is right-aligned. The last column takes the width left.
type column struct {
	head  string
	cells []string
	min   int
	give  int
	right bool
}

// table lays the columns out in width cells: every column as wide as its
// widest cell or head; when they do not fit, columns give way in their
// order (each down to its min) so that the last one keeps at least its
// min; the last column then takes what is left. It returns the head line
// and one line per row, each exactly width cells.
func table(cols []column, width int) (string, []string) {
	n := len(cols)
	if n == 0 {
		return "", nil
	}
	ws := make([]int, n)
	for i, c := range cols {
		ws[i] = ansi.StringWidth(c.head)
		if i == n-1 {
			continue // the last column takes what is left
		}
		for _, cell := range c.cells {
			ws[i] = max(ws[i], ansi.StringWidth(cell))
		}
	}
	fixed := func() int {
		s := n - 1 // one space between columns
		for i := range n - 1 {
			s += ws[i]
		}
		return s
	}
	last := cols[n-1].min
	for give := 0; fixed()+last > width && give <= maxGive(cols); give++ {
		for i := range n - 1 {
			if cols[i].give == give {
				over := fixed() + last - width
				ws[i] -= min(over, max(ws[i]-cols[i].min, 0))
			}
		}
	}
	ws[n-1] = max(width-fixed(), 0)
	line := func(cell func(i int) string) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(' ')
			}
			s := cell(i)
			if cols[i].right {
				if pad := ws[i] - ansi.StringWidth(s); pad > 0 {
					s = strings.Repeat(" ", pad) + s
				}
			}
			b.WriteString(fit(s, ws[i]))
		}
		return fit(b.String(), width)
	}
	head := line(func(i int) string { return cols[i].head })
	rows := 0
	for _, c := range cols {
		rows = max(rows, len(c.cells))
	}
	out := make([]string, rows)
	for r := range rows {
		out[r] = line(func(i int) string {
			if r < len(cols[i].cells) {
				return cols[i].cells[r]
			}
			return ""
		})
	}
	return head, out
}

// natural is the width the columns take uncut, the last one given want
// cells (or its widest cell, if narrower; at least its min).
func natural(cols []column, want int) int {
	if len(cols) == 0 {
		return 0
	}
	w := len(cols) - 1
	for i, c := range cols {
		cw := ansi.StringWidth(c.head)
		for _, cell := range c.cells {
			cw = max(cw, ansi.StringWidth(cell))
		}
		if i == len(cols)-1 {
			cw = max(min(cw, want), c.min)
		}
		w += cw
	}
	return w
}

func maxGive(cols []column) int {
	m := 0
	for _, c := range cols {
		m = max(m, c.give)
	}
	return m
}

// cutMiddle shortens s to w cells by taking out its middle ("…" in its
// place): a URL keeps its scheme and host and the end of its path.
func cutMiddle(s string, w int) string {
	n := ansi.StringWidth(s)
	if n <= w {
		return s
	}
	if w <= 1 {
		return ansi.Truncate(s, w, "")
	}
	left := (w - 1) / 2
	right := w - 1 - left
	return ansi.Truncate(s, left, "") + "…" + ansi.TruncateLeft(s, n-right, "")
}
