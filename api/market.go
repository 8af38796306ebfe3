package api

import (
	"context"
	"encoding/json"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/route"
)

// marketAPI holds the market's REST handlers: decode, call the domain with
// the request's context, answer. The route's permission is checked by
// route.Guard before a handler runs; the row rules are the domain's.
type marketAPI struct {
	m         *market.Service
	publicURL string
}

// ListingView is a listing at the caller's access level: in full
// (market.Listing, without a private price for members) or its public view
// (market.PublicView). It is sent as the one it holds and documented as
// one of the two.
type ListingView struct{ v any }

// OneOf names what a ListingView may be (for the OpenAPI document).
func (ListingView) OneOf() []any { return []any{market.Listing{}, market.PublicView{}} }

// MarshalJSON sends the view it holds.
func (l ListingView) MarshalJSON() ([]byte, error) { return json.Marshal(l.v) }

func viewOf(ctx context.Context, l *market.Listing) ListingView {
	return ListingView{v: market.View(ctx, l)}
}

// listingsQuery documents the listing search's parameters (read and
// checked by market.ParseFilter; limit and cursor by the page bounds).
type listingsQuery struct {
	Kind           string  `query:"kind" doc:"surplus, need or capacity"`
	Fraction       string  `query:"fraction" doc:"Fraction code"`
	MinTonnes      float64 `query:"min_tonnes" doc:"Minimum tonnes"`
	MaxTonnes      float64 `query:"max_tonnes" doc:"Maximum tonnes"`
	From           string  `query:"from" doc:"Window overlaps from (YYYY-MM-DD or YYYY-MM)"`
	To             string  `query:"to" doc:"Window overlaps to (YYYY-MM-DD or YYYY-MM)"`
	MaxClass       int     `query:"max_class" doc:"Highest contamination class"`
	Lat            float64 `query:"lat" doc:"Near latitude"`
	Lon            float64 `query:"lon" doc:"Near longitude"`
	RadiusKm       float64 `query:"radius_km" doc:"Within km of lat/lon"`
	OrganizationID string  `query:"organization_id" doc:"Owner"`
	Sort           string  `query:"sort" doc:"date (default), quantity or distance (needs lat and lon)"`
}

// mapQuery documents a map's filters (market.CheckMapFilter).
type mapQuery struct {
	Kind     string `query:"kind" doc:"surplus, need or capacity"`
	Fraction string `query:"fraction" doc:"Fraction code"`
	BBox     string `query:"bbox" doc:"Viewport: west,south,east,north in degrees; with zoom, only that part, clustered when many (issue 16)"`
	Zoom     int    `query:"zoom" doc:"Web map zoom level 0–22 of the viewport (with bbox)"`
}

// Upload bodies (multipart/form-data).
type (
	documentUpload struct {
		File []byte `form:"file" doc:"The file (PDF, PNG, JPEG, WebP, XLSX or CSV; at most 20 MB)"`
		Kind string `form:"kind" doc:"analysis_report, environmental_report, self_declaration, photo or other"`
	}
	labFileUpload struct {
		File []byte `form:"file" doc:"CSV (comma or semicolon) or XLSX; columns sample, parameter, value, unit"`
	}
)

// sampleList is the answer of a lab import: every sample it added.
type sampleList struct {
	Items []*market.Sample `json:"items"`
}

// featureCollection is a GeoJSON FeatureCollection (rendered by the market).
type featureCollection struct {
	Type     string `json:"type"`
	Features []any  `json:"features"`
}

