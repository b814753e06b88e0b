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

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/sanitize"
)

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
