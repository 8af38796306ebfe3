package locales

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/fail"
)

// fieldUses are the ways the code names an input field in a validation
// error: Validation.Add with a literal name, the validation helpers that take
// (v, "name", …), the listing closures str/num, and literal suffixes of
// built paths ("lines["+i+"].quantity", field+".value").
var fieldUses = []string{
	`\.Add\("([a-z][a-z0-9_.\[\]]*)", "`,
	`\b[a-z][A-Za-z]*\(v, "([a-z][a-z0-9_.\[\]]*)"`,
	`\b(?:str|num|numQ)\("([a-z][a-z0-9_]*)"[,)]`,
	`\.Add\([^\n]*"\]?\.([a-z][a-z0-9_]*)", "`,
}

// TestEveryFieldHasALabel: every field a validation error can name has a
// label (LabelX) in Bokmål, Nynorsk and English, so no message shows an
// internal field name.
func TestEveryFieldHasALabel(t *testing.T) {
	langs := map[string]map[string]string{}
	for _, l := range Supported {
		langs[l] = keys(t, l)
	}
	res := make([]*regexp.Regexp, len(fieldUses))
	for i, p := range fieldUses {
		res[i] = regexp.MustCompile(p)
	}
	found := make([]int, len(fieldUses))
	labels := map[string]string{} // label ID → where first used
	err := filepath.Walk("..", func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() && (info.Name() == "node_modules" || info.Name() == ".git" || info.Name() == "vendor" || info.Name() == "apidoc") { // apidoc: schema helpers, not validation
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, re := range res {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				name := strings.TrimSuffix(m[1], "[")
				if name == "" {
					continue
				}
				found[i]++
				id := fail.LabelID(fail.Pointer(name))
				if _, ok := labels[id]; !ok {
					labels[id] = p + ": " + m[1]
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range fieldUses {
		if found[i] == 0 {
			t.Errorf("the scan found no field named as %s: the pattern is stale and checks nothing", p)
		}
	}
	if len(labels) < 50 {
		t.Errorf("the scan found only %d field labels", len(labels))
	}
	var missing []string
	for id, where := range labels {
		for _, l := range Supported {
			if strings.TrimSpace(langs[l][id]) == "" {
				missing = append(missing, l+" lacks "+id+" ("+where+")")
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error(m)
	}
	t.Logf("checked %d field labels", len(labels))
}
