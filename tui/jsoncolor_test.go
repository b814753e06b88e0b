package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/db"
)

// indented is src as the detail pretty-prints it.
func indented(t testing.TB, src string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(src), "", "  "); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// sty is tok as highlightJSON writes it in the style that seq starts.
func sty(seq, tok string) string { return seq + tok + ansi.ResetStyle }

// The colouring keeps every character of the pretty-printed JSON (only
// SGR sequences are added) and gives each kind of token its style: keys,
// strings, numbers, true/false/null, punctuation.
func TestHighlightJSONStylesEveryToken(t *testing.T) {
	r := renderer{st: defaultStyles()}
	src := indented(t, `{"name":"hookscope","quote\"d key":"a \"q\" \\ b","n":-12.5e+3,"ok":true,"no":false,"nil":null,
		"list":[1,"two",{"deep":[]}],"empty":{},"unicode":"résumé ✓","esc":"\u001b[2J"}`)
	out := r.highlightJSON(src)
	if got := ansi.Strip(out); got != src {
		t.Fatalf("colouring changed the text:\n got %q\nwant %q", got, src)
	}
	c := r.jsonColors()
	for _, want := range []string{
		sty(c.key, `"name"`), sty(c.str, `"hookscope"`), sty(c.key, `"quote\"d key"`), sty(c.str, `"a \"q\" \\ b"`),
		sty(c.num, `-12.5e+3`), sty(c.atom, "true"), sty(c.atom, "false"), sty(c.atom, "null"),
		sty(c.num, "1"), sty(c.str, `"two"`), sty(c.punct, "{"), sty(c.punct, "]"), sty(c.punct, ":"), sty(c.punct, ","),
		sty(c.str, `"résumé ✓"`), sty(c.str, `"\u001b[2J"`),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in %q", want, out)
		}
	}
	if c.key == "" || c.str == "" || c.num == "" || c.atom == "" || c.punct == "" {
		t.Errorf("a JSON style has no colour: %+v", c)
	}
}

// A raw control or format character inside a JSON string (valid JSON may
// hold U+202E or U+0085 unescaped) is a placeholder on screen, and a
// string longer than a detail line is cut with its mark.
func TestHighlightJSONSanitisesAndCutsStrings(t *testing.T) {
	r := renderer{st: defaultStyles()}
	out := r.highlightJSON(indented(t, "{\"bidi\":\"a\u202eb\",\"c1\":\"x\u0085y\",\"long\":\""+strings.Repeat("y", 5000)+"\"}"))
	text := ansi.Strip(out)
	if strings.ContainsAny(text, "\u202e\u0085") || !strings.Contains(text, "⟨U+202E⟩") || !strings.Contains(text, "⟨U+85⟩") {
		t.Errorf("raw characters reached the detail: %q", text)
	}
	// The line of the long string: the string's mark counts every byte of
	// it not shown (of 5,002 with its quotes).
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, `"yyy`); i >= 0 {
			run, _, _ := strings.Cut(line[i+1:], " … line cut") // the mark's "bytes" has a y
			shown := 1 + len(run)
			if want := fmt.Sprintf("line cut, %d more bytes", 5002-shown); !strings.Contains(line, want) || ansi.StringWidth(line) > maxLineCells+cutMarkCells {
				t.Errorf("the long string's line is %d cells and does not say %q", ansi.StringWidth(line), want)
			}
		}
	}
}

// A key and its value both too long for the line: the key is cut to
// nameCells, the value to what is left, each with a mark counting its
// own bytes, and the line stays within what bound leaves alone, as in
// the headers (checkHeaderMarks).
func TestHighlightJSONCutsAKeyAndItsValue(t *testing.T) {
	r := renderer{st: defaultStyles()}
	text := boundedText(t, r.highlightJSON(indented(t, `{"`+longName+`":"`+longValue+`"}`)))
	// The tokens carry their quotes: one more byte each left out.
	if want := fmt.Sprintf("line cut, %d more bytes", len(longName)+2-nameCells); !strings.Contains(text, want) {
		t.Errorf("the key's mark does not say %q:\n%s", want, text)
	}
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, `"vvv`); i >= 0 {
			shown := 1 + strings.Count(line[i:], "v")
			if want := fmt.Sprintf("line cut, %d more bytes", len(longValue)+2-shown); !strings.Contains(line, want) {
				t.Errorf("the value's mark does not say %q", want)
			}
		}
	}
}

// bigJSON is a 250 KB body of the kind a batching vendor sends: many
// small events.
func bigJSON() []byte {
	var sb strings.Builder
	sb.WriteString(`{"events":[`)
	for i := 0; sb.Len() < 250<<10; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"created_at":"2026-03-14T09:26:53Z","trigger":"vulnerability.found","payload":{"id":%d,"severity":"high","package":"lodash","version":"4.17.1","fixed":true,"cve":"CVE-2031-%04d"}}`, i, i)
	}
	sb.WriteString(`]}`)
	return []byte(sb.String())
}

// BenchmarkDetailLargeJSON renders the detail of a request whose body is
// 250 KB of JSON, coloured whole (chroma's lexer took 375–420 ms here).
func BenchmarkDetailLargeJSON(b *testing.B) {
	r := renderer{st: defaultStyles()}
	body := bigJSON()
	q := &db.RequestPreview{Request: &db.Request{ID: 1, Method: "POST", Path: "/hooks/codescoring", Body: body}, BodyLen: int64(len(body))}
	for b.Loop() {
		_ = r.bound(r.renderRequest(q))
	}
}
