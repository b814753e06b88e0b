package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/tui/sanitize"
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

// editedMsg returns from $EDITOR.
type editedMsg struct {
	path          string
	endpointID    int64
	vendor, event string
	endpointName  string
	err           error
}

// editAndSend renders the fixture into a file, opens it in $EDITOR, then
// sends what was saved (the sender re-signs it with the endpoint's secret).
func (m *Model) editAndSend(f fixtureRow) tea.Cmd {
	vendor, event := f.profile.Name(), f.info.Type
	return m.pickFrom(fmt.Sprintf("edit %s %s, then send to…", vendor, event), m.endpointsOf(vendor), func(e db.Endpoint) tea.Cmd {
		payload, err := f.profile.Render(event, rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7)), time.Now())
		if err != nil {
			m.setStatus(statusError, "rendering: "+err.Error())
			return nil
		}
		// The file is written in a command, never in Update; the editor then
		// runs with the terminal handed over by tea.ExecProcess.
		ready := editorReadyMsg{endpointID: e.ID, endpointName: e.Name, vendor: vendor, event: event}
		return func() tea.Msg {
			file, err := os.CreateTemp("", "hookscope-*.json")
			if err != nil {
				ready.err = fmt.Errorf("creating the payload file: %w", err)
				return ready
			}
			_, werr := file.Write(payload)
			if err := errors.Join(werr, file.Close()); err != nil {
				os.Remove(file.Name())
				ready.err = fmt.Errorf("writing the payload file: %w", err)
				return ready
			}
			ready.path = file.Name()
			return ready
		}
	})
}

// editorReadyMsg says the payload file for $EDITOR is written.
type editorReadyMsg struct {
	path          string
	endpointID    int64
	vendor, event string
	endpointName  string
	err           error
}

// openEditor hands the terminal to $VISUAL or $EDITOR (vi when neither is
// set) on the written payload file.
func (m *Model) openEditor(msg editorReadyMsg) tea.Cmd {
	if msg.err != nil {
		m.setStatus(statusError, msg.err.Error())
		return nil
	}
	editor := os.Getenv("VISUAL")
	if editor == "" {
		editor = os.Getenv("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	args := strings.Fields(editor)
	cmd := exec.Command(args[0], append(args[1:], msg.path)...)
	return m.execEditor(cmd, func(err error) tea.Msg {
		return editedMsg{path: msg.path, endpointID: msg.endpointID, endpointName: msg.endpointName, vendor: msg.vendor, event: msg.event, err: err}
	})
}

// sendEdited reads the edited payload and sends it.
func (m *Model) sendEdited(msg editedMsg) tea.Cmd {
	if msg.err != nil {
		m.setStatus(statusError, "editor: "+msg.err.Error())
		return nil
	}
	return m.ask(fmt.Sprintf("Send the edited %s %s to %s?", msg.vendor, msg.event, sanitize.Line(msg.endpointName)), m.runAction(func(ctx context.Context, a Actions) (string, error) {
		defer os.Remove(msg.path)
		body, err := os.ReadFile(msg.path)
		if err != nil {
			return "", fmt.Errorf("reading the edited payload: %w", err)
		}
		if !json.Valid(body) {
			return "", fmt.Errorf("the edited payload is not valid JSON; nothing sent")
		}
		return a.SendFixture(ctx, msg.endpointID, msg.vendor, msg.event, json.RawMessage(body))
	}))
}