const (
	pdfType  = "application/pdf"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// statusPath is the path of each status action.
var statusPath = map[market.Status]string{
	market.StatusPublished: "publish",
	market.StatusClosed:    "close",
}

// marketRoutes are the market's routes under /api/v1/tenants/:tenant.
func marketRoutes(a *app.App) []route.Route {
	h := &marketAPI{m: a.Market, publicURL: a.Config.PublicURL}
	listingEx := map[string]any{"kind": "surplus", "title": "Sprengstein fra tunnel", "organization_id": "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d", "fractions": []string{"sprengstein"}, "quantity": 20000, "unit": "m3_in_place", "available_from": "2027-03", "available_to": "2027-12", "lat": 59.8955, "lon": 10.629, "transport": "seller_delivers", "publish": true}
	sampleEx := map[string]any{"name": "PR-1", "lab": "Norsk Jordlab", "taken_on": "2026-10-01", "values": []map[string]any{{"parameter": "pb", "value": 45, "unit": "mg/kg TS"}, {"parameter": "pah16", "value": 3.1, "unit": "mg/kg TS"}}}
	planEx := map[string]any{"lines": []map[string]any{{"direction": "cut", "fraction": "sprengstein", "quantity": 20000, "unit": "m3_in_place", "period_from": "2027-01", "period_to": "2027-06"}}, "publish": true}
	status := func(id, summary string, to market.Status) route.Route {
		return route.Route{Method: "POST", Path: "/listings/:id/" + statusPath[to], Perm: access.ListingsUpdate, Handler: h.setStatus(to),
			Doc: &route.Doc{ID: id, Summary: summary, Tag: "Market", Out: market.Listing{}, Errors: []int{409}}}
	}
	return []route.Route{
		{Method: "GET", Path: "/listings", Perm: access.ListingsRead, Handler: h.list,
			Doc: &route.Doc{ID: "listListings", Summary: "Search listings (privacy-preserving view for visitors), a page at a time in the sort order (cursor pagination)", Tag: "Market",
				Query: listingsQuery{}, Page: market.ListingBounds, Out: page.Page[ListingView]{}}},
		{Method: "GET", Path: "/listings.geojson", Perm: access.ListingsRead, Handler: h.geoJSON,
			Doc: &route.Doc{ID: "listingsGeoJSON", Summary: "Published listings and facilities as GeoJSON (coarse points for the public)", Tag: "Market", Query: mapQuery{}, Out: featureCollection{}, OutType: "application/geo+json"}},
		{Method: "GET", Path: "/feed/listings", Perm: access.ListingsRead, Handler: h.feed,
			Doc: &route.Doc{ID: "listingFeed", Summary: "Open data: the region's open public listings in their public form (B4), for other platforms; CORS open, NLOD-2.0", Tag: "Open data", Out: market.Feed{}}},
		{Method: "GET", Path: "/feed/listings.geojson", Perm: access.ListingsRead, Handler: h.feedGeoJSON,
			Doc: &route.Doc{ID: "listingFeedGeoJSON", Summary: "Open data: the region's listings and facilities as the public sees them, as GeoJSON", Tag: "Open data", Query: mapQuery{}, Out: featureCollection{}, OutType: "application/geo+json"}},
		{Method: "POST", Path: "/listings", Perm: access.ListingsCreate, Handler: h.create,
			Doc: &route.Doc{ID: "createListing", Summary: "Create a surplus, need or capacity listing", Tag: "Market", In: market.ListingInput{}, Out: market.Listing{}, Status: 201, Example: listingEx}},
		{Method: "GET", Path: "/listings/:id", Perm: access.ListingsRead, Handler: h.get,
			Doc: &route.Doc{ID: "getListing", Summary: "One listing at the caller's access level: in full for its owners, tenant admins and supervisors and (without a private price) for members; the public view for visitors", Tag: "Market", Out: ListingView{}}},
		{Method: "PATCH", Path: "/listings/:id", Perm: access.ListingsUpdate, Handler: h.update,
			Doc: &route.Doc{ID: "updateListing", Summary: "Edit a listing of your organization", Tag: "Market", In: market.ListingInput{}, Out: market.Listing{}, Example: map[string]any{"quantity": 25000, "unit": "t"}}},
		status("publishListing", "Publish a listing", market.StatusPublished),
		status("closeListing", "Close a listing", market.StatusClosed),
		{Method: "GET", Path: "/listings/:id/samples", Perm: access.ListingsRead, Handler: h.samples,
			Doc: &route.Doc{ID: "listSamples", Summary: "Lab samples with per-parameter classes, oldest first, a page at a time (cursor pagination)", Tag: "Market", Page: market.SampleBounds, Out: page.Page[market.Sample]{}}},
		{Method: "POST", Path: "/listings/:id/samples", Perm: access.ListingsUpdate, Handler: h.addSample,
			Doc: &route.Doc{ID: "addSample", Summary: "Add a lab sample; classified by TA-2553, the worst parameter decides", Tag: "Market", In: market.SampleInput{}, Out: market.Sample{}, Status: 201, Example: sampleEx}},
		{Method: "POST", Path: "/listings/:id/samples/import", Perm: access.ListingsUpdate, Handler: h.importSamples,
			// A lab file is refused before it is read when it is larger than
			// the lab import's own limit (H2), not only the upload limit.
			BodyLimit: h.m.Limits().MaxFileBytes + httpx.MultipartSlack,
			Doc:       &route.Doc{ID: "importSamples", Summary: "Import lab results from CSV or XLSX (columns sample, parameter, value, unit); all or nothing", Tag: "Market", Upload: labFileUpload{}, Out: sampleList{}, Status: 201, Errors: []int{413, 415}}},
		{Method: "GET", Path: "/listings/:id/documents", Perm: access.DocumentsRead, Handler: h.documents,
			Doc: &route.Doc{ID: "listDocuments", Summary: "Quality documents (members of the region and the owner), oldest first, a page at a time (cursor pagination)", Tag: "Market", Page: market.SampleBounds, Out: page.Page[market.Document]{}}},
		{Method: "POST", Path: "/listings/:id/documents", Perm: access.ListingsUpdate, Handler: h.uploadDocument,
			Doc: &route.Doc{ID: "uploadDocument", Summary: "Upload a document (PDF, image, XLSX, CSV; ≤ 20 MB; type from the bytes)", Tag: "Market", Upload: documentUpload{}, Out: market.Document{}, Status: 201, Errors: []int{413, 415}}},
		{Method: "GET", Path: "/documents/:id", Perm: access.DocumentsRead, Handler: h.downloadDocument,
			Doc: &route.Doc{ID: "downloadDocument", Summary: "Download a document, as the type read from its bytes", Tag: "Market", Files: []string{pdfType, "image/png", "image/jpeg", "image/webp", xlsxType, "text/csv"}}},
		{Method: "DELETE", Path: "/documents/:id", Perm: access.ListingsUpdate, Handler: h.deleteDocument,
			Doc: &route.Doc{ID: "deleteDocument", Summary: "Delete a document", Tag: "Market", Status: 204}},
		{Method: "GET", Path: "/sites/:id/plan", Perm: access.PlansRead, Handler: h.plan,
			Doc: &route.Doc{ID: "getPlan", Summary: "A project's mass handling plan", Tag: "Market", Out: market.Plan{}}},
		{Method: "PUT", Path: "/sites/:id/plan", Perm: access.ListingsCreate, Handler: h.putPlan,
			Doc: &route.Doc{ID: "putPlan", Summary: "Replace the plan; its surplus and need listings follow", Tag: "Market", In: market.PlanInput{}, Out: market.Plan{}, Example: planEx}},
		{Method: "GET", Path: "/sites/:id/plan.pdf", Perm: access.PlansRead, Handler: h.exportPlan("pdf"),
			Doc: &route.Doc{ID: "planPDF", Summary: "The plan as PDF, for tenders", Tag: "Market", Files: []string{pdfType}}},
		{Method: "GET", Path: "/sites/:id/plan.xlsx", Perm: access.PlansRead, Handler: h.exportPlan("xlsx"),
			Doc: &route.Doc{ID: "planXLSX", Summary: "The plan as XLSX", Tag: "Market", Files: []string{xlsxType}}},
	}
}
