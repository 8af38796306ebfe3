// Package fake is the offline business register (bizreg.fake): it serves
// Enhetsregisteret v2 documents from embedded files through the same parser
// as bizreg.brreg. recorded-*.json are real responses of the live API;
// demo-units.json holds the fictional companies of the test fixtures
// (internal/fixtures, several also in the demo) and demo-world-units.json
// those only the demo world (internal/demo) has, in the same format, all
// with MOD11-valid numbers.
package fake

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/plugins/bizreg/brreg"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "bizreg.fake", New: func() app.Module { return New() }})
}

//go:embed data/*.json
var data embed.FS

// Registry answers from the embedded documents.
type Registry struct {
	once  sync.Once
	err   error
	units map[string]json.RawMessage
}

// New returns the offline registry.
func New() *Registry { return &Registry{} }

func (r *Registry) load() {
	r.units = map[string]json.RawMessage{}
	entries, err := data.ReadDir("data")
	if err != nil {
		r.err = err
		return
	}
	for _, e := range entries {
		b, err := data.ReadFile("data/" + e.Name())
		if err != nil {
			r.err = err
			return
		}
		if strings.HasPrefix(e.Name(), "recorded-") {
			num := strings.TrimSuffix(strings.TrimPrefix(e.Name(), "recorded-"), ".json")
			r.units[num] = b
			continue
		}
		var list []json.RawMessage
		if err := json.Unmarshal(b, &list); err != nil {
			r.err = fmt.Errorf("%s: %w", e.Name(), err)
			return
		}
		for _, raw := range list {
			var head struct {
				Organisasjonsnummer string `json:"organisasjonsnummer"`
			}
			if err := json.Unmarshal(raw, &head); err != nil {
				r.err = err
				return
			}
			r.units[head.Organisasjonsnummer] = raw
		}
	}
}

// Validate loads the documents so a broken file fails at start.
func (r *Registry) Validate() error {
	r.once.Do(r.load)
	return r.err
}

// Lookup returns the unit or ErrRegistryNotFound; deleted units answer like
// the live API's 410 Gone.
func (r *Registry) Lookup(ctx context.Context, orgNumber string) (*directory.RegistryUnit, error) {
	r.once.Do(r.load)
	if r.err != nil {
		return nil, r.err
	}
	raw, ok := r.units[orgNumber]
	if !ok {
		return nil, directory.ErrRegistryNotFound
	}
	u, err := brreg.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Deleted {
		return nil, directory.ErrRegistryGone
	}
	return u, nil
}

var _ directory.Registry = (*Registry)(nil)
