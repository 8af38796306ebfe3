package apidoc

import (
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
)

// listingView is a listing at the caller's access level: in full, or its
// public view. The API table declares it as an interface (api.ListingView),
// which reflection cannot see through.
type listingView struct{}

func (listingView) OneOf() []any { return []any{market.Listing{}, market.PublicView{}} }

// outs documents the responses the table's Out cannot (see oas.Config.Outs).
func outs() map[string]any {
	return map[string]any{
		"getListing":   listingView{},
		"listListings": page.Page[listingView]{},
	}
}
