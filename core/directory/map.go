package directory

import (
	"context"

	"github.com/masseflyt/masseflyt/core/page"
)

// MaxMapFeatures is the most sites the map answers with (documented; the
// map is not paginated).
const MaxMapFeatures = 5000

// Feature is a GeoJSON feature.
type Feature struct {
	Type       string         `json:"type"`
	Geometry   map[string]any `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// FeatureCollection is a GeoJSON feature collection.
type FeatureCollection struct {
	Features []Feature `json:"features"`
	Type     string    `json:"type"`
}

// MapFeatures returns the tenant's sites matching f as GeoJSON features, by
// name, at most MaxMapFeatures (f's page is ignored).
func (s *Service) MapFeatures(ctx context.Context, f SiteFilter) (*FeatureCollection, error) {
	f.Page = page.Request{Limit: MaxMapFeatures}
	sites, err := s.ListSites(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &FeatureCollection{Type: "FeatureCollection", Features: make([]Feature, 0, len(sites.Items))}
	for _, st := range sites.Items {
		props := map[string]any{"id": st.ID, "kind": st.Kind, "name": st.Name, "organization_id": st.OrganizationID, "organization_name": st.OrganizationName}
		if st.Kind == "project" {
			props["phase"] = st.Phase
			if st.PlannedStart != nil {
				props["planned_start"] = st.PlannedStart.Format("2006-01-02")
			}
		} else {
			props["facility_type"] = st.FacilityType
			props["permanent"] = st.Permanent
		}
		if st.PointApproximate {
			props["approx"] = 1 // the centre of a ~1 km cell, as the listings' map has it
		}
		out.Features = append(out.Features, Feature{Type: "Feature", Geometry: map[string]any{"type": "Point", "coordinates": []float64{st.Lon, st.Lat}}, Properties: props})
	}
	return out, nil
}
