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

func keys(t *testing.T, lang string) map[string]string {
	var m map[string]string
	if _, err := toml.DecodeFile("active."+lang+".toml", &m); err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	return m
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

// TestEveryUsedMessageExists scans the code and templates for message IDs.
func TestEveryUsedMessageExists(t *testing.T) {
	nb := keys(t, "nb")
	var missing []string
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
		for _, m := range regexp.MustCompile(`"(Err[A-Z][A-Za-z]+)"|\.L\.T "([A-Za-z0-9_]+)"|\bl\.T\("([A-Za-z0-9_]+)"\)|Loc\(c\)\.T\("([A-Za-z0-9_]+)"\)`).FindAllStringSubmatch(string(b), -1) {
			for _, id := range m[1:] {
				if id != "" && nb[id] == "" {
					missing = append(missing, p+": "+id)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("message not defined: %s", m)
	}
}

func TestAcceptLanguage(t *testing.T) {
	for in, want := range map[string]string{"nb-NO,nb;q=0.9": "nb", "no": "nb", "nn-NO": "nn", "en-GB,en;q=0.8": "en", "sv-SE": "", "": "", "de, nn;q=0.5": "nn"} {
		if got := LangFromAcceptLanguage(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
