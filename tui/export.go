package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/atomicfile"
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
// `hookscope export`. It runs in the command, never in Update. The file
// is written whole or not at all (atomicfile), under a name nothing in the
// folder has yet, so an export never replaces an earlier one.
func (m *Model) exportList(what, format string) tea.Cmd {
	spec := export.Spec{Format: format, What: what, Requests: m.inbox.filter, Deliveries: m.deliv.filter,
		ReceiverAddr: m.info.ReceiverAddr, Version: m.info.Version}
	ctx, src, dir := m.ctx, m.src, m.expDir
	return func() tea.Msg {
		path, err := freshPath(dir, fmt.Sprintf("hookscope-%s-%s", what, time.Now().Format("20060102-150405")), format)
		if err != nil {
			return exportedMsg{err: fmt.Errorf("exporting %s: %w", what, err)}
		}
		f, err := atomicfile.Create(path, 0o600)
		if err != nil {
			return exportedMsg{err: fmt.Errorf("exporting %s: %w", what, err)}
		}
		defer f.Abort()
		sum, err := src.Export(ctx, f, spec)
		if err == nil {
			err = f.Commit()
		}
		if err != nil {
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

// freshPath is dir/stem.ext, or dir/stem-N.ext with the first N from 2 on
// that no file (of any kind, a symlink included) has.
func freshPath(dir, stem, ext string) (string, error) {
	for n := 1; n <= 1000; n++ {
		name := stem + "." + ext
		if n > 1 {
			name = fmt.Sprintf("%s-%d.%s", stem, n, ext)
		}
		path := filepath.Join(dir, name)
		_, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("%s already holds %s.%s and 999 more of that name", dir, stem, ext)
}
