package directory

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// SitePages bounds a page of sites.
var SitePages = page.Bounds{Default: 200, Max: 1000}

// SiteInput is the body of site create and update.
type SiteInput struct {
	Kind                  *string  `json:"kind"`
	Name                  *string  `json:"name"`
	Description           *string  `json:"description"`
	Address               *string  `json:"address"`
	Postcode              *string  `json:"postcode"`
	City                  *string  `json:"city"`
	MunicipalityNo        *string  `json:"municipality_no"`
	Lat                   *float64 `json:"lat"`
	Lon                   *float64 `json:"lon"`
	Phase                 *string  `json:"phase"`
	PlannedStart          *string  `json:"planned_start"`
	PlannedEnd            *string  `json:"planned_end"`
	ExpectedSurplusTonnes *float64 `json:"expected_surplus_tonnes"`
	ExpectedNeedTonnes    *float64 `json:"expected_need_tonnes"`
	FacilityType          *string  `json:"facility_type"`
	Permanent             *bool    `json:"permanent"`
	CapacityTonnes        *float64 `json:"capacity_tonnes"`
	OpeningHours          *string  `json:"opening_hours"`
	GateFeeNOKPerTonne    *float64 `json:"gate_fee_nok_per_tonne"`
	// ExactPointPublic: show visitors the exact point (default: true for
	// facilities, false for projects).
	ExactPointPublic *bool `json:"exact_point_public"`
}

// maxTonnes bounds quantities: 50 million tonnes is more than any Norwegian project.
const maxTonnes = 50_000_000

func (in *SiteInput) apply(st *Site, v *fail.Validation) (addressChanged bool) {
	text(v, "name", in.Name, maxName, true)
	text(v, "description", in.Description, maxText, false)
	text(v, "address", in.Address, maxLine, false)
	pattern(v, "postcode", in.Postcode, postcodeRe)
	text(v, "city", in.City, maxName, false)
	pattern(v, "municipality_no", in.MunicipalityNo, kommuneRe)
	text(v, "opening_hours", in.OpeningHours, maxLine, false)
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if in.Kind != nil {
		st.Kind = strings.TrimSpace(*in.Kind)
	}
	set(&st.Name, in.Name)
	set(&st.Description, in.Description)
	if in.Address != nil || in.Postcode != nil || in.City != nil {
		addressChanged = true
	}
	set(&st.Address, in.Address)
	set(&st.Postcode, in.Postcode)
	set(&st.City, in.City)
	set(&st.MunicipalityNo, in.MunicipalityNo)
	set(&st.Phase, in.Phase)
	set(&st.FacilityType, in.FacilityType)
	set(&st.OpeningHours, in.OpeningHours)
	if t, ok := parseDate(v, "planned_start", in.PlannedStart); ok {
		st.PlannedStart = t
	}
	if t, ok := parseDate(v, "planned_end", in.PlannedEnd); ok {
		st.PlannedEnd = t
	}
	if in.ExpectedSurplusTonnes != nil {
		nonNegative(v, "expected_surplus_tonnes", *in.ExpectedSurplusTonnes, maxTonnes)
		st.ExpectedSurplusTonnes = *in.ExpectedSurplusTonnes
	}
	if in.ExpectedNeedTonnes != nil {
		nonNegative(v, "expected_need_tonnes", *in.ExpectedNeedTonnes, maxTonnes)
		st.ExpectedNeedTonnes = *in.ExpectedNeedTonnes
	}
	if in.CapacityTonnes != nil {
		nonNegative(v, "capacity_tonnes", *in.CapacityTonnes, maxTonnes)
		st.CapacityTonnes = *in.CapacityTonnes
	}
	if in.GateFeeNOKPerTonne != nil {
		// Negative gate fees are legitimate: a receiver may pay for good masses.
		if g := *in.GateFeeNOKPerTonne; g < -10000 || g > 10000 || g != g {
			v.Add("gate_fee_nok_per_tonne", "range", "ErrFieldRange", "Min", -10000, "Max", 10000)
		}
		st.GateFeeNOKPerTonne = in.GateFeeNOKPerTonne
	}
	if in.Permanent != nil {
		st.Permanent = *in.Permanent
	}
	if in.ExactPointPublic != nil {
		st.ExactPointPublic = *in.ExactPointPublic
	}
	if (in.Lat == nil) != (in.Lon == nil) {
		v.Add("lon", "required", "ErrFieldRequired")
	} else if in.Lat != nil {
		checkPoint(v, *in.Lat, *in.Lon)
		st.Lat, st.Lon = *in.Lat, *in.Lon
	}
	enum(v, "kind", st.Kind, SiteKinds, true)
	switch st.Kind {
	case "project":
		enum(v, "phase", st.Phase, ProjectPhases, true)
		st.FacilityType = ""
	case "facility":
		enum(v, "facility_type", st.FacilityType, FacilityTypes, true)
		st.Phase = ""
	}
	if st.PlannedStart != nil && st.PlannedEnd != nil && st.PlannedEnd.Before(*st.PlannedStart) {
		v.Add("planned_end", "date_order", "ErrDateOrder")
	}
	return addressChanged
}

