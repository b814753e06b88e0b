package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/receiver"
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
	var rows []receiver.RequestView
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
