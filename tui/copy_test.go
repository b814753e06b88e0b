package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// y opens the copy menu: the body, every header, one header, a curl
// command or the id; the text goes out by OSC 52 and into a file the
// status line names; esc copies nothing.
func TestCopyMenu(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	d := openDB(t)
	seedRequest(t, d, 1, `{"a":"\u00e9"}`)
	ep := seedEndpoint(t, d, "cs-prod", "codescoring", true)
	seedDelivery(t, d, ep, 2, nil)
	m := newTestModel(t, d, 120, 40)
	file := filepath.Join(dir, "hookscope", copyFileName)
	read := func() string {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("the copy file: %v\n%s", err, screen(m))
		}
		return string(b)
	}

	press(t, m, "y", "esc")
	if _, err := os.Stat(file); err == nil || !strings.Contains(screen(m), "nothing was saved") {
		t.Fatalf("esc copied something:\n%s", screen(m))
	}
	press(t, m, "y")
	if s := screen(m); !strings.Contains(s, "Copy from request #1") || !strings.Contains(s, "header X-PolicyCortex-Signature") {
		t.Fatalf("the menu:\n%s", s)
	}
	press(t, m, "down", "down", "down", "down", "down", "enter") // the signature header
	if got := read(); got != "sha256=ab12" {
		t.Fatalf("copied %q", got)
	}
	if s := screen(m); !strings.Contains(s, "✓ copied the header X-PolicyCortex-Signature of request #1 (OSC 52; also in ") {
		t.Fatalf("status:\n%s", s)
	}
	press(t, m, "y", "enter") // the body, exactly
	if got := read(); got != `{"a":"\u00e9"}` {
		t.Fatalf("copied body %q", got)
	}
	// From a delivery: the attempt shown, its headers.
	press(t, m, "2", "[", "y", "down", "enter")
	if got := read(); got != "X-CodeScoring-Authentication: tok" || !strings.Contains(screen(m), "of delivery #1 attempt 1") {
		t.Fatalf("copied %q\n%s", got, screen(m))
	}
}
