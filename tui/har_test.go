package tui

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/export"
)

// readHAR parses the only HAR file in dir.
func readHAR(t *testing.T, dir string) export.HAR {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.har"))
	if err != nil || len(files) != 1 {
		t.Fatalf("HAR files %v, %v", files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var h export.HAR
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("the HAR file does not parse: %v", err)
	}
	// Every field HAR 1.2 requires of an entry is present.
	var raw struct {
		Log struct {
			Creator map[string]any   `json:"creator"`
			Entries []map[string]any `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Log.Creator["name"] != "hookscope" {
		t.Fatalf("creator %v", raw.Log.Creator)
	}
	for i, e := range raw.Log.Entries {
		for _, k := range []string{"startedDateTime", "time", "request", "response", "cache", "timings"} {
			if _, ok := e[k]; !ok {
				t.Fatalf("entry %d lacks %s", i, k)
			}
		}
		req := e["request"].(map[string]any)
		for _, k := range []string{"method", "url", "httpVersion", "headers", "queryString", "cookies", "headersSize", "bodySize"} {
			if _, ok := req[k]; !ok {
				t.Fatalf("entry %d request lacks %s", i, k)
			}
		}
		resp := e["response"].(map[string]any)
		for _, k := range []string{"status", "statusText", "headers", "content", "redirectURL"} {
			if _, ok := resp[k]; !ok {
				t.Fatalf("entry %d response lacks %s", i, k)
			}
		}
	}
	return h
}

func TestExportInboxHAR(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 3)
	binary := "\xff\xfe\x00raw"
	seedRequest(t, d, 4, binary)
	m := newTestModel(t, d, 80, 24)
	m.expDir = t.TempDir()
	press(t, m, "X")
	if s := screen(m); !contains(s, "✓ exported 4 requests as HAR to") {
		t.Fatalf("no result:\n%s", s)
	}
	h := readHAR(t, m.expDir)
	if h.Log.Version != "1.2" || len(h.Log.Entries) != 4 {
		t.Fatalf("version %q, %d entries for 4 requests", h.Log.Version, len(h.Log.Entries))
	}
	for i, e := range h.Log.Entries { // oldest first
		if e.ID != int64(i+1) {
			t.Fatalf("entry %d is request #%d, want #%d", i, e.ID, i+1)
		}
		if e.Request.URL != "http://127.0.0.1:8088/hooks/policycortex" || e.Request.Method != "POST" || e.Response.Status != 200 || e.Response.StatusText != "OK" {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
	last := h.Log.Entries[3] // the binary body
	if p := last.Request.PostData; p == nil || p.Encoding != "base64" {
		t.Fatalf("binary body not base64: %+v", last.Request.PostData)
	}
	if got, _ := base64.StdEncoding.DecodeString(last.Request.PostData.Text); string(got) != binary {
		t.Fatalf("binary body changed: %q", got)
	}
	if p := h.Log.Entries[0].Request.PostData; p.Encoding != "" || p.MimeType != "application/json" || !json.Valid([]byte(p.Text)) {
		t.Fatalf("JSON body: %+v", p)
	}
	if c := h.Log.Entries[0].Response.Content; c.Text != `{"ok":true}` || c.Size != 11 {
		t.Fatalf("response content: %+v", c)
	}
}

func TestExportDeliveriesHAR(t *testing.T) {
	d := openDB(t)
	ep := seedEndpoint(t, d, "cs-prod", "codescoring", true)
	del := seedDelivery(t, d, ep, 2, nil)
	m := newTestModel(t, d, 80, 24)
	m.expDir = t.TempDir()
	press(t, m, "2", "X")
	h := readHAR(t, m.expDir)
	if len(h.Log.Entries) != 2 {
		t.Fatalf("%d entries, want the 2 attempts", len(h.Log.Entries))
	}
	for i, e := range h.Log.Entries {
		if e.ID != del.ID || e.Attempt != i+1 || e.Response.Status != 503 || e.Request.URL != ep.URL || e.Time != 12.5 {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
