package limits

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// Every limit declared in limits.go has a row in docs/security.md's Limits
// table, naming it in backticks, and every name the table gives is
// declared: one table lists every limit, and it stays true.
func TestEveryLimitIsDocumented(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "limits.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range g.Specs {
			if v, ok := s.(*ast.ValueSpec); ok {
				for _, n := range v.Names {
					if n.IsExported() {
						declared[n.Name] = true
					}
				}
			}
		}
	}
	doc, err := os.ReadFile("../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	table := limitsTable(string(doc))
	if len(table) == 0 {
		t.Fatal("docs/security.md has no Limits table (a `## Limits` section with a table)")
	}
	named := map[string]bool{}
	for _, row := range table {
		cells := strings.Split(strings.Trim(row, "| "), "|")
		last := strings.TrimSpace(cells[len(cells)-1])
		for _, n := range strings.Split(last, ",") {
			n = strings.Trim(strings.TrimSpace(n), "`")
			if strings.HasPrefix(n, "limits.") {
				named[strings.TrimPrefix(n, "limits.")] = true
			}
		}
		if len(cells) < 5 {
			t.Errorf("row %q: want what, default, flag, past it, name", row)
		}
	}
	for n := range declared {
		if !named[n] {
			t.Errorf("limits.%s has no row in docs/security.md's Limits table", n)
		}
	}
	for n := range named {
		if !declared[n] {
			t.Errorf("docs/security.md's Limits table names limits.%s, which limits.go does not declare", n)
		}
	}
}

// limitsTable is the rows (past the heading and rule) of the first table
// under "## Limits".
func limitsTable(doc string) []string {
	_, rest, ok := strings.Cut(doc, "\n## Limits")
	if !ok {
		return nil
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	var rows []string
	seen := 0
	for _, line := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(line, "|") {
			if seen > 0 {
				break
			}
			continue
		}
		seen++
		if seen > 2 {
			rows = append(rows, line)
		}
	}
	return rows
}
