package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// A word that is no command is an error (exit 2) after every group, never
// a help page that exits 0; errors say once what was being done.
func TestCLIUnknownCommandsAndErrors(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
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

// requests show says a body never read whole was not shape-checked, and
// that no answer was sent (the error says how the connection ended),
// without a latency that would read as an answer's.
func TestRequestsShowUncheckedAndUnanswered(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "show.db")
	ctx := context.Background()
	d, err := db.Open(ctx, dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &db.Request{ReceivedAt: time.Now(), Route: "holm", Method: "POST", Path: "/hooks/holm", Vendor: "unknown",
		Headers: []db.Header{}, ShapeIssues: []string{}, Body: []byte("{"), BodySize: 1 << 20, BodyTruncated: true,
		Error: "hang: the connection was held 2.1s until the client closed it", Response: db.Response{LatencyMS: 2100}}
	if err := d.Write(ctx, func(h db.Handle) error { return db.NewRequestStore().CreateRequest(ctx, h, r) }); err != nil {
		t.Fatal(err)
	}
	d.Close()
	out, err := runCLI(t, "requests", "show", "1", "--db", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Shape:     not checked: the body was not read whole", "Response: none sent\n", "held 2.1s"} {
		if !strings.Contains(out, want) {
			t.Errorf("requests show lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "matches") || strings.Contains(out, "none sent (") {
		t.Errorf("requests show claims a verdict or a latency:\n%s", out)
	}
}
