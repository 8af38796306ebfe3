package archtest

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/masseflyt/masseflyt/"

// leaves may be imported from core/: they import nothing of this module.
var leaves = map[string]bool{module + "locales": true}

// debt lists the core packages that still break the rule, with what they
// import, while the domain is being taken off the HTTP request (issue 9).
// The list may only shrink: a package that breaks the rule and is not
// listed fails the test, and so does a listed package that no longer does
// (take it off the list).
var debt = map[string]bool{}

func TestCoreImportsNothingAbove(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"core/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	breaking := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		seen++
		pkg := strings.TrimPrefix(fields[0], module)
		var bad []string
		for _, imp := range fields[1:] {
			switch {
			case strings.HasPrefix(imp, "github.com/gofiber/"), strings.HasPrefix(imp, "github.com/valyala/fasthttp"):
				bad = append(bad, imp)
			case strings.HasPrefix(imp, module) && !strings.HasPrefix(imp, module+"core/") && !leaves[imp]:
				bad = append(bad, strings.TrimPrefix(imp, module))
			}
		}
		if len(bad) == 0 {
			continue
		}
		breaking[pkg] = true
		if !debt[pkg] {
			sort.Strings(bad)
			t.Errorf("%s imports %s: the domain knows nothing of HTTP or of the adapters above it", pkg, strings.Join(bad, ", "))
		}
	}
	if seen < 10 {
		t.Fatalf("go list saw only %d core packages", seen)
	}
	for pkg := range debt {
		if !breaking[pkg] {
			t.Errorf("%s keeps the rule now: take it off the debt list", pkg)
		}
	}
}
