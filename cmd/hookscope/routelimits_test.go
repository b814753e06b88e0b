package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// putRoute sends PUT /api/routes/NAME with body and returns the status and
// the answer's body.
func putRoute(t *testing.T, api, name, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, api+"/api/routes/"+name, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAPIRefusesRouteNumbersOutOfRange puts routes whose numbers are out
// of their declared ranges through the real serve's API: each is refused
// 400 naming the field and its range, and nothing is stored. A delay of
// 2^63-1 ms used to pass the check by overflowing, and a status of 100 to
// be stored and answered as "100 Continue" then "200 OK".
func TestAPIRefusesRouteNumbersOutOfRange(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	_, recv, api := startServe(t, filepath.Join(t.TempDir(), "routes.db"))
	for _, tc := range []struct{ body, field, rng string }{
		{`{"profile":"generic","response":{"delay_ms":9223372036854775807}}`, "delay_ms", "0..600000 ms"},
		{`{"profile":"generic","response":{"delay_ms":99999999999999999999}}`, "delay_ms", "0..600000 ms"},
		{`{"profile":"generic","response":{"delay_ms":-1}}`, "delay_ms", "0..600000 ms"},
		{`{"profile":"generic","response":{"status":100}}`, "status", "200..599"},
		{`{"profile":"generic","response":{"status":199}}`, "status", "200..599"},
		{`{"profile":"generic","response":{"status":600}}`, "status", "200..599"},
		{`{"profile":"generic","response":{"fail_status":101}}`, "fail_status", "200..599"},
		{`{"profile":"generic","response":{"fail_first":1000001}}`, "fail_first", "0..1000000"},
		{`{"profile":"generic","response":{"fail_first":-1}}`, "fail_first", "0..1000000"},
		{`{"profile":"generic","response":{"failure_rate":1.5}}`, "failure_rate", "0..1"},
		{`{"profile":"generic","response":{"oversize_bytes":1073741825}}`, "oversize_bytes", "0..1073741824 bytes"},
		{`{"profile":"generic","response":{"oversize_bytes":1e30}}`, "oversize_bytes", "0..1073741824 bytes"},
	} {
		code, b := putRoute(t, api, "x", tc.body)
		if code != http.StatusBadRequest || !strings.Contains(b, tc.field) || !strings.Contains(b, tc.rng) {
			t.Errorf("PUT %s: %d %s, want 400 naming %s and %s", tc.body, code, strings.TrimSpace(b), tc.field, tc.rng)
		}
	}
	// Both at once: both are named.
	code, b := putRoute(t, api, "x", `{"profile":"generic","response":{"status":100,"delay_ms":9223372036854775807}}`)
	if code != http.StatusBadRequest || !strings.Contains(b, "status: 100 is outside 200..599") || !strings.Contains(b, "delay_ms: 9223372036854775807 is outside 0..600000 ms") {
		t.Errorf("status 100 with delay 2^63-1: %d %s, want 400 naming both", code, strings.TrimSpace(b))
	}
	resp, err := http.Get(api + "/api/routes/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a refused route was stored: GET answers %d", resp.StatusCode)
	}

	// The ends of the ranges are taken, and the receiver answers with them.
	if code, b := putRoute(t, api, "x", `{"profile":"generic","response":{"status":599,"delay_ms":0,"fail_first":0,"failure_rate":1,"fail_status":200}}`); code != http.StatusCreated {
		t.Fatalf("the ends of the ranges: %d %s", code, b)
	}
	if code, b := putRoute(t, api, "x", `{"response":{"status":200,"delay_ms":20}}`); code != http.StatusOK {
		t.Fatalf("status 200, delay 20: %d %s", code, b)
	}
	start := time.Now()
	hook, err := http.Post(recv+"/hooks/x", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	hook.Body.Close()
	if hook.StatusCode != 200 || time.Since(start) < 20*time.Millisecond {
		t.Errorf("route x answered %d after %s, want 200 after 20ms", hook.StatusCode, time.Since(start))
	}
}

// routesSet runs the built binary's `routes set` and returns its exit
// status and stderr.
func routesSet(t *testing.T, dbPath string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(hookscopeBinary(t), append([]string{"--db", dbPath, "routes", "set"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stderr.String()
	}
	t.Fatalf("running routes set: %v", err)
	return 0, ""
}

// TestRoutesSetRefusesNumbersOutOfRange runs `routes set` with numbers out
// of their ranges, or past int64: each exits 2 naming the flag and the
// range it takes.
func TestRoutesSetRefusesNumbersOutOfRange(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbPath := filepath.Join(t.TempDir(), "routes.db")
	for _, tc := range []struct {
		args      []string
		flag, rng string
	}{
		{[]string{"--status", "100"}, "--status", "200..599"},
		{[]string{"--status", "99999999999999999999"}, "--status", "200..599"},
		{[]string{"--fail-status", "9223372036854775807"}, "--fail-status", "200..599"},
		{[]string{"--fail-first", "99999999999999999999"}, "--fail-first", "0..1000000"},
		{[]string{"--fail-first", "-1"}, "--fail-first", "0..1000000"},
		{[]string{"--failure-rate", "1.5"}, "--failure-rate", "0..1"},
		{[]string{"--failure-rate", "NaN"}, "--failure-rate", "0..1"},
		{[]string{"--oversize", "99999999999999999999"}, "--oversize", "0..1073741824 bytes"},
		{[]string{"--seed", "99999999999999999999"}, "--seed", "-9223372036854775808..9223372036854775807"},
		{[]string{"--delay", "9223372036854775807ms"}, "--delay", "600000 ms"},
		{[]string{"--delay", "11m"}, "--delay", "600000 ms"},
		{[]string{"--delay", "-1s"}, "--delay", "600000 ms"},
	} {
		code, stderr := routesSet(t, dbPath, append([]string{"holm"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.flag) || !strings.Contains(stderr, tc.rng) {
			t.Errorf("routes set holm %s: exit %d, %q; want exit 2 naming %s and %s", strings.Join(tc.args, " "), code, strings.TrimSpace(stderr), tc.flag, tc.rng)
		}
	}
	// The ends of the ranges are taken.
	if code, stderr := routesSet(t, dbPath, "holm", "--status", "599", "--fail-status", "200", "--fail-first", "1000000", "--failure-rate", "1", "--delay", "10m", "--oversize", "1073741824"); code != 0 {
		t.Errorf("the ends of the ranges: exit %d, %s", code, stderr)
	}
}
