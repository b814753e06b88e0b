package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/hookscope/hookscope/db"
)

// diffSide is one side of a diff: a received request, or the request an
// attempt sent.
type diffSide struct {
	label   string // "request #3", "delivery #2 attempt 1"
	request int64  // a received request's id, or 0
	deliv   int64  // a delivery's id (with attempt)
	attempt int
}

// diffPart is what a side holds to compare.
type diffPart struct {
	method, target string
	headers        []db.Header
	body           []byte
}

// markedSide is what the selected row (or the attempt shown) is, as a
// side of a diff.
func (m *Model) markedSide() (diffSide, bool) {
	switch m.active {
	case viewInbox:
		q, ok := m.inbox.pg.selected()
		if !ok {
			return diffSide{}, false
		}
		return diffSide{label: fmt.Sprintf("request #%d", q.ID), request: q.ID}, true
	case viewDeliveries:
		st := m.details[viewDeliveries]
		if st.delivery == nil || st.id != m.deliv.pg.selectedID() || len(st.delivery.Delivery.Attempts) == 0 {
			return diffSide{}, false
		}
		n := shownAttempt(st.delivery.Delivery.Attempts, m.deliv.attempt)
		return diffSide{label: fmt.Sprintf("delivery #%d attempt %d", st.id, n), deliv: st.id, attempt: n}, true
	}
	return diffSide{}, false
}

// markForDiff remembers the selected request or attempt as the diff's
// first side.
func (m *Model) markForDiff() tea.Cmd {
	s, ok := m.markedSide()
	if !ok {
		m.setStatus(statusInfo, "nothing to mark here: select a request, or a delivery with an attempt")
		return nil
	}
	m.diffMark = &s
	m.setStatus(statusInfo, "marked "+s.label+" — select another request or attempt and press = to compare")
	return nil
}

// showDiff compares the marked side with the selected one, in a Cmd, and
// shows the difference in the detail pane.
func (m *Model) showDiff() tea.Cmd {
	if m.diffMark == nil {
		m.setStatus(statusInfo, "mark a request or attempt with m first, then select another and press =")
		return nil
	}
	b, ok := m.markedSide()
	if !ok {
		m.setStatus(statusInfo, "select a request, or a delivery with an attempt, to compare with "+m.diffMark.label)
		return nil
	}
	a, view, id, ctx, src, r := *m.diffMark, m.active, m.wantedDetail(), m.ctx, m.src, m.r
	m.setStatus(statusInfo, "comparing "+a.label+" with "+b.label+" (j/k leave)")
	return func() tea.Msg {
		pa, err := loadDiffPart(ctx, src, a)
		if err != nil {
			return detailMsg{view: view, id: id, err: err}
		}
		pb, err := loadDiffPart(ctx, src, b)
		if err != nil {
			return detailMsg{view: view, id: id, err: err}
		}
		return detailMsg{view: view, id: id, content: r.bound(r.renderDiff(a.label, b.label, pa, pb))}
	}
}

// loadDiffPart loads a side's request, its body cut as the detail cuts
// one (a diff of two 10 MB bodies costs what one of 256 KB does).
func loadDiffPart(ctx context.Context, src Source, s diffSide) (diffPart, error) {
	if s.request != 0 {
		q, err := src.GetRequestPreview(ctx, s.request, maxShownBody)
		if err != nil {
			return diffPart{}, fmt.Errorf("loading %s: %w", s.label, err)
		}
		return diffPart{method: q.Method, target: q.Path + queryPart(q.Query), headers: q.Headers, body: q.Body}, nil
	}
	d, err := src.GetDelivery(ctx, s.deliv)
	if err != nil {
		return diffPart{}, fmt.Errorf("loading %s: %w", s.label, err)
	}
	for _, a := range d.Delivery.Attempts {
		if a.N == s.attempt {
			body := a.Request.Body[:min(len(a.Request.Body), maxShownBody)]
			return diffPart{method: a.Request.Method, target: a.Request.URL, headers: a.Request.Headers, body: body}, nil
		}
	}
	return diffPart{}, fmt.Errorf("loading %s: %w", s.label, db.ErrNotFound)
}

// renderDiff lays out what differs between two requests: the request
// line, headers by name (case folded), and the body, JSON by path
// (so key order and spacing do not count), anything else by line.
func (r renderer) renderDiff(la, lb string, a, b diffPart) string {
	var out strings.Builder
	out.WriteString(r.st.Section.Render("Diff") + "  " + r.st.Bad.Render("− "+la) + "  " + r.st.OK.Render("+ "+lb) + "\n")
	section := func(title, before, after string) {
		out.WriteString(r.section(title) + "\n")
		if before == after {
			out.WriteString(r.st.Muted.Render("the same") + "\n")
			return
		}
		for _, line := range strings.Split(strings.TrimRight(diffLines(before, after), "\n"), "\n") {
			switch {
			case strings.HasPrefix(line, "@@"):
				out.WriteString(r.st.Info.Render(r.safe(line)) + "\n")
			case strings.HasPrefix(line, "+"):
				out.WriteString(row(r.st.OK.Render(r.safe(line))) + "\n")
			case strings.HasPrefix(line, "-"):
				out.WriteString(row(r.st.Bad.Render(r.safe(line))) + "\n")
			default:
				out.WriteString(row(r.st.Muted.Render(r.safe(line))) + "\n")
			}
		}
	}
	section("Request line", a.method+" "+a.target+"\n", b.method+" "+b.target+"\n")
	section("Headers (by name)", headerDiffLines(a.headers), headerDiffLines(b.headers))
	ja, okA := jsonLines(a.body)
	jb, okB := jsonLines(b.body)
	if okA && okB {
		section("Body (JSON, by path)", ja, jb)
	} else {
		section("Body (by line)", string(a.body)+"\n", string(b.body)+"\n")
	}
	return strings.TrimRight(out.String(), "\n")
}

// diffLines is the unified diff of two texts, without its file header.
func diffLines(before, after string) string {
	d := udiff.Unified("a", "b", before, after)
	if i := strings.Index(d, "@@"); i >= 0 {
		return d[i:]
	}
	return d
}

// headerDiffLines is headers as sorted "name: value" lines, names folded.
func headerDiffLines(hs []db.Header) string {
	lines := make([]string, 0, len(hs))
	for _, h := range hs {
		lines = append(lines, strings.ToLower(h.Name)+": "+h.Value)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// jsonLines flattens a JSON body into sorted "path = value" lines; false
// when the body is not JSON.
func jsonLines(body []byte) (string, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return "", false
	}
	var lines []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				lines = append(lines, path+" = {}")
			}
			for k, e := range x {
				walk(path+"."+jsonKey(k), e)
			}
		case []any:
			if len(x) == 0 {
				lines = append(lines, path+" = []")
			}
			for i, e := range x {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		default:
			b, _ := json.Marshal(x)
			lines = append(lines, path+" = "+string(b))
		}
	}
	walk("$", v)
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n", true
}

// jsonKey writes an object key in a path: bare when it is a plain word.
func jsonKey(k string) string {
	for _, c := range k {
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b, _ := json.Marshal(k)
			return "[" + string(b) + "]"
		}
	}
	if k == "" {
		return `[""]`
	}
	return k
}
