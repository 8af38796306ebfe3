package directory

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

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
}

// maxTonnes bounds quantities: 50 million tonnes is more than any Norwegian project.
const maxTonnes = 50_000_000

func (in *SiteInput) apply(st *Site, v *httpx.Validation) (addressChanged bool) {
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
func (s *Service) locate(c *fiber.Ctx, st *Site, pointGiven bool, v *httpx.Validation) {
	if pointGiven || !v.OK() {
		return
	}
	q := strings.TrimSpace(strings.Trim(st.Address+", "+st.Postcode+" "+st.City, ", "))
	if q == "" || s.Geocoder == nil {
		v.Add("lat", "required", "ErrCoordinatesMissing")
		return
	}
	hits, err := s.Geocoder.Geocode(request.Ctx(c), q, 1)
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

func (s *Service) getSiteRow(c *fiber.Ctx, id string) (*Site, error) {
	var st Site
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
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
		return nil, notFoundOr(err)
	}
	return &st, nil
}

// GetSite loads a site with its permits.
func (s *Service) GetSite(c *fiber.Ctx, id string) (*Site, error) { return s.getSiteRow(c, id) }

func (s *Service) getSite(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	st, err := s.getSiteRow(c, id)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// SiteFilter selects sites.
type SiteFilter struct {
	OrganizationID string
	Kind           string
	Phase          string
	FacilityType   string
	Municipality   string
	Q              string
	Limit          int
}

// ListSites returns sites matching f, by name.
func (s *Service) ListSites(c *fiber.Ctx, f SiteFilter) ([]Site, error) {
	var out []Site
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
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
		return q.Order("sites.name, sites.id").Limit(f.Limit).Find(&out).Error
	})
	return out, err
}

func (s *Service) siteFilter(c *fiber.Ctx) (SiteFilter, error) {
	limit, err := httpx.Limit(c, 200, 1000)
	if err != nil {
		return SiteFilter{}, err
	}
	f := SiteFilter{Kind: c.Query("kind"), Phase: c.Query("phase"), FacilityType: c.Query("facility_type"), Municipality: c.Query("municipality"), Q: strings.TrimSpace(c.Query("q")), Limit: limit}
	v := &httpx.Validation{}
	enum(v, "kind", f.Kind, SiteKinds, false)
	enum(v, "phase", f.Phase, ProjectPhases, false)
	enum(v, "facility_type", f.FacilityType, FacilityTypes, false)
	if len(f.Q) > maxName {
		v.Add("q", "too_long", "ErrFieldTooLong", "Max", maxName)
	}
	return f, v.Err()
}

func (s *Service) listSites(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	f, err := s.siteFilter(c)
	if err != nil {
		return err
	}
	sites, err := s.ListSites(c, f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": sites})
}

func (s *Service) listOrgSites(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := s.GetOrg(c, id); err != nil {
		return err
	}
	f, err := s.siteFilter(c)
	if err != nil {
		return err
	}
	f.OrganizationID = id
	sites, err := s.ListSites(c, f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": sites})
}

// CreateSite adds a project or facility to an organization the principal may edit.
func (s *Service) CreateSite(c *fiber.Ctx, orgID string, in *SiteInput) (*Site, error) {
	if _, err := s.editableOrg(c, orgID); err != nil {
		return nil, err
	}
	st := &Site{ID: store.NewID(), OrganizationID: orgID, Permanent: true}
	v := &httpx.Validation{}
	if in.Name == nil {
		v.Add("name", "required", "ErrFieldRequired")
	}
	in.apply(st, v)
	s.locate(c, st, in.Lat != nil && in.Lon != nil, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Create(st).Error }); err != nil {
		return nil, err
	}
	return s.getSiteRow(c, st.ID)
}

// UpdateSite patches a site of an organization the principal may edit.
func (s *Service) UpdateSite(c *fiber.Ctx, id string, in *SiteInput) (*Site, error) {
	st, err := s.getSiteRow(c, id)
	if err != nil {
		return nil, err
	}
	if !request.CanEditOrg(c, st.OrganizationID) {
		return nil, errNotOwn()
	}
	v := &httpx.Validation{}
	changed := in.apply(st, v)
	s.locate(c, st, !changed || (in.Lat != nil && in.Lon != nil), v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		return tx.Model(&Site{}).Where("id = ?", st.ID).Updates(map[string]any{
			"kind": st.Kind, "name": st.Name, "description": st.Description, "address": st.Address,
			"postcode": st.Postcode, "city": st.City, "municipality_no": st.MunicipalityNo,
			"lat": st.Lat, "lon": st.Lon, "phase": st.Phase, "planned_start": st.PlannedStart,
			"planned_end": st.PlannedEnd, "expected_surplus_tonnes": st.ExpectedSurplusTonnes,
			"expected_need_tonnes": st.ExpectedNeedTonnes, "facility_type": st.FacilityType,
			"permanent": st.Permanent, "capacity_tonnes": st.CapacityTonnes, "opening_hours": st.OpeningHours,
			"gate_fee_nok_per_tonne": st.GateFeeNOKPerTonne, "updated_at": s.now(),
		}).Error
	})
	if err != nil {
		return nil, err
	}
	return s.getSiteRow(c, id)
}

