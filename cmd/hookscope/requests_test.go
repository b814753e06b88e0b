package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRequestsListAndShow(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "req.db")
	a, err := app.Start(context.Background(), app.Config{DBPath: dbPath, Listen: "127.0.0.1:0", API: "127.0.0.1:0", Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	evil := "{\"x\":\"\x1b[2J\x1b]0;owned\x07\"}"
	for _, body := range []string{`{"finished_scan":{}}`, evil, "\xff\xfebinary"} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+a.ReceiverAddr()+"/hooks/holm", strings.NewReader(body))
		req.Header.Set("X-Evil", "\x1b[31m")
		req.Header.Set("X-Evil", "fine")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if err := a.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	out, err := runCLI(t, "--db", dbPath, "requests", "list")
	if err != nil || strings.Count(out, "\n") != 4 || !strings.Contains(out, "holm") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = runCLI(t, "--db", dbPath, "requests", "list", "--json", "--limit", "2")
	var rows []api.RequestView
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 || rows[0].ID != 3 {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	out, err = runCLI(t, "--db", dbPath, "requests", "show", "2")
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, `\x1b[2J`) {
		t.Fatalf("show must neutralise escape sequences:\n%q", out)
	}
	out, err = runCLI(t, "--db", dbPath, "requests", "show", "3", "--json")
	var v map[string]any
	if err != nil || json.Unmarshal([]byte(out), &v) != nil || v["body_base64"] == nil || v["body"] != nil {
		t.Fatalf("show --json of a binary body: %v\n%s", err, out)
	}
	if _, err := runCLI(t, "--db", dbPath, "requests", "show", "99"); err == nil || !strings.Contains(err.Error(), "no request with id 99") {
		t.Errorf("missing id: %v", err)
	}
	if _, err := runCLI(t, "--db", dbPath, "requests", "list", "--status", "abc"); err == nil {
		t.Errorf("bad --status accepted")
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         "plain",
		"a\x1b[31mb":    `a\x1b[31mb`,
		"bell\x07":      `bell\a`,
		"c1\u009b":      `c1\u009b`,
		"bidi\u202e":    `bidi\u202e`,
		"bad\xff":       `bad\xff`,
		"line\nbreak":   `line\nbreak`,
		"tab\tkept-ish": `tab\tkept-ish`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
	if got := printableText("a\nb\tc\x1b"); got != "a\nb\tc\\x1b" {
		t.Errorf("printableText kept %q", got)
	}
}

// TestRequestsShowARepeatIsNotAnError: over real HTTP into a real file, a
// forged PolicyCortex message (signed with another secret) and then the
// genuine one with the same id. The genuine one is no duplicate of the
// forgery, and the commands say so as a repeat: `requests list` flags it
// "repeat", not "error"; `requests show` has a Repeat line naming the
// forgery and no Error line; --json carries repeat_of and no error.
func TestRequestsShowARepeatIsNotAnError(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "rep.db")
	d, err := db.Open(ctx, dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Write(ctx, func(tx db.Handle) error {
		return db.NewRouteStore().PutRoute(ctx, tx, &db.Route{Name: "pc", Profile: "policycortex", Secret: "route-secret"})
	})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Start(ctx, app.Config{DBPath: dbPath, Listen: "127.0.0.1:0", API: "127.0.0.1:0", Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	p, payload, err := fixtures.RenderEvent("policycortex", "scan.completed", 7, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"forger-secret", "route-secret"} {
		w, err := p.Frame([]fixtures.Outgoing{{Type: "scan.completed", Payload: payload, CreatedAt: now}},
			fixtures.FrameOptions{Credentials: fixtures.Credentials{Secret: secret}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+a.ReceiverAddr()+"/hooks/pc", bytes.NewReader(w.Body))
		req.Header = w.Header.HTTP()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	out, err := runCLI(t, "--db", dbPath, "requests", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "2 ") || !strings.Contains(lines[1], "valid") {
		t.Fatalf("list:\n%s", out)
	}
	if flags := strings.Fields(lines[1]); flags[len(flags)-1] != "repeat" {
		t.Errorf("the genuine message is flagged %q, want repeat:\n%s", flags[len(flags)-1], out)
	}
	if strings.Contains(out, "error") || strings.Contains(out, "duplicate") {
		t.Errorf("list flags an error or a duplicate:\n%s", out)
	}

	out, err = runCLI(t, "--db", dbPath, "requests", "show", "2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "\nRepeat:    of request 1, id ") || !strings.Contains(out, "repeats the id of #1 (its signature was invalid), so it is not a duplicate of it\n") {
		t.Errorf("show does not say the request repeats #1, whose signature was invalid:\n%s", out)
	}
	if strings.Contains(out, "Error:") || strings.Contains(out, "Duplicate:") {
		t.Errorf("show presents the repeat as an error or a duplicate:\n%s", out)
	}
	if out, _ := runCLI(t, "--db", dbPath, "requests", "show", "1"); strings.Contains(out, "Repeat:") {
		t.Errorf("the first request is shown as a repeat:\n%s", out)
	}

	out, err = runCLI(t, "--db", dbPath, "requests", "show", "2", "--json")
	var v map[string]any
	if err != nil || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("show --json: %v\n%s", err, out)
	}
	if v["repeat_of"] != float64(1) || !strings.HasPrefix(fmt.Sprint(v["repeat_note"]), "repeats the id of #1") || v["error"] != nil {
		t.Errorf("show --json: repeat_of %v, repeat_note %v, error %v", v["repeat_of"], v["repeat_note"], v["error"])
	}
}
