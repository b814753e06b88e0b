package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/limits"
)

// jsonLines decodes JSON lines.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", len(out)+1, err, sc.Text())
		}
		out = append(out, v)
	}
	return out
}

// exportDB records requests through a real receiver: holm, policycortex
// (unsigned, so its signature is missing), a body that is not UTF-8, and
// one carrying terminal controls.
func exportDB(t *testing.T) string {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "export.db")
	a, err := app.Start(context.Background(), app.Config{DBPath: dbPath, Listen: "127.0.0.1:0", API: "127.0.0.1:0", Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ route, body string }{
		{"holm", `{"finished_scan":{}}`},
		{"policycortex", `{"id":"evt_1","type":"policy.violation.created","created":1,"data":{}}`},
		{"holm", "\xff\xfebinary"},
		{"generic", "{\"x\":\"\x1b[2J\u202e\"}"},
	} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+a.ReceiverAddr()+"/hooks/"+c.route+"?n=1", strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer verysecretbearer")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if err := a.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dbPath
}

// Each JSON line of `export` is what `requests show ID --json` prints for
// that request; the whole history comes out oldest first, filters apply,
// and nothing raw reaches standard output.
func TestExportJSONLIsShowJSON(t *testing.T) {
	dbPath := exportDB(t)
	out, err := runCLI(t, "--db", dbPath, "export", "--format", "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out, "\x1b\u202e") || strings.Contains(out, "verysecretbearer") {
		t.Fatalf("raw controls or an unmasked token in the export:\n%q", out)
	}
	ls := jsonLines(t, out)
	if len(ls) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(ls), out)
	}
	for i, l := range ls {
		id := strconv.Itoa(i + 1)
		if l["id"] != float64(i+1) {
			t.Fatalf("line %d is request %v", i+1, l["id"])
		}
		show, err := runCLI(t, "--db", dbPath, "requests", "show", id, "--json")
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal([]byte(show), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(l, want) {
			t.Fatalf("line %d differs from requests show %s --json:\n got %v\nwant %v", i+1, id, l, want)
		}
	}
	if ls[2]["body_base64"] == nil || ls[2]["body"] != nil {
		t.Fatalf("binary body: %v", ls[2])
	}

	out, err = runCLI(t, "--db", dbPath, "export", "--format", "jsonl", "--vendor", "holm", "--since", "1h")
	if err != nil {
		t.Fatal(err)
	}
	if ls := jsonLines(t, out); len(ls) != 2 || ls[0]["id"] != 1.0 || ls[1]["id"] != 3.0 {
		t.Fatalf("--vendor holm: %v", ls)
	}
	out, err = runCLI(t, "--db", dbPath, "export", "--format", "jsonl", "--search", "evt_1", "--route", "policycortex")
	if ls := jsonLines(t, out); err != nil || len(ls) != 1 || ls[0]["id"] != 2.0 {
		t.Fatalf("--search: %v %v", err, ls)
	}
	out, err = runCLI(t, "--db", dbPath, "export", "--format", "jsonl", "--until", "2000-01-01")
	if err != nil || out != "" {
		t.Fatalf("--until 2000-01-01 exported %q (%v)", out, err)
	}
}

// --out writes a HAR file (a line on stderr says where); the HAR holds
// one entry per request with the receiver's URL.
func TestExportHARToFile(t *testing.T) {
	dbPath := exportDB(t)
	file := filepath.Join(t.TempDir(), "all.har")
	out, stderr, err := runCLIStderr(t, "--db", dbPath, "export", "--format", "har", "--out", file, "--receiver", "127.0.0.1:7510")
	if err != nil || out != "" || !strings.Contains(stderr, "exported 4 requests to "+file) {
		t.Fatalf("export --out: %v, stdout %q, stderr %q", err, out, stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Log struct {
			Version string `json:"version"`
			Entries []struct {
				Request struct {
					URL string `json:"url"`
				} `json:"request"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(b, &h); err != nil || h.Log.Version != "1.2" || len(h.Log.Entries) != 4 {
		t.Fatalf("HAR %v: %s", err, b)
	}
	if u := h.Log.Entries[0].Request.URL; u != "http://127.0.0.1:7510/hooks/holm?n=1" {
		t.Fatalf("URL %q", u)
	}
}

// Deliveries export with their attempts, filtered by endpoint.
func TestExportDeliveries(t *testing.T) {
	dbPath := senderDB(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	for range 2 {
		if _, err := runCLI(t, "--db", dbPath, "send", "policycortex", "policy.violation.created",
			"--to", srv.URL+"/hooks", "--secret", "abc", "--no-retry"); err == nil {
			t.Fatal("a 503 reported success")
		}
	}
	out, err := runCLI(t, "--db", dbPath, "export", "--format", "jsonl", "--what", "deliveries", "--status", "5xx")
	if err != nil {
		t.Fatal(err)
	}
	ls := jsonLines(t, out)
	if len(ls) != 2 {
		t.Fatalf("%d deliveries, want 2:\n%s", len(ls), out)
	}
	show, err := runCLI(t, "--db", dbPath, "deliveries", "show", "2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal([]byte(show), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ls[1], want) {
		t.Fatalf("line 2 differs from deliveries show 2 --json:\n got %v\nwant %v", ls[1], want)
	}
	for source, want := range map[string]int{"send": 2, "replay": 0} {
		out, err := runCLI(t, "--db", dbPath, "export", "--format", "jsonl", "--what", "deliveries", "--source", source)
		if got := len(jsonLines(t, out)); err != nil || got != want {
			t.Errorf("--source %s: %d deliveries (%v), want %d", source, got, err, want)
		}
	}
	out, err = runCLI(t, "--db", dbPath, "export", "--format", "har", "--what", "deliveries", "--endpoint", "no-such")
	if err == nil {
		t.Fatalf("an unknown endpoint exported %q", out)
	}
}

// Bad flags are usage errors (exit status 2) that say what to give.
func TestExportUsageErrors(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "u.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "--format is required"},
		{[]string{"export", "--format", "csv"}, "give jsonl or har"},
		{[]string{"export", "--format", "har", "--what", "events"}, "give requests or deliveries"},
		{[]string{"export", "--format", "jsonl", "--since", "yesterday"}, "--since"},
		{[]string{"export", "--format", "jsonl", "--since", "1h", "--until", "2h"}, "--since must be before --until"},
		{[]string{"export", "--format", "jsonl", "--what", "deliveries", "--route", "x"}, "filter requests"},
		{[]string{"export", "--format", "jsonl", "--endpoint", "x"}, "--what deliveries"},
		{[]string{"export", "--format", "jsonl", "--status", "abc"}, "status"},
		// The search text over its limit is named as the flag, not as the
		// API's q.
		{[]string{"export", "--format", "jsonl", "--search", strings.Repeat("x", int(limits.SearchText.Max)+1)}, "--search: "},
		{[]string{"export", "--format", "jsonl", "--what", "deliveries", "--search", strings.Repeat("x", int(limits.SearchText.Max)+1)}, "--search: "},
	} {
		_, err := runCLI(t, append([]string{"--db", dbPath}, c.args...)...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v (exit %d), want a usage error saying %q", c.args, err, exitCode(err), c.want)
		}
	}
}
