package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Every numeric flag and ID argument is read by its range in limits: a
// value outside it, past int64 or no number at all exits 2 naming the flag
// and the range, before anything is opened or sent; a search text past
// limits.SearchText too, and one exactly at it is searched.
func TestCLINumbersAtTheEdge(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "cli.db")
	send := []string{"send", "holm", "finished_scan", "--to", "http://127.0.0.1:9/", "--db", dbPath}
	ids := "1..9223372036854775807"
	for _, c := range []struct {
		args []string
		want string
	}{
		{append(send, "--count", "99999999999"), "--count: 99999999999 is outside 0..1000000"},
		{append(send, "--count", "99999999999999999999"), "--count: 99999999999999999999 is outside 0..1000000"},
		{append(send, "--count", "-1"), "--count: -1 is outside 0..1000000"},
		{append(send, "--count", "ten"), `--count: "ten" is not a number in 0..1000000`},
		{append(send, "--concurrency", "0"), "--concurrency: 0 is outside 1..1000"},
		{append(send, "--concurrency", "100000"), "--concurrency: 100000 is outside 1..1000"},
		{append(send, "--rate", "-1"), "--rate: -1 is outside 0..100000 per s"},
		{append(send, "--rate", "NaN"), "--rate: NaN is outside 0..100000 per s"},
		{append(send, "--time-scale", "0"), "--time-scale: 0 is outside 0.001..100000"},
		{append(send, "--time-scale", "1e308"), "--time-scale: 1e+308 is outside 0.001..100000"},
		{append(send, "--time-scale", "1e309"), `--time-scale: 1e309 is outside 0.001..100000`},
		{append(send, "--timeout", "101"), "--timeout: 101 is outside 0..100 s"},
		{[]string{"serve", "--db", dbPath, "--time-scale", "-2"}, "--time-scale: -2 is outside 0.001..100000"},
		{[]string{"--db", dbPath, "--time-scale", "0"}, "--time-scale: 0 is outside 0.001..100000"},
		{[]string{"check", "holm", "--to", "http://127.0.0.1:9/", "--db", dbPath, "--timeout-seconds", "-5"}, "--timeout-seconds: -5 is outside 0..100 s"},
		{[]string{"requests", "list", "--db", dbPath, "--limit", "-1"}, "--limit: -1 is outside 1..1000"},
		{[]string{"requests", "list", "--db", dbPath, "--limit", "1001"}, "--limit: 1001 is outside 1..1000"},
		{[]string{"requests", "list", "--db", dbPath, "--before", "-4"}, "--before: -4 is outside " + ids},
		{[]string{"requests", "list", "--db", dbPath, "--search", strings.Repeat("a", 1025)}, "--search: 1025 is outside 0..1024 bytes"},
		{[]string{"deliveries", "list", "--db", dbPath, "--limit", "-1"}, "--limit: -1 is outside 1..1000"},
		{[]string{"deliveries", "list", "--db", dbPath, "--before", "99999999999999999999"}, "--before: 99999999999999999999 is outside " + ids},
		{[]string{"deliveries", "list", "--db", dbPath, "--search", strings.Repeat("a", 100_000)}, "--search: 100000 is outside 0..1024 bytes"},
		{[]string{"requests", "show", "99999999999999999999", "--db", dbPath}, "request ID: 99999999999999999999 is outside " + ids},
		{[]string{"requests", "show", "0", "--db", dbPath}, "request ID: 0 is outside " + ids},
		{[]string{"requests", "replay", "--to", "http://127.0.0.1:9/", "--db", dbPath, "--", "-7"}, "request ID: -7 is outside " + ids},
		{[]string{"deliveries", "show", "99999999999999999999", "--db", dbPath}, "delivery ID: 99999999999999999999 is outside " + ids},
		{[]string{"deliveries", "retry", "x", "--db", dbPath}, `delivery ID: "x" is not a number in ` + ids},
		{[]string{"prune", "--older-than", "100000d", "--yes", "--db", dbPath}, "--older-than: 100000 is outside 1..99999 days"},
		{[]string{"prune", "--older-than", "0d", "--yes", "--db", dbPath}, "--older-than: 0 is outside 1..99999 days"},
	} {
		out, errOut, code := runBinary(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%.120q: exit %d, stderr %q, stdout %.200q; want exit 2 with %q", c.args, code, errOut, out, c.want)
		}
	}
	// At the limit: a 1024-byte search text is searched (nothing matches).
	for _, list := range []string{"requests", "deliveries"} {
		if out, errOut, code := runBinary(t, list, "list", "--db", dbPath, "--search", strings.Repeat("a", 1024), "--limit", "1000"); code != 0 {
			t.Errorf("%s list with a 1024-byte --search and --limit 1000: exit %d %s %s", list, code, out, errOut)
		}
	}
	if out, errOut, code := runBinary(t, "prune", "--older-than", "99999d", "--yes", "--db", dbPath); code != 0 {
		t.Errorf("prune --older-than 99999d: exit %d %s %s", code, out, errOut)
	}
}
