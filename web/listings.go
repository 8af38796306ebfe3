package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// The market's pages: the list (here), the listing form (listing_form.go),
// the listing page with its status actions (listing_show.go), samples and
// documents (listing_quality.go) and the mass handling plan (plan.go). The
// route table (routes.go) checks each page's permission; the market's row
// rules decide the rest.

// ListingsData feeds the market list.
type ListingsData struct {
	Items               []any
	Kind, Fraction      string
	From, To            string
	Kinds, Fractions    []string
	CanCreate           bool
	PublicCount, Member bool
	// NextCursor leads to the next page of the list.
	NextCursor string
	// Owner filters by the owning organization (?owner=ID); Mine is "Bare
	// mine" (?mine=1): the caller's organization (the first, with several).
	Owner  string
	Mine   bool
	HasOrg bool
}

// listingPage is how many listings a page of the list shows.
const listingPage = 50

func (u *UI) listingList(c *fiber.Ctx) error {
	d := ListingsData{Kind: c.Query("kind"), Fraction: c.Query("fraction"), From: c.Query("from"), To: c.Query("to"), Kinds: market.Kinds, Fractions: fractionCodes()}
	f := market.Filter{}
	if inList(d.Kind, market.Kinds) {
		f.Kind = d.Kind
	} else {
		d.Kind = ""
	}
	if _, ok := market.FractionByCode(d.Fraction); ok {
		f.Fraction = d.Fraction
	} else {
		d.Fraction = ""
	}
	d.Owner, d.Mine, d.HasOrg = c.Query("owner"), c.Query("mine") == "1", len(request.Principal(c).Orgs) > 0
	if d.Mine && d.HasOrg && d.Owner == "" {
		d.Owner = firstOrg(request.Principal(c).Orgs)
	}
	if validID(d.Owner) {
		f.OrganizationID = d.Owner
	} else {
		d.Owner = ""
	}
	p := u.page(c, httpx.Loc(c).T("NavListings"), &d)
	v := &fail.Validation{}
	if d.From != "" {
		f.From = parseMonth(v, "from", d.From)
	}
	if d.To != "" {
		f.To = parseMonth(v, "to", d.To)
	}
	if err := v.Err(); err != nil {
		return u.formFailed(c, "listings", p, err)
	}
	ctx := request.Ctx(c)
	rows, err := u.A.Market.List(ctx, f, page.Request{Limit: listingPage, Cursor: c.Query("cursor")})
	if err != nil {
		return u.formFailed(c, "listings", p, err)
	}
	d.NextCursor = rows.NextCursor
	for i := range rows.Items {
		d.Items = append(d.Items, market.View(ctx, &rows.Items[i]))
	}
	d.CanCreate = request.Can(c, "listings", "create") && (len(request.Principal(c).Orgs) > 0 || request.IsAdmin(c))
	return u.render(c, "listings", p)
}

func inList(v string, set []string) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

func fractionCodes() []string { return fraction.Codes() }

func parseMonth(v *fail.Validation, field, s string) time.Time {
	for _, layout := range []string{"2006-01", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t
		}
	}
	v.Add(field, "date", "ErrFieldInvalid")
	return time.Time{}
}

// listingRow is what the list shows, whatever the caller's access level.
type listingRow struct {
	ID, Kind, Title, Status, Quantity, Period, OrganizationName string
	Fractions                                                   []string
}

func rowView(item any, lang string) listingRow {
	switch v := item.(type) {
	case market.PublicView:
		return listingRow{ID: v.ID, Kind: v.Kind, Title: v.Title, Status: string(v.Status), Quantity: v.QuantityBand, Period: v.Period, OrganizationName: v.OrganizationName, Fractions: v.Fractions}
	case *market.Listing:
		return listingRow{ID: v.ID, Kind: v.Kind, Title: v.Title, Status: string(v.Status), Quantity: numfmt.Number(lang, v.QuantityTonnes, 0) + " t",
			Period: numfmt.Month(v.AvailableFrom) + "–" + numfmt.Month(v.AvailableTo), OrganizationName: v.OrganizationName, Fractions: v.Fractions}
	}
	return listingRow{}
}

// firstOrg is the first of a person's organizations by ID ("Bare mine").
func firstOrg(orgs map[string]string) string {
	first := ""
	for id := range orgs {
		if first == "" || id < first {
			first = id
		}
	}
	return first
}
