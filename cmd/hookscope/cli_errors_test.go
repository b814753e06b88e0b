package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A word that is no command is an error (exit 2) after every group, never
// a help page that exits 0; errors say once what was being done.
func TestCLIUnknownCommandsAndErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbPath := filepath.Join(t.TempDir(), "cli.db")
	for _, args := range [][]string{
		{"frob"},
		{"routes", "frob"},
		{"routes", "show", "holm"},
		{"requests", "frob"},
		{"endpoints", "frob"},
		{"deliveries", "frob"},
		{"fixtures", "frob"},
	} {
		out, errOut, code := runBinary(t, append(args, "--db", dbPath)...)
		if code != 2 || !strings.Contains(errOut, "unknown command") || strings.Contains(out, "Usage") {
			t.Errorf("%q: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
		}
	}
	// A group run bare still shows its help.
	if out, _, code := runBinary(t, "routes", "--db", dbPath); code != 0 || !strings.Contains(out, "Usage") {
		t.Errorf("routes: exit %d, %s", code, out)
	}

	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"endpoints", "show", "999"}, "loading endpoint 999: not found", 1},
		{[]string{"endpoints", "show", "nosuch"}, `loading endpoint "nosuch": not found`, 1},
		{[]string{"deliveries", "show", "999"}, "loading delivery 999: not found", 1},
		{[]string{"deliveries", "list", "--status", "bogus"}, "one of pending, retrying, succeeded, failed, skipped", 2},
		{[]string{"deliveries", "list", "--vendor", "acme"}, `unknown vendor "acme"`, 2},
		{[]string{"requests", "list", "--vendor", "acme"}, `unknown vendor "acme"`, 2},
	} {
		_, errOut, code := runBinary(t, append(tc.args, "--db", dbPath)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, %q; want exit %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
		// What was being done is said once.
		for _, doing := range []string{"loading endpoint", "loading delivery"} {
			if strings.Count(errOut, doing) > 1 {
				t.Errorf("%q: %q said twice: %s", tc.args, doing, errOut)
			}
		}
	}
}
