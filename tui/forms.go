package tui

import (
	"reflect"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/hookscope/hookscope/fixtures"
)

// A form (charm.land/huh/v2) takes the body of the screen while it is
// open: every key goes to it, esc cancels and writes nothing, and what it
// submits runs as an action in a Cmd. Its fields validate as they are
// left, so a mistake is shown under its field.

// formDoneMsg ends the open form: submitted, or cancelled (aborted).
type formDoneMsg struct{ aborted bool }

// openForm is the form on screen, with what submitting it does.
type openForm struct {
	title  string
	f      *huh.Form
	submit func() tea.Cmd
}

// maxFormWidth keeps a form readable on a wide terminal.
const maxFormWidth = 80

// startForm shows f; submit builds the action from the values f's fields
// are bound to.
func (m *Model) startForm(title string, f *huh.Form, submit func() tea.Cmd) tea.Cmd {
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel"))
	f.SubmitCmd = func() tea.Msg { return formDoneMsg{} }
	f.CancelCmd = func() tea.Msg { return formDoneMsg{aborted: true} }
	f = f.WithKeyMap(km).WithShowHelp(true).WithShowErrors(true).
		WithWidth(min(max(m.width-4, 20), maxFormWidth)).WithHeight(formHeight(m.geometry()))
	m.form = &openForm{title: title, f: f, submit: submit}
	m.mode = modeForm
	m.setStatus(statusInfo, "tab/enter next field · shift+tab back · esc cancels, nothing is saved")
	return f.Init()
}

// updateForm hands the open form its input and its own messages (true:
// the message was the form's).
func (m *Model) updateForm(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case formDoneMsg:
		of := m.form
		m.form, m.mode = nil, modeNormal
		if msg.aborted || of == nil {
			m.setStatus(statusInfo, "cancelled: nothing was saved")
			return nil, true
		}
		return of.submit(), true
	case tea.KeyPressMsg, tea.PasteMsg:
	default:
		// huh's own messages (next field, next group) and its inputs'
		// cursor blinks; the console's messages go on as usual.
		pkg := reflect.TypeOf(msg)
		for pkg != nil && pkg.Kind() == reflect.Pointer {
			pkg = pkg.Elem()
		}
		if pkg == nil || !strings.HasPrefix(pkg.PkgPath(), "charm.land/huh/") && !strings.HasPrefix(pkg.PkgPath(), "charm.land/bubbles/") {
			return nil, false
		}
	}
	f, cmd := m.form.f.Update(msg)
	if hf, ok := f.(*huh.Form); ok {
		m.form.f = hf
	}
	return cmd, true
}

// formHeight is the height a form is given in the body: the pane's
// borders, the title and its blank line, the blank line huh puts above
// its footer, and two lines for errors under the footer.
func formHeight(g geometry) int { return max(g.bodyH-2-2-1-2, 6) }

// formPane draws the open form across the body.
func (m *Model) formPane(g geometry) string {
	w, h := max(m.width-2, 1), max(g.bodyH-2, 1)
	content := m.r.st.PaneTitle.Render(m.form.title) + "\n\n" + m.form.f.View()
	lines := strings.Split(content, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	return m.pane(true, w, h, strings.Join(lines, "\n"))
}

// tokenProfiles names, from the registry, the profiles whose requests
// carry a token, for the forms' hints: "CodeScoring, Generic JSON".
func tokenProfiles() string {
	var titles []string
	for _, p := range fixtures.All() {
		if p.Auth() == fixtures.AuthToken {
			titles = append(titles, p.Title())
		}
	}
	return strings.Join(titles, ", ")
}
