package main

import (
	"strings"
	"testing"

	"github.com/hookscope/hookscope/fixtures"
)

// TestHelpNamesEveryProfile: the help texts that list the vendors are
// written from the registry, so every registered profile is named in
// each (a new profile needs no edit of the CLI), and check's list of
// scenarios keeps within the help's width.
func TestHelpNamesEveryProfile(t *testing.T) {
	root := newRootCmd()
	find := func(path ...string) string {
		t.Helper()
		c, _, err := root.Find(path)
		if err != nil || c.Name() != path[len(path)-1] {
			t.Fatalf("no command %q: %v", path, err)
		}
		return c.Long
	}
	usage := func(flag string, path ...string) string {
		t.Helper()
		find(path...)
		c, _, _ := root.Find(path)
		f := c.Flags().Lookup(flag)
		if f == nil {
			t.Fatalf("%q has no --%s", path, flag)
		}
		return f.Usage
	}
	texts := map[string]string{
		"check --help":               find("check"),
		"endpoints add --profile":    usage("profile", "endpoints", "add"),
		"endpoints update --profile": usage("profile", "endpoints", "update"),
		"requests list --vendor":     usage("vendor", "requests", "list"),
	}
	for _, p := range fixtures.All() {
		for what, text := range texts {
			if !strings.Contains(text, p.Name()) {
				t.Errorf("%s does not name the profile %s:\n%s", what, p.Name(), text)
			}
		}
		if !strings.Contains(strings.Join(strings.Fields(root.Long), " "), p.Title()) {
			t.Errorf("hookscope --help does not name %s:\n%s", p.Title(), root.Long)
		}
	}
	for _, line := range strings.Split(find("check"), "\n") {
		if len(line) > helpWidth {
			t.Errorf("check --help has a line of %d bytes (at most %d): %q", len(line), helpWidth, line)
		}
	}
}
