package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/hookscope/hookscope/atomicfile"
	"github.com/hookscope/hookscope/db"
)

// copyFileName is where a copy is also written, in the user's own cache
// folder (not a shared temporary one, where another user could plant a
// link): a terminal that drops OSC 52 (or a body too large for it) still
// leaves the text one command away.
const copyFileName = "copy.txt"

// copyFile is the copy file's path ("" when the user has no cache folder).
func copyFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "hookscope", copyFileName)
}

// copied is the answer of a copy: the text, also written to the copy file
// (whole, replacing the last copy; a copy file that is not a regular file,
// a symlink say, is left alone and nothing is written).
func copied(text, what string) copiedMsg {
	path := copyFile()
	if path == "" || os.MkdirAll(filepath.Dir(path), 0o700) != nil || atomicfile.WriteFile(path, []byte(text), 0o600) != nil {
		path = ""
	}
	return copiedMsg{text: text, what: what, file: path}
}

// What the copy menu offers.
const (
	copyBody    = "body"
	copyHeaders = "headers"
	copyCurl    = "curl"
	copyID      = "id"
	copyHeader  = "header:" // + the header's name
)

// copyOptions are the menu's entries for a request's headers.
func copyOptions(headers []db.Header) []huh.Option[string] {
	opts := []huh.Option[string]{
		huh.NewOption("the body", copyBody),
		huh.NewOption("every header (Name: value lines)", copyHeaders),
		huh.NewOption("a curl command that sends it again", copyCurl),
		huh.NewOption("the id", copyID),
	}
	seen := map[string]bool{}
	for _, h := range headers {
		if seen[strings.ToLower(h.Name)] {
			continue
		}
		seen[strings.ToLower(h.Name)] = true
		opts = append(opts, huh.NewOption("header "+safeOption(h.Name), copyHeader+h.Name))
	}
	return opts
}

// safeOption keeps an untrusted header name printable in the menu.
func safeOption(s string) string { return strings.Map(printable, s) }

func printable(r rune) rune {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
		return '?'
	}
	return r
}

// headerText is headers as Name: value lines; only, when set, keeps the
// one named.
func headerText(headers []db.Header, only string) string {
	var b strings.Builder
	for _, h := range headers {
		if only != "" && !strings.EqualFold(h.Name, only) {
			continue
		}
		if only != "" {
			b.WriteString(h.Value + "\n")
			continue
		}
		b.WriteString(h.Name + ": " + h.Value + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// copyPart is the text of one part of a request or an attempt.
func copyPart(part, id, curl string, headers []db.Header, body []byte) string {
	switch {
	case part == copyBody:
		return string(body)
	case part == copyHeaders:
		return headerText(headers, "")
	case part == copyCurl:
		return curl
	case part == copyID:
		return id
	case strings.HasPrefix(part, copyHeader):
		return headerText(headers, strings.TrimPrefix(part, copyHeader))
	}
	return ""
}

// partName says what was copied, for the status line.
func partName(part string) string {
	if strings.HasPrefix(part, copyHeader) {
		return "header " + strings.TrimPrefix(part, copyHeader)
	}
	if part == copyCurl {
		return "curl command"
	}
	return part
}

// startCopy opens the copy menu for the selected request, or for the
// attempt the selected delivery shows.
func (m *Model) startCopy() tea.Cmd {
	part := ""
	switch m.active {
	case viewInbox:
		q, ok := m.inbox.pg.selected()
		if !ok {
			m.setStatus(statusInfo, "no request selected")
			return nil
		}
		f := huh.NewForm(huh.NewGroup(huh.NewSelect[string]().Title(fmt.Sprintf("Copy from request #%d", q.ID)).
			Options(copyOptions(q.Headers)...).Value(&part).Height(12)))
		id, ctx, src, recv := q.ID, m.ctx, m.src, m.info.ReceiverAddr
		return m.startForm("Copy", f, func() tea.Cmd {
			return func() tea.Msg {
				q, err := src.GetRequest(ctx, id)
				if err != nil {
					return copiedMsg{err: fmt.Errorf("loading request %d: %w", id, err)}
				}
				host := recv
				if host == "" {
					host = "127.0.0.1:8088"
				}
				curl := curlCommand(q.Method, "http://"+host+q.Path+queryPart(q.Query), q.Headers, q.Body)
				return copied(copyPart(part, fmt.Sprint(id), curl, q.Headers, q.Body), fmt.Sprintf("the %s of request #%d", partName(part), id))
			}
		})
	case viewDeliveries:
		st := m.details[viewDeliveries]
		if st.delivery == nil || st.id != m.deliv.pg.selectedID() || len(st.delivery.Delivery.Attempts) == 0 {
			m.setStatus(statusInfo, "no attempt to copy from yet")
			return nil
		}
		d := st.delivery.Delivery
		n := shownAttempt(d.Attempts, m.deliv.attempt)
		var a db.Attempt
		for _, x := range d.Attempts {
			if x.N == n {
				a = x
			}
		}
		f := huh.NewForm(huh.NewGroup(huh.NewSelect[string]().Title(fmt.Sprintf("Copy from delivery #%d, attempt %d (the request sent)", d.ID, n)).
			Options(copyOptions(a.Request.Headers)...).Value(&part).Height(12)))
		return m.startForm("Copy", f, func() tea.Cmd {
			return func() tea.Msg {
				curl := curlCommand(a.Request.Method, a.Request.URL, a.Request.Headers, a.Request.Body)
				return copied(copyPart(part, fmt.Sprint(d.ID), curl, a.Request.Headers, a.Request.Body),
					fmt.Sprintf("the %s of delivery #%d attempt %d", partName(part), d.ID, n))
			}
		})
	}
	return nil
}
