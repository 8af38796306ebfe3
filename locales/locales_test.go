package locales

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// keys reads every message file of lang into one map; an ID defined in two
// files fails the test.
func keys(t *testing.T, lang string) map[string]string {
	t.Helper()
	all := map[string]string{}
	from := map[string]string{}
	names := Files(lang)
	if len(names) == 0 {
		t.Fatalf("%s: no message files", lang)
	}
	for _, name := range names {
		var m map[string]string
		if _, err := toml.DecodeFile(name, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, v := range m {
			if prev, ok := from[k]; ok {
				t.Errorf("%s is defined in both %s and %s", k, prev, name)
			}
			from[k] = name
			all[k] = v
		}
	}
	return all
}

// TestNoMessageDefinedTwice: every language has the same files, and no ID is
// defined in two of them (keys fails on a duplicate).
func TestNoMessageDefinedTwice(t *testing.T) {
	feature := func(lang string) []string {
		var out []string
		for _, n := range Files(lang) {
			out = append(out, strings.TrimSuffix(n, "."+lang+".toml"))
		}
		return out
	}
	want := strings.Join(feature(Default), ",")
	for _, l := range Supported {
		keys(t, l)
		if got := strings.Join(feature(l), ","); got != want {
			t.Errorf("%s has message files %s, Bokmål %s", l, got, want)
		}
	}
}

// TestSameMessagesInEveryLanguage: Bokmål, Nynorsk and English define the same IDs, none empty.
func TestSameMessagesInEveryLanguage(t *testing.T) {
	nb := keys(t, "nb")
	for _, lang := range []string{"nn", "en"} {
		other := keys(t, lang)
		for k := range nb {
			if strings.TrimSpace(other[k]) == "" {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
		for k := range other {
			if _, ok := nb[k]; !ok {
				t.Errorf("%s has %s, which Bokmål lacks", lang, k)
			}
		}
	}
	if len(nb) < 250 {
		t.Fatalf("only %d messages", len(nb))
	}
}

// usage is one way the code and templates name a message; the scan below
// must find each in use, or its pattern has gone stale and checks nothing.
var usage = []struct{ form, pattern string }{
	{`"ErrX" (error codes)`, `"(Err[A-Z][A-Za-z]+)"`},
	{`.L.T "X" (templates)`, `\.L\.T "([A-Za-z0-9_]+)"`},
	{`l.T("X")`, `\bl\.T\("([A-Za-z0-9_]+)"\)`},
	{`Loc(c).T("X")`, `Loc\(c\)\.T\("([A-Za-z0-9_]+)"\)`},
}

// TestEveryUsedMessageExists scans the code and templates for message IDs.
// It fails if the scan finds no files, or no use of any one form: a scan that
// finds nothing proves nothing.
func TestEveryUsedMessageExists(t *testing.T) {
	nb := keys(t, "nb")
	res := make([]*regexp.Regexp, len(usage))
	for i, u := range usage {
		res[i] = regexp.MustCompile(u.pattern)
	}
	var missing []string
	found := make([]int, len(usage)) // IDs checked per form
	files := map[string]int{}        // files scanned per extension
	err := filepath.Walk("..", func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() && (info.Name() == "node_modules" || info.Name() == ".git" || info.Name() == "vendor") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, ".html") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.Ext(p)]++
		for i, re := range res {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				found[i]++
				if nb[m[1]] == "" {
					missing = append(missing, p+": "+m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files[".go"] == 0 || files[".html"] == 0 {
		t.Fatalf("the scan read %d Go files and %d templates: it must read the code and the templates", files[".go"], files[".html"])
	}
	for i, u := range usage {
		if found[i] == 0 {
			t.Errorf("the scan found no message used as %s: the pattern %s is stale and checks nothing", u.form, u.pattern)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("message not defined: %s", m)
	}
	t.Logf("checked %v message uses in %d Go files and %d templates", found, files[".go"], files[".html"])
}

func TestAcceptLanguage(t *testing.T) {
	for in, want := range map[string]string{"nb-NO,nb;q=0.9": "nb", "no": "nb", "nn-NO": "nn", "en-GB,en;q=0.8": "en", "sv-SE": "", "": "", "de, nn;q=0.5": "nn"} {
		if got := LangFromAcceptLanguage(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
