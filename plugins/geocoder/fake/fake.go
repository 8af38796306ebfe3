// Package fake is the offline geocoder (geocoder.fake): a small gazetteer of
// addresses in Kartverket's response format, matched on street address.
package fake

import (
	"context"
	_ "embed"
	"strings"
	"sync"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/plugins/geocoder/kartverket"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "geocoder.fake", New: func() app.Module { return new(Geocoder) }})
}

//go:embed data/gazetteer.json
var gazetteer []byte

// Geocoder answers from the gazetteer.
type Geocoder struct {
	once sync.Once
	err  error
	all  []geo.Address
}

func (g *Geocoder) load() { g.all, g.err = kartverket.Parse(gazetteer) }

// Validate parses the gazetteer.
func (g *Geocoder) Validate() error {
	g.once.Do(g.load)
	return g.err
}

func norm(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.NewReplacer(",", " ", ".", " ").Replace(s))), " ")
}

// Geocode returns gazetteer addresses whose street address appears in the
// query (and whose postcode does too, when the query has one).
func (g *Geocoder) Geocode(ctx context.Context, query string, limit int) ([]geo.Address, error) {
	g.once.Do(g.load)
	if g.err != nil {
		return nil, g.err
	}
	q := " " + norm(query) + " "
	var out []geo.Address
	for _, a := range g.all {
		if !strings.Contains(q, " "+norm(a.Text)+" ") {
			continue
		}
		hasPostcode := false
		for _, f := range strings.Fields(q) {
			if len(f) == 4 && strings.Trim(f, "0123456789") == "" {
				hasPostcode = true
				if f == a.Postcode {
					hasPostcode = false
					break
				}
			}
		}
		if hasPostcode {
			continue // the query names another postcode
		}
		out = append(out, a)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

var _ geo.Geocoder = (*Geocoder)(nil)
