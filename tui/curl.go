package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
)

// copiedMsg carries text for the clipboard (OSC 52, base64 on the wire).
type copiedMsg struct {
	text, what string
	file       string // where the text was also written ("" when it could not be)
	err        error
}

// shellQuote quotes s for a POSIX shell. Text with control characters is
// written with $'…' escapes, so the copied command never carries raw
// control bytes into the terminal it is pasted in.
func shellQuote(s string) string {
	safe := utf8.ValidString(s)
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			safe = false
			break
		}
	}
	if safe {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c < 0x20 || c == 0x7f || c >= 0x80:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// curlCommand writes a request as a curl command line.
func curlCommand(method, url string, headers []db.Header, body []byte) string {
	var b strings.Builder
	b.WriteString("curl -sS -X " + shellQuote(method) + " " + shellQuote(url))
	for _, h := range headers {
		switch strings.ToLower(h.Name) {
		case "content-length", "host", "accept-encoding", "connection":
			continue
		}
		b.WriteString(" \\\n  -H " + shellQuote(h.Name+": "+h.Value))
	}
	if len(body) > 0 {
		b.WriteString(" \\\n  --data-binary " + shellQuote(string(body)))
	}
	return b.String()
}

func (m *Model) copyRequestCurl(id int64) tea.Cmd {
	ctx, src, recv := m.ctx, m.src, m.info.ReceiverAddr
	return func() tea.Msg {
		q, err := src.GetRequest(ctx, id)
		if err != nil {
			return copiedMsg{err: fmt.Errorf("loading request %d: %w", id, err)}
		}
		host := recv
		if host == "" {
			host = "127.0.0.1:8080"
		}
		url := "http://" + host + q.Path + queryPart(q.Query)
		return copied(curlCommand(q.Method, url, q.Headers, q.Body), fmt.Sprintf("request #%d as a curl command", id))
	}
}

func (m *Model) copyDeliveryCurl(id int64) tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		d, err := src.GetDelivery(ctx, id)
		if err != nil {
			return copiedMsg{err: fmt.Errorf("loading delivery %d: %w", id, err)}
		}
		if len(d.Delivery.Attempts) == 0 {
			return copiedMsg{err: fmt.Errorf("delivery %d has no attempt yet", id)}
		}
		a := d.Delivery.Attempts[len(d.Delivery.Attempts)-1]
		return copied(curlCommand(a.Request.Method, a.Request.URL, a.Request.Headers, a.Request.Body),
			fmt.Sprintf("delivery #%d attempt %d as a curl command", id, a.N))
	}
}
