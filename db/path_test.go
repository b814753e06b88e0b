package db

import (
	"path/filepath"
	"testing"
)

func TestDefaultPath(t *testing.T) {
	t.Setenv("HOME", "/home/someone")
	t.Setenv("XDG_DATA_HOME", "/data/xdg")
	if got, err := DefaultPath(); err != nil || got != filepath.Join("/data/xdg", "hookscope", "hookscope.db") {
		t.Errorf("with XDG_DATA_HOME: %q, %v", got, err)
	}
	for _, xdg := range []string{"", "relative/dir"} {
		t.Setenv("XDG_DATA_HOME", xdg)
		if got, err := DefaultPath(); err != nil || got != "/home/someone/.local/share/hookscope/hookscope.db" {
			t.Errorf("XDG_DATA_HOME=%q: %q, %v", xdg, got, err)
		}
	}
}
