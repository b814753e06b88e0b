package tui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/sender"
)

// TestEditAndSend runs "edit & send" with EDITOR set to a script that
// edits the payload file: what the endpoint receives is the edited
// payload, signed with the endpoint's secret.
func TestEditAndSend(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "editor.sh")
	kept := filepath.Join(dir, "edited.json")
	// The "user" adds a field at the front and keeps a copy to compare.
	body := "#!/bin/sh\nset -e\nsed -i '1s/^{/{\"edited_by\":\"the editor script\",/' \"$1\"\ncp \"$1\" " + kept + "\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", script)

	srv := testkit.NewHookServer(t, nil)

	d := openDB(t)
	snd := sender.New(d, sender.Options{Seed: 1})
	ep := &db.Endpoint{Name: "pc-edit", URL: srv.URL, Profile: "policycortex", Secret: "endpoint-secret-0123456789", Enabled: true}
	if err := snd.CreateEndpoint(context.Background(), ep); err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, d, 100, 30)
	m.act = app.ConsoleActions{Sender: snd, Source: NewDBSource(d)}
	// Run the editor in place of handing over the terminal.
	m.execEditor = func(c *exec.Cmd, fn tea.ExecCallback) tea.Cmd {
		return func() tea.Msg { return fn(c.Run()) }
	}
	press(t, m, "4")
	for i, f := range m.fix.rows {
		if f.profile.Name() == "policycortex" {
			m.fix.cursor = i
			break
		}
	}
	press(t, m, "e")
	if s := screen(m); !strings.Contains(s, "edit policycortex") || !strings.Contains(s, "pc-edit") {
		t.Fatalf("no picker:\n%s", s)
	}
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "Send the edited policycortex") || !strings.Contains(s, "[y/n]") {
		t.Fatalf("the edited payload went out without asking:\n%s", s)
	}
	press(t, m, "y")
	if s := screen(m); !strings.Contains(s, "✓ sent policycortex") {
		t.Fatalf("no result:\n%s", s)
	}

	edited, err := os.ReadFile(kept)
	if err != nil {
		t.Fatalf("the editor did not run: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the endpoint got %d requests, want 1", len(reqs))
	}
	gotBody, gotHeader := reqs[0].Body, reqs[0].Header
	if !strings.HasPrefix(string(gotBody), `{"edited_by":"the editor script",`) || string(gotBody) != strings.TrimRight(string(edited), "\n") && string(gotBody) != string(edited) {
		t.Fatalf("sent %s\nthe editor saved %s", gotBody, edited)
	}
	p, _ := fixtures.Lookup("policycortex")
	if v := p.Verify(gotHeader, gotBody, fixtures.Credentials{Secret: ep.Secret}, time.Now()); v.Status != fixtures.Valid {
		t.Fatalf("the edited payload is not signed with the endpoint's secret: %+v", v)
	}
}