// locate fills in a site's point from its address when no point was given.
func (s *Service) locate(ctx context.Context, st *Site, pointGiven bool, v *fail.Validation) {
	if pointGiven || !v.OK() {
		return
	}
	q := strings.TrimSpace(strings.Trim(st.Address+", "+st.Postcode+" "+st.City, ", "))
	if q == "" || s.Geocoder == nil {
		v.Add("lat", "required", "ErrCoordinatesMissing")
		return
	}
	hits, err := s.Geocoder.Geocode(ctx, q, 1)
	if err != nil || len(hits) == 0 {
		v.Add("address", "not_found", "ErrAddressNotFound", "Address", q)
		return
	}
	h := hits[0]
	checkPoint(v, h.Point.Lat, h.Point.Lon)
	st.Lat, st.Lon = h.Point.Lat, h.Point.Lon
	if st.MunicipalityNo == "" {
		st.MunicipalityNo = h.MunicipalityNo
	}
	if st.Postcode == "" {
		st.Postcode = h.Postcode
	}
	if st.City == "" {
		st.City = h.City
	}
}

// GetSite loads a site with its permits and its organization's name.
func (s *Service) GetSite(ctx context.Context, id string) (*Site, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var st Site
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&st).Error; err != nil {
			return err
		}
		if err := tx.Where("site_id = ?", st.ID).Order("valid_to DESC").Find(&st.Permits).Error; err != nil {
			return err
		}
		var o Organization
		if err := tx.Select("name").Where("id = ?", st.OrganizationID).Take(&o).Error; err != nil {
			return err
		}
		st.OrganizationName = o.Name
		return nil
	})
	if err != nil {
		return nil, store.NotFoundOr(err)
	}
	pointFor(ctx, &st)
	return &st, nil
}

// EditableSite loads a site of an organization the actor may edit.
func (s *Service) EditableSite(ctx context.Context, id string) (*Site, error) {
	st, err := s.GetSite(ctx, id)
	if err != nil {
		return nil, err
	}
	if !access.From(ctx).CanEditOrg(st.OrganizationID) {
		return nil, access.NotOwnOrganization()
	}
	return st, nil
}

// SiteFilter selects sites.
type SiteFilter struct {
	OrganizationID string
	Kind           string
	Phase          string
	FacilityType   string
	Municipality   string
	Q              string
	Page           page.Request
}

func (f *SiteFilter) check() error {
	f.Q = strings.TrimSpace(f.Q)
	v := &fail.Validation{}
	enum(v, "kind", f.Kind, SiteKinds, false)
	enum(v, "phase", f.Phase, ProjectPhases, false)
	enum(v, "facility_type", f.FacilityType, FacilityTypes, false)
	if len(f.Q) > maxName {
		v.Add("q", "too_long", "ErrFieldTooLong", "Max", maxName)
	}
	return v.Err()
}

