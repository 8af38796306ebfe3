package clock_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneClock enforces the rule: no code under core/ (tests aside) reads
// time.Now, time.Since or time.Until. Business time comes from a Clock;
// elapsed time and deadlines from clock.Real.
func TestOneClock(t *testing.T) {
	root := filepath.Join("..")
	fset := token.NewFileSet()
	var files, hits int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || path == filepath.Join(root, "clock") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files++
		timeName := ""
		for _, im := range f.Imports {
			if im.Path.Value == `"time"` {
				timeName = "time"
				if im.Name != nil {
					timeName = im.Name.Name
				}
			}
		}
		if timeName == "" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == timeName {
				switch sel.Sel.Name {
				case "Now", "Since", "Until":
					hits++
					t.Errorf("%s: time.%s: read business time from the Clock (store.DB.Now, a service's now) or elapsed time from clock.Real", fset.Position(sel.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 30 {
		t.Fatalf("scanned only %d files under core/: the walk is broken", files)
	}
}
