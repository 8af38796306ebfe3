package oas

import "testing"

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"Page[github.com/x/y/directory.Organization]":  "OrganizationPage",
		"Page[*github.com/x/market.Listing]":           "ListingPage",
		"Page[interface {}]":                           "AnyPage",
		"Pair[string,github.com/x/y.Page[x.Item]]":     "StringItemPagePair",
		"Page[[]github.com/x/y.Item]":                  "ItemListPage",
		"featureCollection":                            "FeatureCollection",
		"Map[map[string]github.com/x.V]":               "VMapMap",
		"Page[github.com/masseflyt/masseflyt/api.row]": "RowPage",
	} {
		if got := typeWord(in); got != want {
			t.Errorf("typeWord(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"/a/:id": "/a/{id}", "/t/:tenant/": "/t/{tenant}", "/x/:id<int>/y/:opt?": "/x/{id}/y/{opt}", "/": "/"} {
		if got := Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}
