package tui

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/db"
)

// pagerReadyMsg says the text for $PAGER is written to path.
type pagerReadyMsg struct {
	path string
	err  error
}

// pagerDoneMsg says the pager on path exited.
type pagerDoneMsg struct {
	path string
	err  error
}

// wholeRequest is a request loaded whole as its own preview.
func wholeRequest(q *db.Request) *db.RequestPreview {
	p := &db.RequestPreview{Request: q, BodyLen: int64(len(q.Body)), RespBodyLen: int64(len(q.Response.Body))}
	if q.Forward != nil {
		p.ForwardBodyLen = int64(len(q.Forward.Body))
	}
	return p
}

// openInPager shows the selected request or delivery whole in $PAGER
// (less when unset): what the detail cuts (a line past 1,024 characters,
// a body past 256 KB) is all there. It is loaded and rendered as plain,
// sanitised text, written to a temporary file in a Cmd, then the terminal
// is handed over; the file is removed when the pager exits.
func (m *Model) openInPager(v viewID, id int64) tea.Cmd {
	ctx, src, r := m.ctx, m.src, m.r
	r.whole = true
	return func() tea.Msg {
		var content string
		switch v {
		case viewInbox:
			q, err := src.GetRequest(ctx, id)
			if err != nil {
				return pagerReadyMsg{err: err}
			}
			content = r.renderRequest(wholeRequest(q))
		case viewDeliveries:
			d, err := src.GetDelivery(ctx, id)
			if err != nil {
				return pagerReadyMsg{err: err}
			}
			content = r.renderDelivery(d, -1) // every attempt in full
		default:
			return pagerReadyMsg{err: errors.New("nothing to open here")}
		}
		text := strings.ReplaceAll(ansi.Strip(content), noWrap, "") + "\n"
		f, err := os.CreateTemp("", "hookscope-*.txt")
		if err != nil {
			return pagerReadyMsg{err: fmt.Errorf("creating the file for the pager: %w", err)}
		}
		_, werr := f.WriteString(text)
		if err := errors.Join(werr, f.Close()); err != nil {
			os.Remove(f.Name())
			return pagerReadyMsg{err: fmt.Errorf("writing the file for the pager: %w", err)}
		}
		return pagerReadyMsg{path: f.Name()}
	}
}

// runPager hands the terminal to $PAGER on the written file.
func (m *Model) runPager(msg pagerReadyMsg) tea.Cmd {
	if msg.err != nil {
		m.setStatus(statusError, msg.err.Error())
		return nil
	}
	pager := os.Getenv("PAGER")
	if strings.TrimSpace(pager) == "" {
		pager = "less"
	}
	args := strings.Fields(pager)
	cmd := exec.Command(args[0], append(args[1:], msg.path)...)
	return m.execEditor(cmd, func(err error) tea.Msg { return pagerDoneMsg{path: msg.path, err: err} })
}

// pagerDone removes the pager's file (in a Cmd) and reports a failure.
func (m *Model) pagerDone(msg pagerDoneMsg) tea.Cmd {
	if msg.err != nil {
		m.setStatus(statusError, "pager: "+msg.err.Error())
	}
	path := msg.path
	return func() tea.Msg {
		os.Remove(path)
		return nil
	}
}
