package web

import (
	"testing"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/tenants"
)

// TestEnumLabels: every value the UI prints through a prefixed label has a
// message in every language.
func TestEnumLabels(t *testing.T) {
	b := locales.MustBundle()
	sets := map[string][]string{
		"Kind_":           append(append([]string{}, directory.OrgKinds...), directory.SiteKinds...),
		"Service_":        directory.TransportServices,
		"Phase_":          directory.ProjectPhases,
		"FacilityType_":   directory.FacilityTypes,
		"PermitKind_":     directory.PermitKinds,
		"Body_":           directory.BodyTypes,
		"Euro_":           directory.EuroClasses,
		"Fuel_":           directory.Fuels,
		"Role_":           auth.AllRoles,
		"Status_":         append([]string{"pending", "approved", "rejected"}, market.Statuses...),
		"ListingKind_":    market.Kinds,
		"Fraction_":       fractionCodes(),
		"Unit_":           market.Units,
		"Transport_":      market.Transports,
		"Use_":            market.Uses,
		"Rock_":           market.RockTypes,
		"MemberRole_":     {"member", "admin"},
		"Effect_":         {"allow", "deny"},
		"Lang_":           locales.Supported,
		"RegistryStatus_": {"bankrupt", "liquidation", "deleted", "unknown"},
		"Scope_":          auth.AllScopes,
		"Act_":            {"read", "create", "update", "delete", "write", "approve", "request", "manage", "admin", "view", "all"},
	}
	objs := []string{"all"}
	for o := range tenants.Permissions {
		objs = append(objs, o)
	}
	sets["Obj_"] = objs
	for _, lang := range locales.Supported {
		l := locales.New(b, lang)
		for prefix, vals := range sets {
			for _, v := range vals {
				if !l.Has(prefix + v) {
					t.Errorf("%s: no label %s%s", lang, prefix, v)
				}
			}
		}
	}
}

// TestTemplatesParse: every page template parses with the layout.
func TestTemplatesParse(t *testing.T) {
	pagesOnce.Do(loadPages)
	if pagesErr != nil {
		t.Fatal(pagesErr)
	}
	if len(pages) < 15 {
		t.Fatalf("only %d pages", len(pages))
	}
}
