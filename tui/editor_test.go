package tui

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
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

	var mu sync.Mutex
	var gotBody []byte
	var gotHeader http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		gotBody, gotHeader = b, r.Header.Clone()
		mu.Unlock()
	}))
	defer srv.Close()

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
	mu.Lock()
	defer mu.Unlock()
	if !strings.HasPrefix(string(gotBody), `{"edited_by":"the editor script",`) || string(gotBody) != strings.TrimRight(string(edited), "\n") && string(gotBody) != string(edited) {
		t.Fatalf("sent %s\nthe editor saved %s", gotBody, edited)
	}
	p, _ := fixtures.Lookup("policycortex")
	if v := p.Verify(gotHeader, gotBody, fixtures.Credentials{Secret: ep.Secret}, time.Now()); v.Status != fixtures.Valid {
		t.Fatalf("the edited payload is not signed with the endpoint's secret: %+v", v)
	}
}
