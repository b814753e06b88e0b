package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// senderDB is a fresh database file for one test's CLI runs.
func senderDB(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "hookscope.db")
}

func TestEndpointsAddRejectsBadInputNamingTheField(t *testing.T) {
	dbPath := senderDB(t)
	cases := []struct {
		name  string
		args  []string
		field string
	}{
		{"bad url", []string{"--name", "a", "--profile", "policycortex", "--url", "ftp://127.0.0.1/x"}, "url"},
		{"unknown profile", []string{"--name", "b", "--profile", "nosuchvendor", "--url", "http://127.0.0.1:9/x"}, "profile"},
		{"negative timeout", []string{"--name", "c", "--profile", "policycortex", "--url", "http://127.0.0.1:9/x", "--timeout", "-1"}, "--timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := runCLI(t, append([]string{"--db", dbPath, "endpoints", "add"}, c.args...)...)
			if err == nil {
				t.Fatal("accepted")
			}
			if code := exitCode(err); code != 2 {
				t.Errorf("exit code %d, want 2 (%v)", code, err)
			}
			if !strings.HasPrefix(err.Error(), c.field+": ") {
				t.Errorf("error %q does not name %s", err, c.field)
			}
		})
	}
	out, err := runCLI(t, "--db", dbPath, "endpoints", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, `"name":"a"`) || strings.Contains(out, `"name":"b"`) || strings.Contains(out, `"name":"c"`) {
		t.Errorf("a rejected endpoint was stored: %s", out)
	}
}

func TestEndpointsMaskSecretsAndDisableEnable(t *testing.T) {
	dbPath := senderDB(t)
	const secret = "s3cret-value-that-must-not-print"
	out, err := runCLI(t, "--db", dbPath, "endpoints", "add", "--name", "mine", "--profile", "policycortex",
		"--url", "http://127.0.0.1:9/hooks", "--secret", secret)
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	if strings.Contains(out, secret) {
		t.Errorf("add printed the secret: %s", out)
	}
	for _, args := range [][]string{{"list"}, {"list", "--json"}, {"show", "mine"}} {
		out, err := runCLI(t, append([]string{"--db", dbPath, "endpoints"}, args...)...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if strings.Contains(out, secret) {
			t.Errorf("endpoints %v printed the secret in full:\n%s", args, out)
		}
		if !strings.Contains(out, "mine") {
			t.Errorf("endpoints %v does not show the endpoint:\n%s", args, out)
		}
	}

	if _, err := runCLI(t, "--db", dbPath, "endpoints", "disable", "mine", "--reason", "maintenance window"); err != nil {
		t.Fatalf("disable: %v", err)
	}
	show := func() map[string]any {
		out, err := runCLI(t, "--db", dbPath, "endpoints", "show", "mine")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("show is not JSON: %v\n%s", err, out)
		}
		return m
	}
	m := show()
	if m["enabled"] != false || m["disabled_reason"] != "maintenance window" || m["disabled_at"] == nil {
		t.Errorf("after disable: enabled=%v reason=%v at=%v", m["enabled"], m["disabled_reason"], m["disabled_at"])
	}
	if _, err := runCLI(t, "--db", dbPath, "endpoints", "enable", "mine"); err != nil {
		t.Fatalf("enable: %v", err)
	}
	m = show()
	if m["enabled"] != true || (m["disabled_reason"] != nil && m["disabled_reason"] != "") {
		t.Errorf("after enable: enabled=%v reason=%v", m["enabled"], m["disabled_reason"])
	}
}

func TestSendNoRetryThenDeliveriesJSON(t *testing.T) {
	dbPath := senderDB(t)
	var hits atomic.Int32
	var sig atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		hits.Add(1)
		sig.Store(r.Header.Get("X-PolicyCortex-Signature"))
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	_, err := runCLI(t, "--db", dbPath, "send", "policycortex", "policy.violation.created",
		"--to", srv.URL+"/hooks", "--secret", "abc", "--no-retry")
	if err == nil {
		t.Fatal("a 503 with --no-retry reported success")
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("the receiver got %d requests, want exactly 1 with --no-retry", n)
	}
	if s, _ := sig.Load().(string); s == "" {
		t.Error("no X-PolicyCortex-Signature on the request")
	}

	out, err := runCLI(t, "--db", dbPath, "deliveries", "list", "--json")
	if err != nil {
		t.Fatalf("deliveries list: %v", err)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("list is not a JSON array: %v\n%s", err, out)
	}
	if len(list) != 1 {
		t.Fatalf("%d deliveries listed, want 1:\n%s", len(list), out)
	}
	d := list[0]
	for _, k := range []string{"id", "endpoint_id", "vendor", "event_types", "status", "attempt_count", "next_attempt_at", "created_at"} {
		if _, ok := d[k]; !ok {
			t.Errorf("deliveries list --json: no %q field in %v", k, d)
		}
	}
	if d["status"] != "failed" || d["vendor"] != "policycortex" || d["attempt_count"] != float64(1) {
		t.Errorf("delivery: status %v vendor %v attempt_count %v, want failed policycortex 1", d["status"], d["vendor"], d["attempt_count"])
	}
	// --search finds it by its attempt's answer, and nothing by a text
	// it does not hold.
	for search, want := range map[string]int{"503": 1, "no-such-text-anywhere": 0} {
		out, err := runCLI(t, "--db", dbPath, "deliveries", "list", "--json", "--search", search)
		if err != nil {
			t.Fatalf("deliveries list --search %s: %v", search, err)
		}
		var got []map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != want {
			t.Errorf("deliveries list --search %s: %d deliveries (%v), want %d:\n%s", search, len(got), err, want, out)
		}
	}

	id := strings.TrimSuffix(strings.TrimPrefix(string(mustJSON(t, d["id"])), `"`), `"`)
	out, err = runCLI(t, "--db", dbPath, "deliveries", "show", id, "--json")
	if err != nil {
		t.Fatalf("deliveries show: %v", err)
	}
	var one struct {
		ID       int64 `json:"id"`
		Status   string
		Attempts []struct {
			N       int `json:"n"`
			Request struct {
				Method  string `json:"method"`
				URL     string `json:"url"`
				Headers []struct{ Name, Value string }
				Body    string `json:"body"`
			} `json:"request"`
			Response *struct {
				Status int `json:"status"`
			} `json:"response"`
			Error  string `json:"error"`
			Manual bool   `json:"manual"`
		} `json:"attempts"`
	}
	if err := json.Unmarshal([]byte(out), &one); err != nil {
		t.Fatalf("show is not JSON: %v\n%s", err, out)
	}
	if len(one.Attempts) != 1 {
		t.Fatalf("%d attempts shown, want 1:\n%s", len(one.Attempts), out)
	}
	a := one.Attempts[0]
	if a.N != 1 || a.Request.Method != http.MethodPost || a.Request.URL != srv.URL+"/hooks" || a.Request.Body == "" {
		t.Errorf("attempt request: n %d %s %s body %d bytes", a.N, a.Request.Method, a.Request.URL, len(a.Request.Body))
	}
	if a.Response == nil || a.Response.Status != http.StatusServiceUnavailable || !strings.Contains(a.Error, "503") {
		t.Errorf("attempt response %+v error %q, want a recorded 503", a.Response, a.Error)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