func (s *Service) deleteSite(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "update"); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	st, err := s.getSiteRow(c, id)
	if err != nil {
		return err
	}
	if !request.CanEditOrg(c, st.OrganizationID) {
		return errNotOwn()
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Where("id = ?", id).Delete(&Site{}).Error }); err != nil {
		return err
	}
	return c.SendStatus(204)
}

// PermitInput is the body of permit create.
type PermitInput struct {
	Kind                 string   `json:"kind"`
	Authority            string   `json:"authority"`
	Reference            string   `json:"reference"`
	ValidFrom            *string  `json:"valid_from"`
	ValidTo              *string  `json:"valid_to"`
	Fractions            []string `json:"fractions"`
	MaxClass             int      `json:"max_class"`
	AnnualCapacityTonnes float64  `json:"annual_capacity_tonnes"`
}

// CreatePermit adds a mass-handling permit to a facility.
func (s *Service) CreatePermit(c *fiber.Ctx, siteID string, in *PermitInput) (*Permit, error) {
	st, err := s.getSiteRow(c, siteID)
	if err != nil {
		return nil, err
	}
	if !request.CanEditOrg(c, st.OrganizationID) {
		return nil, errNotOwn()
	}
	v := &httpx.Validation{}
	p := &Permit{ID: store.NewID(), SiteID: siteID, Kind: in.Kind, Authority: in.Authority, Reference: in.Reference, MaxClass: in.MaxClass, AnnualCapacityTonnes: in.AnnualCapacityTonnes}
	enum(v, "kind", p.Kind, PermitKinds, true)
	text(v, "authority", &p.Authority, maxName, true)
	text(v, "reference", &p.Reference, maxName, false)
	p.Fractions = enumList(v, "fractions", in.Fractions, Fractions)
	if p.MaxClass < 1 || p.MaxClass > 5 {
		v.Add("max_class", "range", "ErrFieldRange", "Min", 1, "Max", 5)
	}
	nonNegative(v, "annual_capacity_tonnes", p.AnnualCapacityTonnes, maxTonnes)
	p.ValidFrom, _ = parseDate(v, "valid_from", in.ValidFrom)
	p.ValidTo, _ = parseDate(v, "valid_to", in.ValidTo)
	if p.ValidFrom != nil && p.ValidTo != nil && p.ValidTo.Before(*p.ValidFrom) {
		v.Add("valid_to", "date_order", "ErrDateOrder")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Create(p).Error }); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) deletePermit(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "update"); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var p Permit
	if err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&p).Error }); err != nil {
		return notFoundOr(err)
	}
	st, err := s.getSiteRow(c, p.SiteID)
	if err != nil {
		return err
	}
	if !request.CanEditOrg(c, st.OrganizationID) {
		return errNotOwn()
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Where("id = ?", id).Delete(&Permit{}).Error }); err != nil {
		return err
	}
	return c.SendStatus(204)
}
