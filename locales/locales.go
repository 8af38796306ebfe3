// Package locales embeds the go-i18n message files: Norwegian Bokmål (the
// default), Nynorsk and English.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Messages live in one file per feature and language: NAME.LANG.toml
// ("active.nb.toml", "dialog.nb.toml", …). An ID defined twice for one
// language is a defect (TestNoMessageDefinedTwice).
//
//go:embed *.toml
var files embed.FS

// Files returns the message files of one language, sorted.
func Files(lang string) []string {
	names, _ := fs.Glob(files, "*."+lang+".toml")
	sort.Strings(names)
	return names
}

// Supported lists the UI languages, default first.
var Supported = []string{"nb", "nn", "en"}

// Default is the fallback language.
const Default = "nb"

// NewBundle loads every message file.
func NewBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Norwegian)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, l := range Supported {
		for _, name := range Files(l) {
			if _, err := b.LoadMessageFileFS(files, name); err != nil {
				return nil, fmt.Errorf("load %s: %w", name, err)
			}
		}
	}
	return b, nil
}

// MustBundle is NewBundle that panics: the files are embedded, so failure is a build defect.
func MustBundle() *i18n.Bundle {
	b, err := NewBundle()
	if err != nil {
		panic(err)
	}
	return b
}

// IsSupported reports whether l is a UI language.
func IsSupported(l string) bool {
	for _, s := range Supported {
		if s == l {
			return true
		}
	}
	return false
}

// Localizer wraps an i18n.Localizer with a never-failing T.
type Localizer struct {
	Lang string
	l    *i18n.Localizer
}

type locKey struct {
	b    *i18n.Bundle
	lang string
}

var localizers sync.Map // locKey → *Localizer

// New returns the localizer for lang (falling back to Bokmål). Localizers are
// immutable and shared between requests.
func New(b *i18n.Bundle, lang string) *Localizer {
	if !IsSupported(lang) {
		lang = Default
	}
	key := locKey{b, lang}
	if l, ok := localizers.Load(key); ok {
		return l.(*Localizer)
	}
	l := &Localizer{Lang: lang, l: i18n.NewLocalizer(b, lang, Default)}
	localizers.Store(key, l)
	return l
}

// T translates id with optional template data given as key, value pairs.
// A missing message returns the id itself so a defect is visible, not silent.
func (l *Localizer) T(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil || s == "" {
		return id
	}
	return s
}

// Has reports whether id translates in this localizer's language.
func (l *Localizer) Has(id string) bool {
	_, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id})
	return err == nil
}

// LangFromAcceptLanguage picks the first supported language in an
// Accept-Language header ("no" and "nb-NO" count as Bokmål).
func LangFromAcceptLanguage(h string) string {
	for _, part := range strings.Split(h, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		base := strings.SplitN(tag, "-", 2)[0]
		switch base {
		case "nb", "no":
			return "nb"
		case "nn":
			return "nn"
		case "en":
			return "en"
		}
	}
	return ""
}

var (
	sharedOnce sync.Once
	shared     *i18n.Bundle
)

// Shared is one bundle for the whole process, built on first use: for
// code that renders text outside a request (exports, PDFs, mails).
func Shared() *i18n.Bundle {
	sharedOnce.Do(func() { shared = MustBundle() })
	return shared
}