// ListSites returns a page of the sites matching f, by name (keyset on name
// and ID). With an organization in f, that organization must exist.
func (s *Service) ListSites(ctx context.Context, f SiteFilter) (page.Page[Site], error) {
	if f.OrganizationID != "" {
		if _, err := s.getOrg(ctx, f.OrganizationID); err != nil {
			return page.Page[Site]{}, err
		}
	}
	if err := f.check(); err != nil {
		return page.Page[Site]{}, err
	}
	var rows []Site
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&Site{}).Select("sites.*, organizations.name AS organization_name").
			Joins("JOIN organizations ON organizations.tenant_id = sites.tenant_id AND organizations.id = sites.organization_id")
		if f.OrganizationID != "" {
			q = q.Where("sites.organization_id = ?", f.OrganizationID)
		}
		if f.Kind != "" {
			q = q.Where("sites.kind = ?", f.Kind)
		}
		if f.Phase != "" {
			q = q.Where("sites.phase = ?", f.Phase)
		}
		if f.FacilityType != "" {
			q = q.Where("sites.facility_type = ?", f.FacilityType)
		}
		if f.Municipality != "" {
			q = q.Where("sites.municipality_no = ?", f.Municipality)
		}
		if f.Q != "" {
			like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
			q = q.Where("(LOWER(sites.name) LIKE ? ESCAPE '\\' OR LOWER(sites.description) LIKE ? ESCAPE '\\')", like, like)
		}
		q, err := after(q, f.Page.Cursor, "sites.name", "sites.id")
		if err != nil {
			return err
		}
		return q.Order("sites.name, sites.id").Limit(limit(f.Page, SitePages)).Find(&rows).Error
	})
	if err != nil {
		return page.Page[Site]{}, err
	}
	for i := range rows {
		pointFor(ctx, &rows[i])
	}
	return page.Cut(rows, size(f.Page, SitePages), func(st Site) page.Key { return page.Key{st.Name, st.ID} }), nil
}

// CreateSite adds a project or facility to an organization the actor may edit.
func (s *Service) CreateSite(ctx context.Context, orgID string, in *SiteInput) (*Site, error) {
	if _, err := s.EditableOrg(ctx, orgID); err != nil {
		return nil, err
	}
	st := &Site{ID: store.NewID(), OrganizationID: orgID, Permanent: true}
	v := &fail.Validation{}
	if in.Name == nil {
		v.Add("name", "required", "ErrFieldRequired")
	}
	in.apply(st, v)
	if in.ExactPointPublic == nil {
		st.ExactPointPublic = st.Kind == "facility" // projects' points are not public unless the owner says so
	}
	s.locate(ctx, st, in.Lat != nil && in.Lon != nil, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(st).Error }); err != nil {
		return nil, err
	}
	return s.GetSite(ctx, st.ID)
}

// UpdateSite patches a site of an organization the actor may edit.
func (s *Service) UpdateSite(ctx context.Context, id string, in *SiteInput) (*Site, error) {
	st, err := s.EditableSite(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &fail.Validation{}
	changed := in.apply(st, v)
	s.locate(ctx, st, !changed || (in.Lat != nil && in.Lon != nil), v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Site{}).Where("id = ?", st.ID).Updates(map[string]any{
			"kind": st.Kind, "name": st.Name, "description": st.Description, "address": st.Address,
			"postcode": st.Postcode, "city": st.City, "municipality_no": st.MunicipalityNo,
			"lat": st.Lat, "lon": st.Lon, "phase": st.Phase, "planned_start": st.PlannedStart,
			"planned_end": st.PlannedEnd, "expected_surplus_tonnes": st.ExpectedSurplusTonnes,
			"expected_need_tonnes": st.ExpectedNeedTonnes, "facility_type": st.FacilityType,
			"permanent": st.Permanent, "capacity_tonnes": st.CapacityTonnes, "opening_hours": st.OpeningHours,
			"gate_fee_nok_per_tonne": st.GateFeeNOKPerTonne, "exact_point_public": st.ExactPointPublic, "updated_at": s.now(),
		}).Error
	})
	if err != nil {
		return nil, err
	}
	return s.GetSite(ctx, id)
}

// DeleteSite removes a site of an organization the actor may edit, with
// its listings and their documents (files included); a site with any needs
// an organization admin (see RemoveSite, deletes.go).
func (s *Service) DeleteSite(ctx context.Context, id string) error {
	return s.RemoveSite(ctx, id, true)
}
