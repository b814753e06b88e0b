package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// TestEndpointFlagsBoundedNamingTheFlag: an endpoint's numeric flags are
// read by their ranges in limits: out of range or overflowing is exit
// status 2 naming the flag and its range.
func TestEndpointFlagsBoundedNamingTheFlag(t *testing.T) {
	dbPath := senderDB(t)
	base := []string{"--db", dbPath, "endpoints", "add", "--name", "x", "--profile", "policycortex", "--url", "http://127.0.0.1:9/x"}
	for _, c := range []struct{ flag, value, want string }{
		{"--max-attempts", "2147483648", "--max-attempts: 2147483648 is outside 0..100"},
		{"--max-attempts", "50000000", "--max-attempts: 50000000 is outside 0..100"},
		{"--max-attempts", "99999999999999999999", "--max-attempts: 99999999999999999999 is outside 0..100"},
		{"--backoff-multiplier", "1e308", "--backoff-multiplier: 1e+308 is outside 1..10"},
		{"--backoff-multiplier", "0.5", "--backoff-multiplier: 0.5 is outside 1..10"},
		{"--timeout", "1000", "--timeout: 1000 is outside 0..100 s"},
		{"--timeout", "ten", `--timeout: "ten" is not a number in 0..100 s`},
	} {
		_, err := runCLI(t, append(base, c.flag, c.value)...)
		if err == nil || exitCode(err) != 2 || err.Error() != c.want {
			t.Errorf("%s %s: %v (exit %d), want %q", c.flag, c.value, err, exitCode(err), c.want)
		}
	}
}

// TestStoredOutOfRangeEndpointShownInvalid: the API refuses the retry
// rule of issue #21 with a 400 naming the field and its range; the same
// values written straight into the file by SQL neither crash nor blow up
// `endpoints list` or a real serve's GET /api/endpoints/NAME, which say the
// values are invalid.
func TestStoredOutOfRangeEndpointShownInvalid(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	dbPath := senderDB(t)
	_, _, api := startServe(t, dbPath)
	body := `{"name": "huge", "url": "http://127.0.0.1:9/x", "profile": "policycortex", "secret": "s",
		"retry": {"max_attempts": 2147483648, "backoff_multiplier": 1e308}}`
	resp, err := http.Post(api+"/api/endpoints", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(msg), "retry.max_attempts: 2147483648 is outside 0..100") {
		t.Fatalf("POST: %d %s, want 400 naming retry.max_attempts and 0..100", resp.StatusCode, msg)
	}

	if _, err := runCLI(t, "--db", dbPath, "endpoints", "add", "--name", "huge", "--profile", "policycortex", "--url", "http://127.0.0.1:9/x", "--secret", "s"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := db.Open(ctx, dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Write(ctx, func(tx db.Handle) error {
		_, err := tx.ExecContext(ctx, `UPDATE endpoints SET retry = ?, timeout_seconds = ? WHERE name = 'huge'`,
			`{"max_attempts": 2147483648, "backoff_multiplier": 1e308}`, 1<<40)
		return err
	})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}

	// The built binary, as a user runs it, bounded in time.
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(cctx, hookscopeBinary(t), "--db", dbPath, "endpoints", "list").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "invalid: timeout_seconds: 1099511627776 is outside 0..100 s") ||
		!strings.Contains(string(out), "retry.max_attempts: 2147483648 is outside 0..100") {
		t.Fatalf("endpoints list: %v\n%s", err, out)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("endpoints list took %v", took)
	}

	resp, err = http.Get(api + "/api/endpoints/huge")
	if err != nil {
		t.Fatal(err)
	}
	var view struct {
		Retry   db.RetryConfig `json:"retry"`
		Invalid []string       `json:"invalid"`
	}
	err = json.NewDecoder(resp.Body).Decode(&view)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(view.Invalid) != 3 || view.Retry.MaxAttempts != 3 {
		t.Fatalf("GET: %d %+v (%v), want the profile's rule and 3 invalid values", resp.StatusCode, view, err)
	}
	if !strings.Contains(view.Invalid[2], "retry.backoff_multiplier: 1e+308 is outside 1..10") {
		t.Errorf("invalid %q", view.Invalid)
	}
}
