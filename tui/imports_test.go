package tui

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/cmd/app"
)

// The wiring's adapter is the console's Actions over the running sender
// and receiver.
var _ Actions = app.ConsoleActions{}

const module = "github.com/hookscope/hookscope/"

// imports lists the packages of this project that the non-test files of
// the package in dir import, as paths inside the module ("db", "cmd/app").
func imports(t *testing.T, dir string) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no Go file in %s", dir)
	}
	out := map[string][]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		pf, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range pf.Imports {
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if rest, ok := strings.CutPrefix(p, module); ok {
				out[rest] = append(out[rest], filepath.Base(f))
			}
		}
	}
	return out
}

// TestImportsPointDown: the console depends on its own interfaces (Source,
// Actions) and on the types below it, never on what runs (the sender, the
// receiver, the API) nor on the wiring, which adapts them for it; the
// leaf packages import nothing of the project.
func TestImportsPointDown(t *testing.T) {
	for _, dir := range []string{".", "keys", "styles"} {
		for p, files := range imports(t, dir) {
			for _, above := range []string{"sender", "receiver", "api", "cmd"} {
				if p == above || strings.HasPrefix(p, above+"/") {
					t.Errorf("tui/%s imports %s (in %s): the console reaches it only through its Source and Actions", dir, p, strings.Join(files, ", "))
				}
			}
		}
	}
	for _, leaf := range []string{"sanitize", "pubsub", "limits"} {
		for p, files := range imports(t, filepath.Join("..", leaf)) {
			t.Errorf("%s imports %s (in %s): it imports nothing of the project", leaf, p, strings.Join(files, ", "))
		}
	}
	// validate is below the sender, the receiver, the API and the console,
	// which all check their input by it.
	for p, files := range imports(t, filepath.Join("..", "validate")) {
		switch p {
		case "db", "fixtures", "limits", "sanitize":
		default:
			t.Errorf("validate imports %s (in %s): it imports only db, fixtures, limits and sanitize", p, strings.Join(files, ", "))
		}
	}
}
