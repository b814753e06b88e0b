package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hookscope/hookscope/db"
)

// hostile is text that would drive a terminal if printed raw: clear the
// screen, ask the terminal to type its cursor position into the shell, an
// OSC 52 clipboard write, an 8-bit CSI, a bidi override and a line feed.
const hostile = "evil\x1b[2J\x1b[6n\x1b]52;c;ZXZpbA==\a\u009b31m\u202egnp.exe\nID fake row"

// runBinary runs the built hookscope with args and returns stdout, stderr
// and the exit code.
func runBinary(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(hookscopeBinary(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// assertTerminalSafe fails when s holds anything a terminal acts on: a C0
// control other than line feed and tab, DEL, a C1 control, invalid UTF-8 or
// a bidi or other format character.
func assertTerminalSafe(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s: invalid UTF-8 reaches the terminal", what)
	}
	for i, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u202e' || r == '\u2028' {
			t.Errorf("%s: %U at byte %d reaches the terminal raw: %q", what, r, i, s)
			return
		}
	}
}

// Stored text printed by the CLI never reaches the terminal raw: endpoint
// names and URLs an older hookscope accepted, a received request's path,
// headers and body, what a user typed into an error.
func TestCLIOutputIsNeutralised(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbPath := filepath.Join(t.TempDir(), "hostile.db")
	ctx := context.Background()
	d, err := db.Open(ctx, dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// As an older hookscope (before names were checked) could have stored.
	err = d.Write(ctx, func(h db.Handle) error {
		return db.NewEndpointStore().CreateEndpoint(ctx, h, &db.Endpoint{
			Name: hostile, URL: "http://127.0.0.1:9/\x1b[2J", Profile: "generic", Enabled: false,
			DisabledReason: "reason " + hostile,
		})
	})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}

	// A hostile request, received over real HTTP.
	srv, recv, _ := startServe(t, dbPath)
	req, _ := http.NewRequest("POST", recv+"/hooks/generic?q=%1b%5b2J", strings.NewReader(`{"a":"`+hostile+`"}`))
	req.Header.Set("X-Evil", "\u009b2J\u202eabc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	srv.Process.Signal(os.Interrupt)
	srv.Wait()

	for _, args := range [][]string{
		{"endpoints", "list"},
		{"endpoints", "list", "--json"},
		{"endpoints", "show", "1"},
		{"requests", "list"},
		{"requests", "list", "--json"},
		{"requests", "show", "1"},
		{"requests", "show", "1", "--json"},
		{"endpoints", "show", hostile},
		{"endpoints", "disable", "1", "--reason", hostile},
	} {
		out, errOut, _ := runBinary(t, append(args, "--db", dbPath)...)
		name := strings.Join(args, " ")
		assertTerminalSafe(t, name+" (stdout)", out)
		assertTerminalSafe(t, name+" (stderr)", errOut)
	}

	// Text output shows where the bytes were, one row per endpoint.
	out, _, _ := runBinary(t, "endpoints", "list", "--db", dbPath)
	if !strings.Contains(out, "evil␛[2J␛[6n") || strings.Count(out, "\n") != 1+countEndpoints(t, dbPath) {
		t.Errorf("endpoints list:\n%s", out)
	}
	// JSON stays exact: it decodes to the stored name.
	out, _, code := runBinary(t, "endpoints", "list", "--json", "--db", dbPath)
	var eps []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(out), &eps); err != nil || code != 0 {
		t.Fatalf("endpoints list --json: %v (exit %d)\n%s", err, code, out)
	}
	found := false
	for _, e := range eps {
		found = found || e.Name == hostile
	}
	if !found {
		t.Errorf("the JSON does not decode to the stored name: %+v", eps)
	}

	// New names, URLs and reasons with such characters are refused, with
	// the character shown.
	for _, args := range [][]string{
		{"endpoints", "add", "--name", "a\x1b[2Jb", "--url", "http://127.0.0.1:9/", "--profile", "generic"},
		{"endpoints", "add", "--name", "a\u202eb", "--url", "http://127.0.0.1:9/", "--profile", "generic"},
		{"endpoints", "add", "--name", "ok", "--url", "http://127.0.0.1:9/\u0085", "--profile", "generic"},
		{"endpoints", "disable", "1", "--reason", "a\nb"},
	} {
		_, errOut, code := runBinary(t, append(args, "--db", dbPath)...)
		if code != 2 || !strings.Contains(errOut, "control or format character") {
			t.Errorf("%q: exit %d, %s", args, code, errOut)
		}
	}
}

func countEndpoints(t *testing.T, dbPath string) int {
	t.Helper()
	d, err := db.Open(context.Background(), dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	eps, err := db.NewEndpointStore().ListEndpoints(context.Background(), d.Reader())
	if err != nil {
		t.Fatal(err)
	}
	return len(eps)
}
