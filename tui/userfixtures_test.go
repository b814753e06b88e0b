package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/fixtures"
)

// The Fixtures view lists the user's own fixtures, marked as theirs, and
// previews them rendered from their file.
func TestFixturesViewShowsUserFixtures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "policycortex", "custom.audit.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"id":"{{id:evt_}}","type":"custom.audit","created":1,"data":{"who":"me"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	set, problems := fixtures.LoadUserDir(dir)
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	fixtures.UseUserFixtures(set)
	t.Cleanup(func() { fixtures.UseUserFixtures(nil) })
	d := openDB(t)
	m := newTestModel(t, d, 120, 40)
	press(t, m, "4")
	found := false
	for i, f := range m.fix.rows {
		if f.info.Type == "custom.audit" {
			m.fix.cursor, found = i, true
		}
	}
	if !found {
		t.Fatal("the user's fixture is not in the Fixtures view")
	}
	run(t, m, m.syncDetail(true))
	s := screen(m)
	for _, want := range []string{"custom.audit (yours)", "shape      yours:", `"who"`} {
		if !strings.Contains(s, want) {
			t.Errorf("the view lacks %q:\n%s", want, s)
		}
	}
	f, _ := m.fix.selected()
	if detail := m.r.renderFixture(f, t0); !strings.Contains(detail, path) {
		t.Errorf("the detail does not name the file %s:\n%s", path, detail)
	}
}
