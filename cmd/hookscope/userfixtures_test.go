package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/fixtures"
)

// userFixturesDir writes a fixtures folder: a new PolicyCortex event, a
// replaced Holm event, and three broken files.
func userFixturesDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"policycortex/custom.audit.json": `{"id":"{{id:evt_}}","type":"custom.audit","created":"{{now:unix}}","data":{"ticket":"{{uuid}}","n":"{{int:1:1000000}}"}}`,
		"holm/ticket_opened.json":        `{"ticket":{"id":"{{hex:12}}","title":"mine"}}`,
		"holm/broken.json":               "{\n  \"a\": [1,\n}",
		"madeup/x.json":                  `{}`,
		"cyscale/typo.json":              "[{\"id\": \"{{uuidd}}\"}]",
	} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { fixtures.UseUserFixtures(nil) })
	return dir
}

// fixtures list marks the user's fixtures and reports each broken file
// with its path and position, and still lists the rest.
func TestFixturesListWithUserFixtures(t *testing.T) {
	dir := userFixturesDir(t)
	out, stderr, err := runCLIStderr(t, "fixtures", "list", "--fixtures", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"custom.audit", "yours: " + filepath.Join(dir, "policycortex", "custom.audit.json"), "yours: " + filepath.Join(dir, "holm", "ticket_opened.json"), "2 of them yours"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{
		filepath.Join(dir, "holm", "broken.json") + ":3:1: not valid JSON",
		filepath.Join(dir, "madeup") + ": not a vendor folder",
		filepath.Join(dir, "cyscale", "typo.json") + ":1:10: unknown placeholder {{uuidd}}",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	var list []map[string]any
	out, err = runCLI(t, "fixtures", "list", "--json", "--vendor", "policycortex", "--fixtures", dir)
	if err != nil || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	last := list[len(list)-1]
	if last["event"] != "custom.audit" || last["user"] != true || list[0]["user"] != nil {
		t.Fatalf("list --json: first %v, last %v", list[0], last)
	}
	// Without the folder, the built-in catalogue alone.
	empty := t.TempDir()
	if out, _ := runCLI(t, "fixtures", "list", "--fixtures", empty); strings.Contains(out, "custom.audit") || strings.Contains(out, "yours") {
		t.Fatalf("an empty folder still lists the user's fixtures:\n%s", out)
	}
}

// fixtures show renders the user's fixture fresh each time, the same for
// the same --seed and --at.
func TestFixturesShowUserFixtureSeeded(t *testing.T) {
	dir := userFixturesDir(t)
	show := func(seed string) string {
		out, err := runCLI(t, "fixtures", "show", "policycortex", "custom.audit", "--fixtures", dir, "--seed", seed, "--at", "2026-01-02T03:04:05Z")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b, c := show("5"), show("5"), show("6")
	if a != b || a == c || !strings.Contains(a, `"type":"custom.audit","created":1767323045,`) || strings.Contains(a, "{{") {
		t.Fatalf("seed 5: %s\nseed 5 again: %s\nseed 6: %s", a, b, c)
	}
	m := showJSON(t, "fixtures", "show", "holm", "ticket_opened", "--fixtures", dir, "--json")
	if m["user"] != true || !strings.Contains(m["body"].(string), `"title":"mine"`) || m["path"] != filepath.Join(dir, "holm", "ticket_opened.json") ||
		m["name"] != "Ticket opened" || len(m["documented_fields"].([]any)) == 0 || !strings.Contains(m["note"].(string), "in place of the built-in") {
		t.Fatalf("show --json of a replaced event: %v", m)
	}
}

// send frames and signs the user's fixture as the profile signs its own:
// the receiver's side verifies the signature.
func TestSendUserFixtureSigned(t *testing.T) {
	dir := userFixturesDir(t)
	var (
		mu   sync.Mutex
		got  http.Header
		body []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got, _ = r.Header.Clone(), r.Body
		body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	if _, err := runCLI(t, "--db", senderDB(t), "send", "policycortex", "custom.audit", "--to", srv.URL, "--secret", "topsecret", "--fixtures", dir); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	p, _ := fixtures.Lookup("policycortex")
	if v := p.Verify(got, body, fixtures.Credentials{Secret: "topsecret"}, time.Now()); v.Status != fixtures.Valid || !strings.Contains(string(body), `"type":"custom.audit"`) {
		t.Fatalf("received %s with %v: %+v", body, got, v)
	}
}

// The API lists the user's fixtures among the triggers and raises one as
// any event, rendered from the file.
func TestAPIUserFixtures(t *testing.T) {
	dir := userFixturesDir(t)
	set, _ := fixtures.LoadUserDir(dir)
	fixtures.UseUserFixtures(set)
	var (
		mu     sync.Mutex
		bodies []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
	}))
	defer srv.Close()
	dbPath := senderDB(t)
	if _, err := runCLI(t, "--db", dbPath, "endpoints", "add", "--name", "pc", "--profile", "policycortex", "--url", srv.URL, "--fixtures", dir); err != nil {
		t.Fatal(err)
	}
	a, err := app.Start(context.Background(), app.Config{DBPath: dbPath, Listen: "127.0.0.1:0", API: "127.0.0.1:0", Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	resp, err := http.Get("http://" + a.APIAddr() + "/api/triggers?vendor=policycortex")
	if err != nil {
		t.Fatal(err)
	}
	var triggers []map[string]any
	json.NewDecoder(resp.Body).Decode(&triggers)
	resp.Body.Close()
	if n := len(triggers); n == 0 || triggers[n-1]["event"] != "custom.audit" || triggers[n-1]["user"] != true {
		t.Fatalf("triggers: %v", triggers)
	}
	resp, err = http.Post("http://"+a.APIAddr()+"/api/events", "application/json", strings.NewReader(`{"vendor":"policycortex","event":"custom.audit"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/events: %d", resp.StatusCode)
	}
	waitUntil(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) > 0
	})
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(bodies[0], `"type":"custom.audit"`) || strings.Contains(bodies[0], "{{") {
		t.Fatalf("delivered %s", bodies[0])
	}
}
