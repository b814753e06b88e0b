package tui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/db"
)

// v shows the bytes that travelled: printable text as itself, every other
// byte as \xNN, line breaks as \n, the signed bytes underlined; the
// screen stays safe; v again goes back.
func TestRawViewShowsExactBytes(t *testing.T) {
	d := openDB(t)
	body := "{\"a\":\"\x1b[2J\xff\u200d\"}\r\nnext line"
	seedRequest(t, d, 1, body)
	m := newTestModel(t, d, 120, 40)
	press(t, m, "v")
	content := m.details[viewInbox].content
	text := plain(content)
	for _, want := range []string{
		`POST /hooks/policycortex`,
		`X-PolicyCortex-Signature: sha256=ab12`,
		`{"a":"\x1b[2J\xff\xe2\x80\x8d"}\r\n`, // ESC, an invalid byte, a zero-width joiner, CRLF
		"next line",
		"signed     underlined — HMAC-SHA256 of the raw body",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("raw view lacks %q:\n%s", want, text)
		}
	}
	// The body's bytes are underlined, the headers' are not.
	if !strings.Contains(content, signedOn+`{"a":"`) || strings.Contains(content, signedOn+"sha256") {
		t.Errorf("signed bytes not marked as the profile signs: %q", content)
	}
	assertScreenSafe(t, m)
	if !strings.Contains(screen(m), "v raw bytes") && !strings.Contains(screen(m), "raw bytes:") {
		t.Errorf("the status does not say what the raw view shows:\n%s", screen(m))
	}
	press(t, m, "v")
	if strings.Contains(plain(m.details[viewInbox].content), `\x1b`) {
		t.Fatal("v again does not leave the raw view")
	}
}

// Standard Webhooks signs webhook-id.webhook-timestamp.body: those two
// header values are underlined with the body; an attempt's raw view shows
// what hookscope sent and got.
func TestRawViewMarksSignedHeaders(t *testing.T) {
	d := openDB(t)
	r := &db.Request{ReceivedAt: t0, Route: "sw", Method: "POST", Path: "/hooks/sw", Vendor: "standardwebhooks",
		Headers: []db.Header{{Name: "webhook-id", Value: "msg_1"}, {Name: "webhook-timestamp", Value: "1700000000"},
			{Name: "webhook-signature", Value: "v1,abc"}, {Name: "User-Agent", Value: "x"}},
		Body: []byte(`{"type":"a"}`), BodySize: 12, EventTypes: []string{}, ShapeIssues: []string{}, Response: db.Response{Status: 204}}
	write(t, d, func(tx db.Handle) error { return db.NewRequestStore().CreateRequest(context.Background(), tx, r) })
	ep := seedEndpoint(t, d, "cs-prod", "codescoring", true)
	seedDelivery(t, d, ep, 2, nil)
	m := newTestModel(t, d, 120, 40)
	press(t, m, "v")
	c := m.details[viewInbox].content
	for _, want := range []string{"webhook-id: " + signedOn + "msg_1", "webhook-timestamp: " + signedOn + "1700000000", signedOn + `{"type":"a"}`} {
		if !strings.Contains(c, want) {
			t.Errorf("raw view does not underline %q: %q", ansi.Strip(want), c)
		}
	}
	if strings.Contains(c, signedOn+"v1,abc") || strings.Contains(c, signedOn+"x") {
		t.Errorf("unsigned header values underlined: %q", c)
	}
	press(t, m, "2") // the raw view holds across views
	text := plain(m.details[viewDeliveries].content)
	for _, want := range []string{"Attempt 2/2 raw request", "X-CodeScoring-Authentication: tok", "signed     nothing: this vendor does not sign", `upstream down\x1b[2J`} {
		if !strings.Contains(text, want) {
			t.Errorf("attempt raw view lacks %q:\n%s", want, text)
		}
	}
	press(t, m, "[")
	if text := plain(m.details[viewDeliveries].content); !strings.Contains(text, "Attempt 1/2 raw request") {
		t.Errorf("[ in the raw view:\n%s", text)
	}
	assertScreenSafe(t, m)
}

// The raw view of a body past the preview shows the start of its last
// line and counts every byte it does not show once: no mark on that line
// counts only the bytes of the preview.
func TestRawViewCountsACutBodyOnce(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	seedHuge(t, d, 1)
	m := newTestModel(t, d, 120, 40)
	press(t, m, "v")
	text := plain(m.details[viewInbox].content)
	total := 10<<20 + len(`{"blob":""}`)
	if want := fmt.Sprintf("… %d more bytes not shown", total-maxLineCells); !strings.Contains(text, want) {
		t.Errorf("the raw view does not say %q", want)
	}
	if bad := fmt.Sprintf("line cut, %d more bytes", maxShownBody-maxLineCells); strings.Contains(text, bad) {
		t.Errorf("the body's line says %q, counting only the preview", bad)
	}
	assertScreenSafe(t, m)
}

// In the raw view too, a line is cut to the room its escapes take, with
// one mark counting the bytes as received; a body cut at its preview
// counts its last line once, with the rest of the body.
func TestRawViewCountsEveryByte(t *testing.T) {
	r := renderer{st: defaultStyles(), loc: time.UTC}
	raw := func(q *db.RequestPreview) string { return boundedText(t, r.bound(r.renderRawRequest(q))) }
	for _, c := range []struct {
		name  string
		whole []byte
		shown int // bytes of its one line shown
	}{
		{"escaped bytes", bytes.Repeat([]byte{0x01}, 300_000), maxLineCells / 4},
		{"wide characters", []byte(strings.Repeat("中", 100_000)), maxLineCells / 2 * 3},
		{"text", bytes.Repeat([]byte("x"), 300_000), maxLineCells},
	} {
		for _, preview := range []bool{true, false} {
			// The preview of a 300 KB body, or a whole body of 199,998
			// bytes (under the preview: its line is cut, not the body).
			whole := c.whole[:199_998]
			body := whole
			if preview {
				whole, body = c.whole, c.whole[:maxShownBody]
			}
			text := raw(&db.RequestPreview{Request: &db.Request{ID: 1, Method: "POST", Path: "/hooks/x", Body: body}, BodyLen: int64(len(whole))})
			marks := strings.Count(text, "line cut") + strings.Count(text, "not shown")
			want := fmt.Sprintf("line cut, %d more bytes", len(whole)-c.shown)
			if preview {
				want = fmt.Sprintf("… %d more bytes not shown", len(whole)-c.shown)
			}
			if !strings.Contains(text, want) || marks != 1 {
				t.Errorf("%s (preview %v): %d marks, none says %q", c.name, preview, marks, want)
			}
			if strings.Contains(text, `\xe4`) {
				t.Errorf("%s: a character was split into escapes", c.name)
			}
		}
	}
	// A long header name and value: each mark counts its own bytes.
	checkHeaderMarks(t, raw(&db.RequestPreview{Request: &db.Request{ID: 1, Method: "POST", Path: "/x", Body: []byte("{}"),
		Headers: []db.Header{{Name: longName, Value: longValue}}}, BodyLen: 2}))
}
