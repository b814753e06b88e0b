package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// match is one occurrence of the filter's text in the detail as laid out:
// its line and its cells on that line.
type match struct {
	line, col, width int
}

// maxMatches bounds the occurrences marked in one detail, so a term that
// occurs on every line of a 256 KB body costs no more than this many.
const maxMatches = 10_000

// searchTerm is the text part of the active view's filter: what the list
// matched, highlighted in the detail.
func (m *Model) searchTerm() string {
	switch m.active {
	case viewInbox:
		return m.inbox.filter.Text
	case viewDeliveries:
		return m.deliv.filter.Text
	}
	return ""
}

// findMatches finds term in the laid-out lines as the filter matches it:
// a substring, ASCII letters folded. Styling is ignored; positions are in
// cells.
func findMatches(lines []string, term string) []match {
	if term == "" {
		return nil
	}
	needle := asciiLower(term)
	var out []match
	for i, line := range lines {
		if len(line) < len(needle) {
			continue
		}
		text := asciiLower(ansi.Strip(line))
		from := 0
		for {
			j := strings.Index(text[from:], needle)
			if j < 0 {
				break
			}
			start := from + j
			col := ansi.StringWidth(text[:start])
			out = append(out, match{line: i, col: col, width: ansi.StringWidth(text[start : start+len(needle)])})
			if len(out) == maxMatches {
				return out
			}
			from = start + len(needle)
		}
	}
	return out
}

// asciiLower folds ASCII letters only, so byte offsets stay those of s.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// markMatches styles each match on its line; the current one (an index
// into ms, or -1) stands out from the others.
func (m *Model) markMatches(lines []string, ms []match, current int) []string {
	out := lines
	copied := false
	for i := len(ms) - 1; i >= 0; i-- { // right to left: earlier columns stay put
		mt := ms[i]
		if !copied {
			out = append([]string(nil), lines...)
			copied = true
		}
		style := m.r.st.Match
		if i == current {
			style = m.r.st.MatchCurrent
		}
		line := out[mt.line]
		end := mt.col + mt.width
		text := ansi.Strip(ansi.Cut(line, mt.col, end))
		out[mt.line] = ansi.Truncate(line, mt.col, "") + "\x1b[m" + style.Render(text) + ansi.TruncateLeft(line, end, "")
	}
	return out
}

// showMatches lays the detail's lines out with the matches marked and
// says where the current one is in the status line.
func (m *Model) showMatches() {
	if len(m.matches) == 0 {
		return
	}
	m.detail.SetContent(strings.Join(m.markMatches(m.detailLines, m.matches, m.matchCur), "\n"))
}

// jumpMatch moves to the next (or previous) match and scrolls it into view.
func (m *Model) jumpMatch(forward bool) {
	if m.searchTerm() == "" {
		m.setStatus(statusInfo, "no text to find: / then words that are not key:value")
		return
	}
	n := len(m.matches)
	if m.wantedDetail() == 0 {
		m.setStatus(statusInfo, "nothing selected to find in")
		return
	}
	if n == 0 {
		m.setStatus(statusInfo, fmt.Sprintf("%q is not in this detail", m.r.safe(m.searchTerm())))
		return
	}
	switch {
	case m.matchCur < 0 && forward: // the first at or below the top line
		m.matchCur = 0
		for i, mt := range m.matches {
			if mt.line >= m.detail.YOffset() {
				m.matchCur = i
				break
			}
		}
	case m.matchCur < 0:
		m.matchCur = n - 1
		for i := n - 1; i >= 0; i-- {
			if m.matches[i].line < m.detail.YOffset() {
				m.matchCur = i
				break
			}
		}
	case forward:
		m.matchCur = (m.matchCur + 1) % n
	default:
		m.matchCur = (m.matchCur + n - 1) % n
	}
	mt := m.matches[m.matchCur]
	m.showMatches()
	if top, h := m.detail.YOffset(), m.detail.Height(); mt.line < top || mt.line >= top+h {
		m.detail.SetYOffset(max(mt.line-h/3, 0))
	}
	if m.noWrap {
		if left, w := m.detail.XOffset(), m.detail.Width(); mt.col < left || mt.col+mt.width > left+w {
			m.detail.SetXOffset(max(mt.col-w/3, 0))
		}
	}
	more := ""
	if n == maxMatches {
		more = "+"
	}
	m.setStatus(statusInfo, fmt.Sprintf("match %d of %d%s", m.matchCur+1, n, more))
}

// containsPlain reports whether a styled line's text holds s.
func containsPlain(line, s string) bool { return strings.Contains(ansi.Strip(line), s) }
