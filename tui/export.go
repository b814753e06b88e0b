package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/export"
)

// exportedMsg reports an export.
type exportedMsg = actionDoneMsg

// exportInbox writes every request the Inbox's filter matches, in full,
// as JSON lines.
func (m *Model) exportInbox() tea.Cmd { return m.exportList(export.Requests, export.JSONL) }

// exportInboxHAR writes every request the Inbox's filter matches as a
// HAR file.
func (m *Model) exportInboxHAR() tea.Cmd { return m.exportList(export.Requests, export.HARFormat) }

// exportDeliveries writes every delivery the Deliveries filter matches,
// each with its attempts in full, as JSON lines.
func (m *Model) exportDeliveries() tea.Cmd { return m.exportList(export.Deliveries, export.JSONL) }

// exportDeliveriesHAR writes every delivery the Deliveries filter
// matches as a HAR file: one entry per attempt.
func (m *Model) exportDeliveriesHAR() tea.Cmd {
	return m.exportList(export.Deliveries, export.HARFormat)
}

// exportList streams the whole filtered list (not only the page shown),
// oldest first, to a new file in the export folder, with the code of
// `hookscope export`. It runs in the command, never in Update.
func (m *Model) exportList(what, format string) tea.Cmd {
	spec := export.Spec{Format: format, What: what, Requests: m.inbox.filter, Deliveries: m.deliv.filter,
		ReceiverAddr: m.info.ReceiverAddr, Version: m.info.Version}
	ctx, src, dir := m.ctx, m.src, m.expDir
	return func() tea.Msg {
		path := filepath.Join(dir, fmt.Sprintf("hookscope-%s-%s.%s", what, time.Now().Format("20060102-150405"), format))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return exportedMsg{err: fmt.Errorf("creating the export file: %w", err)}
		}
		sum, err := src.Export(ctx, f, spec)
		if err = errors.Join(err, f.Close()); err != nil {
			os.Remove(path)
			return exportedMsg{err: fmt.Errorf("exporting %s to %s: %w", what, path, err)}
		}
		switch {
		case format == export.JSONL:
			return exportedMsg{text: fmt.Sprintf("exported %d %s to %s", sum.Rows, what, path)}
		case what == export.Deliveries:
			return exportedMsg{text: fmt.Sprintf("exported %d deliveries (%d attempts) as HAR to %s", sum.Rows, sum.Entries, path)}
		default:
			return exportedMsg{text: fmt.Sprintf("exported %d requests as HAR to %s", sum.Rows, path)}
		}
	}
}
