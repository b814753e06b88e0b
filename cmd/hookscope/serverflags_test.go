package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// serve and the console take the same server flags and refuse the same
// bad values with the same words.
func TestServeAndConsoleShareServerFlags(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	root := newRootCmd()
	serve, _, err := root.Find([]string{"serve"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"listen", "api", "api-token", "forward-to", "time-scale", "min-free"} {
		c, s := root.Flags().Lookup(name), serve.Flags().Lookup(name)
		if c == nil || s == nil || c.DefValue != s.DefValue || c.Value.Type() != s.Value.Type() {
			t.Errorf("--%s: console %+v, serve %+v", name, c, s)
		}
	}
	db := filepath.Join(t.TempDir(), "h.db")
	for _, scale := range []string{"0", "-2"} {
		_, consoleErr, consoleCode := runBinary(t, "--db", db, "--time-scale", scale)
		_, serveErr, serveCode := runBinary(t, "serve", "--db", db, "--time-scale", scale)
		if consoleCode != 2 || serveCode != 2 || consoleErr != serveErr || !strings.Contains(serveErr, "--time-scale: "+scale+" is outside 0.001..100000") {
			t.Errorf("--time-scale %s: console %d %q, serve %d %q", scale, consoleCode, consoleErr, serveCode, serveErr)
		}
	}
	_, consoleErr, consoleCode := runBinary(t, "--db", db, "--min-free", "-1")
	_, serveErr, serveCode := runBinary(t, "serve", "--db", db, "--min-free", "-1")
	if consoleCode != 2 || serveCode != 2 || consoleErr != serveErr || !strings.Contains(serveErr, "--min-free") {
		t.Errorf("--min-free -1: console %d %q, serve %d %q", consoleCode, consoleErr, serveCode, serveErr)
	}
}
