package tui

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// readJSONL parses the only JSON-lines file in dir, one object a line.
func readJSONL(t *testing.T, dir string) []map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil || len(files) != 1 {
		t.Fatalf("JSONL files %v, %v", files, err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %d is not a JSON object: %v", len(out)+1, err)
		}
		out = append(out, v)
	}
	return out
}

// The JSON-lines export holds the visible rows in SPEC §7's shape, with
// their bodies: text, or base64 where they are not UTF-8.
func TestExportInboxJSONL(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 2)
	binary := "\xff\xfe\x00raw"
	seedRequest(t, d, 3, binary)
	m := newTestModel(t, d, 80, 24)
	m.expDir = t.TempDir()
	press(t, m, "x")
	if s := screen(m); !contains(s, "✓ exported 3 requests to") {
		t.Fatalf("no result:\n%s", s)
	}
	lines := readJSONL(t, m.expDir)
	if len(lines) != 3 {
		t.Fatalf("%d lines for 3 requests", len(lines))
	}
	for i, l := range lines { // oldest first
		if int64(l["id"].(float64)) != int64(i+1) {
			t.Fatalf("line %d is request %v, want #%d", i, l["id"], i+1)
		}
		for _, k := range []string{"received_at", "route", "method", "path", "headers", "vendor", "event_type", "signature", "duplicate", "shape_issues", "response"} {
			if _, ok := l[k]; !ok {
				t.Fatalf("line %d lacks %q: %v", i, k, l)
			}
		}
	}
	if got, _ := base64.StdEncoding.DecodeString(lines[2]["body_base64"].(string)); string(got) != binary {
		t.Fatalf("binary body changed or missing: %v", lines[2])
	}
	if body, _ := lines[0]["body"].(string); !json.Valid([]byte(body)) {
		t.Fatalf("JSON body missing: %v", lines[0])
	}
	if resp := lines[0]["response"].(map[string]any); resp["body"] != `{"ok":true}` {
		t.Fatalf("response body missing: %v", resp)
	}
}

// A delivery's export carries every attempt with its request and response
// bodies (a db.Delivery alone would drop them).
func TestExportDeliveriesJSONL(t *testing.T) {
	d := openDB(t)
	ep := seedEndpoint(t, d, "cs-prod", "codescoring", true)
	del := seedDelivery(t, d, ep, 2, nil)
	m := newTestModel(t, d, 80, 24)
	m.expDir = t.TempDir()
	press(t, m, "2", "x")
	lines := readJSONL(t, m.expDir)
	if len(lines) != 1 || int64(lines[0]["id"].(float64)) != del.ID {
		t.Fatalf("lines %v, want delivery #%d", lines, del.ID)
	}
	attempts, _ := lines[0]["attempts"].([]any)
	if len(attempts) != 2 {
		t.Fatalf("%d attempts exported, want 2: %v", len(attempts), lines[0])
	}
	for i, a := range attempts {
		at := a.(map[string]any)
		req := at["request"].(map[string]any)
		resp, _ := at["response"].(map[string]any)
		if req["body"] == nil || req["body"] == "" || resp == nil || resp["status"].(float64) != 503 {
			t.Fatalf("attempt %d lacks its bodies or status: %v", i+1, at)
		}
	}
}
