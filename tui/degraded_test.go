package tui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
)

// Below the free-space floor the header says so, from the counts the
// console loads in a command like every other.
func TestHeaderSaysWhenTheDiskIsLow(t *testing.T) {
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"), db.Options{MinFree: 1 << 60})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	m := newTestModel(t, d, 160, 30)
	if h := plain(m.header()); !strings.Contains(h, "disk low:") || !strings.Contains(h, "webhooks get 503") {
		t.Errorf("header below the floor:\n%s", h)
	}
	ok := newTestModel(t, openDB(t), 160, 30)
	if h := plain(ok.header()); strings.Contains(h, "disk low") {
		t.Errorf("header with room:\n%s", h)
	}
}
