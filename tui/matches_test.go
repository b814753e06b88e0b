package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The filter's text is marked in the detail; n and N step through its
// occurrences (scrolling to each, wrapping round), the status line counts
// them, and marking never changes the text shown.
func TestDetailMatchesStepWithN(t *testing.T) {
	d := openDB(t)
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := range 60 {
		if i > 0 {
			b.WriteString(",")
		}
		if i%20 == 5 { // three needles: items 5, 25 and 45
			fmt.Fprintf(&b, `{"n":%d,"note":"Needle-%d"}`, i, i)
		} else {
			fmt.Fprintf(&b, `{"n":%d,"note":"hay"}`, i)
		}
	}
	b.WriteString(`]}`)
	seedRequest(t, d, 1, b.String())
	m := newTestModel(t, d, 120, 30)
	unmarked := plain(m.detail.View())

	press(t, m, "n")
	if !strings.Contains(screen(m), "no text to find") {
		t.Fatalf("n without a text filter says nothing:\n%s", screen(m))
	}
	press(t, m, "/")
	for _, c := range "needle" { // ASCII case folded, as the filter matches
		press(t, m, string(c))
	}
	press(t, m, "enter")
	if len(m.inbox.pg.rows) != 1 {
		t.Fatalf("the filter lost the request: %d rows", len(m.inbox.pg.rows))
	}
	if got := len(m.matches); got != 3 {
		t.Fatalf("%d matches, want 3: %+v", got, m.matches)
	}
	if plain(m.detail.View()) != unmarked {
		t.Fatalf("marking changed the text:\n%s\nwas:\n%s", plain(m.detail.View()), unmarked)
	}
	if !strings.Contains(m.detail.GetContent(), m.r.st.Match.Render("Needle")) {
		t.Fatalf("the first match is not marked: %q", m.detail.GetContent())
	}

	press(t, m, "enter", "n")
	if s := screen(m); !strings.Contains(s, "match 1 of 3") {
		t.Fatalf("status after n:\n%s", s)
	}
	second := func() int { return m.matches[m.matchCur].line }
	press(t, m, "n", "n")
	if s := screen(m); !strings.Contains(s, "match 3 of 3") || !visibleLine(m, "Needle-45") {
		t.Fatalf("n n: not on the third match, or it is off screen:\n%s", s)
	}
	if !strings.Contains(m.detail.View(), m.r.st.MatchCurrent.Render("Needle")) {
		t.Fatal("the current match does not stand out")
	}
	press(t, m, "n")
	if s := screen(m); !strings.Contains(s, "match 1 of 3") || !visibleLine(m, "Needle-5") {
		t.Fatalf("n past the last does not wrap to the first:\n%s", s)
	}
	press(t, m, "N")
	if s := screen(m); !strings.Contains(s, "match 3 of 3") || second() <= 0 {
		t.Fatalf("N from the first does not wrap to the last:\n%s", s)
	}
	// The footer offers n/N while the detail has focus and a text exists.
	if s := screen(m); !strings.Contains(s, "n next match") {
		t.Fatalf("footer lacks n:\n%s", s)
	}
	// Another text re-marks the open detail without moving off it.
	press(t, m, "esc", "/")
	for range len("needle") {
		press(t, m, "backspace")
	}
	for _, c := range "hay" {
		press(t, m, string(c))
	}
	press(t, m, "enter")
	if got := len(m.matches); got != 57 {
		t.Fatalf("%d matches of hay, want 57", got)
	}
}

// visibleLine reports whether the detail pane shows a line holding s.
func visibleLine(m *Model, s string) bool {
	return strings.Contains(ansi.Strip(m.detail.View()), s)
}

// Marks land on the right cells whatever the styling around them, wide
// characters included, and a term everywhere is bounded.
func TestFindAndMarkMatches(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	m := newTestModel(t, d, 80, 24)
	lines := []string{
		m.r.st.JSONKey.Render(`"名前"`) + ": " + m.r.st.JSONString.Render(`"ab-KEY-cd"`),
		"no match here",
		"key KEY kEy",
	}
	ms := findMatches(lines, "key")
	want := []match{{0, 12, 3}, {2, 0, 3}, {2, 4, 3}, {2, 8, 3}}
	if fmt.Sprint(ms) != fmt.Sprint(want) {
		t.Fatalf("matches %v, want %v", ms, want)
	}
	out := m.markMatches(lines, ms, 1)
	for i := range lines {
		if ansi.Strip(out[i]) != ansi.Strip(lines[i]) {
			t.Errorf("line %d: %q became %q", i, ansi.Strip(lines[i]), ansi.Strip(out[i]))
		}
	}
	if !strings.HasSuffix(ansi.Strip(ansi.Cut(out[0], 0, 12)), `": "ab-`) {
		t.Errorf("cells before the match moved: %q", ansi.Strip(out[0]))
	}
	many := []string{strings.Repeat("a", 3*maxMatches)}
	if got := len(findMatches(many, "a")); got != maxMatches {
		t.Errorf("%d matches kept, want the bound %d", got, maxMatches)
	}
}
