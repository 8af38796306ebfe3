package market

import (
	"context"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/blob"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// Service stores listings and lab results.
type Service struct {
	DB        *store.DB
	Directory *directory.Service
	Blobs     blob.Store

	// PublicURL, when set, is the base of links in the public feed.
	PublicURL string

	maps      sync.Map // tenant|audience → *mapState (the map, kept up to date incrementally)
	feeds     *store.Cache[*httpx.Doc]
	feedsOnce sync.Once
	basesMu   sync.Mutex
	bases     map[string][]string // tenant → link bases the feed was rendered for
}

// now reads the one clock, which the store carries.
func (s *Service) now() time.Time { return s.DB.Now() }

// Routes registers the listing API on the tenant router.
func (s *Service) Routes(r fiber.Router) {
	r.Get("/listings", s.list)
	r.Get("/listings.geojson", s.geojson)
	r.Get("/feed/listings", s.feedJSON)
	r.Get("/feed/listings.geojson", s.feedGeoJSON)
	r.Post("/listings", s.create)
	r.Get("/listings/:id", s.get)
	r.Patch("/listings/:id", s.patch)
	r.Post("/listings/:id/publish", s.setStatus(StatusPublished))
	r.Post("/listings/:id/close", s.setStatus(StatusClosed))
	r.Post("/listings/:id/partly-matched", s.setStatus(StatusPartlyMatched))
	r.Post("/listings/:id/fully-matched", s.setStatus(StatusFullyMatched))
	r.Get("/listings/:id/samples", s.listSamples)
	r.Post("/listings/:id/samples", s.addSample)
	r.Post("/listings/:id/samples/import", s.importSamples)
	r.Get("/listings/:id/documents", s.listDocuments)
	r.Post("/listings/:id/documents", s.uploadDocument)
	r.Get("/documents/:id", s.downloadDocument)
	r.Get("/sites/:id/plan", s.getPlan)
	r.Put("/sites/:id/plan", s.putPlan)
	r.Get("/sites/:id/plan.pdf", s.exportPlan("pdf"))
	r.Get("/sites/:id/plan.xlsx", s.exportPlan("xlsx"))
	r.Delete("/documents/:id", s.deleteDocument)
}

// ListingInput is the body of listing create and update.
type ListingInput struct {
	Kind                *string   `json:"kind"`
	Title               *string   `json:"title"`
	Description         *string   `json:"description"`
	OrganizationID      *string   `json:"organization_id"`
	SiteID              *string   `json:"site_id"`
	Fractions           *[]string `json:"fractions"`
	Quantity            *float64  `json:"quantity"`
	Unit                *string   `json:"unit"`
	AvailableFrom       *string   `json:"available_from"`
	AvailableTo         *string   `json:"available_to"`
	Lat                 *float64  `json:"lat"`
	Lon                 *float64  `json:"lon"`
	ContaminationClass  *int      `json:"contamination_class"`
	IntendedUse         *string   `json:"intended_use"`
	RockType            *string   `json:"rock_type"`
	GrainMinMM          *float64  `json:"grain_min_mm"`
	GrainMaxMM          *float64  `json:"grain_max_mm"`
	LAValue             *float64  `json:"la_value"`
	MicroDeval          *float64  `json:"micro_deval"`
	PriceNOKPerTonne    *float64  `json:"price_nok_per_tonne"`
	PricePublic         *bool     `json:"price_public"`
	ExactLocationPublic *bool     `json:"exact_location_public"`
	Transport           *string   `json:"transport"`
	Visibility          *string   `json:"visibility"`
	Publish             bool      `json:"publish"`
}

func inSet(v string, set []string) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

func enumErr(v *httpx.Validation, field string, set []string) {
	v.Add(field, "enum", "ErrFieldEnum", "Allowed", strings.Join(set, ", "))
}

func parseDay(v *httpx.Validation, field, s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006-01"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 2000 && t.Year() <= 2100 {
			return t, true
		}
	}
	v.Add(field, "date", "ErrFieldInvalid")
	return time.Time{}, false
}

// apply validates input onto l (for create, l starts empty).
func (s *Service) apply(c *fiber.Ctx, l *Listing, in *ListingInput, v *httpx.Validation) {
	str := func(field string, dst *string, src *string, max int, required bool) {
		if src == nil {
			if required && *dst == "" {
				v.Add(field, "required", "ErrFieldRequired")
			}
			return
		}
		t := strings.TrimSpace(*src)
		switch {
		case required && t == "":
			v.Add(field, "required", "ErrFieldRequired")
		case len([]rune(t)) > max:
			v.Add(field, "too_long", "ErrFieldTooLong", "Max", max)
		default:
			*dst = t
		}
	}
	if in.Kind != nil {
		l.Kind = *in.Kind
	}
	if !inSet(l.Kind, Kinds) {
		enumErr(v, "kind", Kinds)
	}
	str("title", &l.Title, in.Title, 200, true)
	str("description", &l.Description, in.Description, 4000, false)
	if in.Fractions != nil {
		l.Fractions = directory.List{}
		seen := map[string]bool{}
		for _, f := range *in.Fractions {
			if _, ok := FractionByCode(f); !ok {
				v.Add("fractions", "unknown_fraction", "ErrUnknownFraction", "Fraction", f)
				continue
			}
			if !seen[f] {
				seen[f] = true
				l.Fractions = append(l.Fractions, f)
			}
		}
	}
	if len(l.Fractions) == 0 {
		v.Add("fractions", "required", "ErrFieldRequired")
	} else if l.Kind == "surplus" && len(l.Fractions) > 1 {
		v.Add("fractions", "one_fraction", "ErrSurplusOneFraction")
	}
	if in.Quantity != nil || in.Unit != nil {
		q, unit := l.QuantityValue, l.QuantityUnit
		if in.Quantity != nil {
			q = *in.Quantity
		}
		if in.Unit != nil {
			unit = *in.Unit
		}
		switch {
		case !inSet(unit, Units):
			enumErr(v, "unit", Units)
		case math.IsNaN(q) || math.IsInf(q, 0) || q <= 0:
			v.Add("quantity", "positive", "ErrQuantityPositive")
		case len(l.Fractions) > 0:
			f, _ := FractionByCode(l.Fractions[0])
			t, err := f.ToTonnes(q, unit)
			switch {
			case errors.Is(err, ErrUnitNotApplicable):
				v.Add("unit", "not_applicable", "ErrUnitNotApplicable", "Fraction", f.Code)
			case err != nil:
				v.Add("unit", "invalid", "ErrFieldInvalid")
			case t > maxListingTon:
				v.Add("quantity", "range", "ErrFieldRange", "Min", 0, "Max", strconv.Itoa(int(maxListingTon))+" t")
			default:
				l.QuantityValue, l.QuantityUnit, l.QuantityTonnes = q, unit, t
			}
		}
	}
	if l.QuantityTonnes <= 0 && v.OK() {
		v.Add("quantity", "required", "ErrFieldRequired")
	}
	if in.AvailableFrom != nil {
		if t, ok := parseDay(v, "available_from", *in.AvailableFrom); ok {
			l.AvailableFrom = t
		}
	}
	if in.AvailableTo != nil {
		if t, ok := parseDay(v, "available_to", *in.AvailableTo); ok {
			l.AvailableTo = t
		}
	}
	if l.AvailableFrom.IsZero() {
		v.Add("available_from", "required", "ErrFieldRequired")
	}
	if l.AvailableTo.IsZero() {
		v.Add("available_to", "required", "ErrFieldRequired")
	}
	if !l.AvailableFrom.IsZero() && !l.AvailableTo.IsZero() && l.AvailableTo.Before(l.AvailableFrom) {
		v.Add("available_to", "date_order", "ErrDateOrder")
	}
	if in.ContaminationClass != nil {
		if *in.ContaminationClass < 0 || *in.ContaminationClass > HazardousClass {
			v.Add("contamination_class", "range", "ErrFieldRange", "Min", 0, "Max", HazardousClass)
		}
		l.ContaminationClass = *in.ContaminationClass
	}
	if in.IntendedUse != nil {
		l.IntendedUse = *in.IntendedUse
	}
	if l.IntendedUse != "" && !inSet(l.IntendedUse, Uses) {
		enumErr(v, "intended_use", Uses)
	}
	if l.Kind == "need" && l.IntendedUse == "" {
		v.Add("intended_use", "required", "ErrFieldRequired")
	}
	if in.RockType != nil {
		l.RockType = *in.RockType
		if l.RockType != "" && !inSet(l.RockType, RockTypes) {
			enumErr(v, "rock_type", RockTypes)
		}
	}
	num := func(field string, dst **float64, src *float64, lo, hi float64) {
		if src == nil {
			return
		}
		if *src < lo || *src > hi || math.IsNaN(*src) {
			v.Add(field, "range", "ErrFieldRange", "Min", lo, "Max", hi)
			return
		}
		x := *src
		*dst = &x
	}
	num("grain_min_mm", &l.GrainMinMM, in.GrainMinMM, 0, 2000)
	num("grain_max_mm", &l.GrainMaxMM, in.GrainMaxMM, 0, 2000)
	num("la_value", &l.LAValue, in.LAValue, 0, 100)
	num("micro_deval", &l.MicroDeval, in.MicroDeval, 0, 100)
	num("price_nok_per_tonne", &l.PriceNOKPerTonne, in.PriceNOKPerTonne, -10000, 10000)
	if l.GrainMinMM != nil && l.GrainMaxMM != nil && *l.GrainMaxMM < *l.GrainMinMM {
		v.Add("grain_max_mm", "order", "ErrFieldInvalid")
	}
	if in.PricePublic != nil {
		l.PricePublic = *in.PricePublic
	}
	if in.ExactLocationPublic != nil {
		l.ExactLocationPublic = *in.ExactLocationPublic
	}
	if in.Transport != nil {
		l.Transport = *in.Transport
	}
	if !inSet(l.Transport, Transports) {
		enumErr(v, "transport", Transports)
	}
	if in.Visibility != nil {
		l.Visibility = *in.Visibility
	}
	if l.Visibility == "" {
		l.Visibility = "public"
	}
	if !inSet(l.Visibility, Visibilities) {
		enumErr(v, "visibility", Visibilities)
	}
	// Location: the listing's own point, else its site's.
	if (in.Lat == nil) != (in.Lon == nil) {
		v.Add("lon", "required", "ErrFieldRequired")
	} else if in.Lat != nil {
		if !geo.InNorway(geo.Point{Lat: *in.Lat, Lon: *in.Lon}) {
			v.Add("lat", "outside_norway", "ErrOutsideNorway")
		}
		l.Lat, l.Lon = *in.Lat, *in.Lon
	}
}

func (s *Service) resolveOwner(c *fiber.Ctx, l *Listing, in *ListingInput, v *httpx.Validation) error {
	if in.OrganizationID != nil {
		l.OrganizationID = *in.OrganizationID
	}
	if l.OrganizationID == "" {
		v.Add("organization_id", "required", "ErrFieldRequired")
		return nil
	}
	if !store.ValidID(l.OrganizationID) {
		v.Add("organization_id", "invalid", "ErrFieldInvalid")
		return nil
	}
	if _, err := s.Directory.GetOrg(c, l.OrganizationID); err != nil {
		v.Add("organization_id", "invalid", "ErrFieldInvalid")
		return nil
	}
	if !request.CanEditOrg(c, l.OrganizationID) {
		return httpx.NewError(403, "not_own_organization", "ErrNotOwnOrganization")
	}
	if in.SiteID != nil {
		if *in.SiteID == "" {
			l.SiteID = nil
		} else {
			st, err := s.Directory.GetSite(c, *in.SiteID)
			if err != nil || st.OrganizationID != l.OrganizationID {
				v.Add("site_id", "invalid", "ErrFieldInvalid")
				return nil
			}
			id := st.ID
			l.SiteID = &id
			if in.Lat == nil {
				l.Lat, l.Lon = st.Lat, st.Lon
			}
		}
	}
	return nil
}

func requirePoint(l *Listing, v *httpx.Validation) {
	if l.Lat == 0 && l.Lon == 0 && v.OK() {
		v.Add("lat", "required", "ErrCoordinatesMissing")
	}
}

// Create validates and stores a listing.
func (s *Service) Create(c *fiber.Ctx, in *ListingInput) (*Listing, error) {
	l := &Listing{ID: store.NewID(), Status: StatusDraft, CreatedBy: request.Principal(c).UserID()}
	v := &httpx.Validation{}
	if err := s.resolveOwner(c, l, in, v); err != nil {
		return nil, err
	}
	s.apply(c, l, in, v)
	requirePoint(l, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if in.Publish {
		now := s.now()
		l.Status, l.PublishedAt = StatusPublished, &now
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		if err := tx.Create(l).Error; err != nil {
			return err
		}
		return publishedTx(tx, l.ID) // matched after the commit, not in this request
	}); err != nil {
		return nil, err
	}
	return s.Get(c, l.ID)
}

func (s *Service) create(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "create"); err != nil {
		return err
	}
	var in ListingInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	l, err := s.Create(c, &in)
	if err != nil {
		return err
	}
	return c.Status(201).JSON(l)
}

// Get loads a listing of the request's tenant, with its owner's name.
func (s *Service) Get(c *fiber.Ctx, id string) (*Listing, error) {
	return s.Find(request.Ctx(c), id)
}

// Find reads a listing of the tenant in ctx, with its owner's name.
func (s *Service) Find(ctx context.Context, id string) (*Listing, error) {
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	var l Listing
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return withOwner(tx).Where("listings.id = ?", id).Take(&l).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fail.NotFoundErr()
	}
	return &l, err
}

// withOwner selects listings with their organization's name.
func withOwner(tx *gorm.DB) *gorm.DB {
	return tx.Model(&Listing{}).Select("listings.*, organizations.name AS organization_name").
		Joins("JOIN organizations ON organizations.tenant_id = listings.tenant_id AND organizations.id = listings.organization_id")
}

// Access is what the caller may see of a listing.
type Access int

// Access levels.
const (
	Hidden Access = iota // not at all (drafts of others, members-only to outsiders)
	Public               // the privacy-preserving view
	Member               // exact location and dates, price only if public
	Full                 // everything: owner, tenant admin, supervisor
)

// AccessTo decides what the caller sees of l.
func AccessTo(c *fiber.Ctx, l *Listing) Access { return AccessFor(request.Actor(c), l) }

// AccessFor is the row rule for listings: owners (and tenant admins) and
// supervisors see everything; drafts are hidden from others; members-only
// listings from non-members; members see more than the public.
func AccessFor(a *access.Actor, l *Listing) Access {
	p := a.Principal
	if a.CanEditOrg(l.OrganizationID) || p.Has(auth.RoleSupervisor) {
		return Full
	}
	if l.Status == StatusDraft {
		return Hidden
	}
	member := p.Has(auth.RoleMember)
	if l.Visibility == "members" && !member {
		return Hidden
	}
	if member {
		return Member
	}
	return Public
}

// View renders a listing for the caller at its access level.
func View(c *fiber.Ctx, l *Listing) any {
	switch AccessTo(c, l) {
	case Full:
		return l
	case Member:
		cp := *l
		if !cp.PricePublic {
			cp.PriceNOKPerTonne = nil
		}
		return &cp
	}
	return l.Public()
}

func (s *Service) get(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "read"); err != nil {
		return err
	}
	l, err := s.Get(c, c.Params("id"))
	if err != nil {
		return err
	}
	if AccessTo(c, l) == Hidden {
		return httpx.NotFound()
	}
	return c.JSON(View(c, l))
}

// Editable loads a listing the caller may change (404 if hidden, 403 if not theirs).
func (s *Service) Editable(c *fiber.Ctx, id string) (*Listing, error) { return s.editable(c, id) }

func (s *Service) editable(c *fiber.Ctx, id string) (*Listing, error) {
	l, err := s.Get(c, id)
	if err != nil {
		return nil, err
	}
	if !request.CanEditOrg(c, l.OrganizationID) {
		if AccessTo(c, l) == Hidden {
			return nil, httpx.NotFound()
		}
		return nil, httpx.NewError(403, "not_own_organization", "ErrNotOwnOrganization")
	}
	return l, nil
}

// Update applies a patch.
func (s *Service) Update(c *fiber.Ctx, id string, in *ListingInput) (*Listing, error) {
	l, err := s.editable(c, id)
	if err != nil {
		return nil, err
	}
	if in.OrganizationID != nil && *in.OrganizationID != l.OrganizationID {
		v := &httpx.Validation{}
		v.Add("organization_id", "immutable", "ErrFieldInvalid")
		return nil, v.Err()
	}
	v := &httpx.Validation{}
	if err := s.resolveOwner(c, l, in, v); err != nil {
		return nil, err
	}
	s.apply(c, l, in, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	l.UpdatedAt = s.now()
	err = s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		if err := tx.Model(&Listing{}).Where("id = ?", l.ID).Select("*").Omit("tenant_id", "id", "organization_id", "created_by", "created_at", "status", "published_at").Updates(l).Error; err != nil {
			return err
		}
		return publishedTx(tx, l.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(c, l.ID)
}

func (s *Service) patch(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	var in ListingInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	l, err := s.Update(c, c.Params("id"), &in)
	if err != nil {
		return err
	}
	return c.JSON(l)
}

// SetStatus publishes or closes a listing.
func (s *Service) SetStatus(c *fiber.Ctx, id string, status Status) (*Listing, error) {
	l, err := s.editable(c, id)
	if err != nil {
		return nil, err
	}
	if err := l.Status.CanBecome(status); err != nil {
		return nil, err
	}
	now := s.now()
	upd := map[string]any{"status": string(status), "updated_at": now}
	if status == StatusPublished && l.PublishedAt == nil {
		upd["published_at"] = now
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		if err := tx.Model(&Listing{}).Where("id = ?", l.ID).Updates(upd).Error; err != nil {
			return err
		}
		return statusChangedTx(tx, l.ID, status != StatusPublished)
	}); err != nil {
		return nil, err
	}
	return s.Get(c, id)
}

func (s *Service) setStatus(status Status) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := request.Authorize(c, "listings", "update"); err != nil {
			return err
		}
		l, err := s.SetStatus(c, c.Params("id"), status)
		if err != nil {
			return err
		}
		return c.JSON(l)
	}
}

// Filter selects listings.
type Filter struct {
	Kind, Fraction, OrganizationID, Sort string
	MinTonnes, MaxTonnes                 float64
	From, To                             time.Time
	MaxClass                             int
	Near                                 *geo.Point
	RadiusKm                             float64
	Limit                                int
}

// List returns listings visible to the caller, filtered and sorted.
func (s *Service) List(c *fiber.Ctx, f Filter) ([]Listing, error) {
	var rows []Listing
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
		q := withOwner(tx).Where("((listings.status IN ? AND listings.available_to >= ?) OR listings.organization_id IN ?)", OpenStatuses, s.now().Truncate(24*time.Hour), ownOrgs(c))
		if f.Kind != "" {
			q = q.Where("listings.kind = ?", f.Kind)
		}
		if f.Fraction != "" {
			q = q.Where("(',' || listings.fractions || ',') LIKE ?", "%,"+f.Fraction+",%")
		}
		if f.OrganizationID != "" {
			q = q.Where("listings.organization_id = ?", f.OrganizationID)
		}
		if f.MinTonnes > 0 {
			q = q.Where("listings.quantity_tonnes >= ?", f.MinTonnes)
		}
		if f.MaxTonnes > 0 {
			q = q.Where("listings.quantity_tonnes <= ?", f.MaxTonnes)
		}
		if !f.From.IsZero() {
			q = q.Where("listings.available_to >= ?", f.From)
		}
		if !f.To.IsZero() {
			q = q.Where("listings.available_from <= ?", f.To)
		}
		if f.MaxClass > 0 {
			q = q.Where("listings.contamination_class <= ?", f.MaxClass)
		}
		if f.Near != nil && f.RadiusKm > 0 {
			dLat := f.RadiusKm / 111.0
			dLon := f.RadiusKm / (111.0 * math.Max(0.2, math.Cos(f.Near.Lat*math.Pi/180)))
			q = q.Where("listings.lat BETWEEN ? AND ? AND listings.lon BETWEEN ? AND ?", f.Near.Lat-dLat, f.Near.Lat+dLat, f.Near.Lon-dLon, f.Near.Lon+dLon)
		}
		switch f.Sort {
		case "quantity":
			q = q.Order("listings.quantity_tonnes DESC")
		default:
			q = q.Order("listings.available_from, listings.id")
		}
		if f.Near == nil || f.Sort != "distance" {
			q = q.Limit(f.Limit)
		}
		return q.Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, l := range rows {
		if AccessTo(c, &l) == Hidden {
			continue
		}
		if f.Near != nil && f.RadiusKm > 0 && geo.HaversineKm(*f.Near, geo.Point{Lat: l.Lat, Lon: l.Lon}) > f.RadiusKm {
			continue
		}
		out = append(out, l)
	}
	if f.Near != nil && f.Sort == "distance" {
		sort.SliceStable(out, func(i, j int) bool {
			return geo.HaversineKm(*f.Near, geo.Point{Lat: out[i].Lat, Lon: out[i].Lon}) < geo.HaversineKm(*f.Near, geo.Point{Lat: out[j].Lat, Lon: out[j].Lon})
		})
		if len(out) > f.Limit {
			out = out[:f.Limit]
		}
	}
	return out, nil
}

func ownOrgs(c *fiber.Ctx) []string {
	out := []string{""}
	for id := range request.Principal(c).Orgs {
		out = append(out, id)
	}
	return out
}

func (s *Service) list(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "read"); err != nil {
		return err
	}
	limit, err := httpx.Limit(c, 100, 1000)
	if err != nil {
		return err
	}
	v := &httpx.Validation{}
	f := Filter{Kind: c.Query("kind"), Fraction: c.Query("fraction"), OrganizationID: c.Query("organization_id"), Sort: c.Query("sort"), Limit: limit}
	if f.Kind != "" && !inSet(f.Kind, Kinds) {
		enumErr(v, "kind", Kinds)
	}
	if _, ok := FractionByCode(f.Fraction); f.Fraction != "" && !ok {
		v.Add("fraction", "unknown_fraction", "ErrUnknownFraction", "Fraction", f.Fraction)
	}
	if f.Sort != "" && !inSet(f.Sort, []string{"date", "quantity", "distance"}) {
		enumErr(v, "sort", []string{"date", "quantity", "distance"})
	}
	numQ := func(name string) float64 {
		s := c.Query(name)
		if s == "" {
			return 0
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x < 0 || math.IsNaN(x) {
			v.Add(name, "invalid", "ErrFieldInvalid")
		}
		return x
	}
	f.MinTonnes, f.MaxTonnes, f.RadiusKm = numQ("min_tonnes"), numQ("max_tonnes"), numQ("radius_km")
	f.MaxClass = int(numQ("max_class"))
	if c.Query("from") != "" {
		f.From, _ = parseDay(v, "from", c.Query("from"))
	}
	if c.Query("to") != "" {
		f.To, _ = parseDay(v, "to", c.Query("to"))
	}
	if c.Query("lat") != "" || c.Query("lon") != "" {
		p := geo.Point{Lat: numQ("lat"), Lon: numQ("lon")}
		if !geo.InNorway(p) {
			v.Add("lat", "outside_norway", "ErrOutsideNorway")
		}
		f.Near = &p
	}
	if f.Sort == "distance" && f.Near == nil {
		v.Add("lat", "required", "ErrFieldRequired")
	}
	if err := v.Err(); err != nil {
		return err
	}
	rows, err := s.List(c, f)
	if err != nil {
		return err
	}
	items := make([]any, 0, len(rows))
	for i := range rows {
		items = append(items, View(c, &rows[i]))
	}
	return c.JSON(fiber.Map{"items": items})
}

// SampleInput is a lab sample: values per parameter with a unit.
type SampleInput struct {
	Name    string `json:"name"`
	TakenOn string `json:"taken_on"`
	Lab     string `json:"lab"`
	Values  []struct {
		Parameter string  `json:"parameter"`
		Value     float64 `json:"value"`
		Unit      string  `json:"unit"`
	} `json:"values"`
}

// AddSample classifies a sample and updates the listing's class (the worst
// sample decides).
func (s *Service) AddSample(c *fiber.Ctx, listingID string, in *SampleInput) (*Sample, error) {
	l, err := s.editable(c, listingID)
	if err != nil {
		return nil, err
	}
	sm, err := s.prepareSample(l, in)
	if err != nil {
		return nil, err
	}
	return sm, s.storeSamples(c, l, []*Sample{sm})
}

// prepareSample validates and classifies a sample without saving it.
func (s *Service) prepareSample(l *Listing, in *SampleInput) (*Sample, error) {
	v := &httpx.Validation{}
	sm := &Sample{ID: store.NewID(), ListingID: l.ID, Name: strings.TrimSpace(in.Name), Lab: strings.TrimSpace(in.Lab), Results: JSONMap{}}
	if sm.Name == "" {
		v.Add("name", "required", "ErrFieldRequired")
	} else if len([]rune(sm.Name)) > 100 {
		v.Add("name", "too_long", "ErrFieldTooLong", "Max", 100)
	}
	if in.TakenOn != "" {
		if t, ok := parseDay(v, "taken_on", in.TakenOn); ok {
			sm.TakenOn = &t
		}
	}
	if len(in.Values) == 0 || len(in.Values) > 200 {
		v.Add("values", "required", "ErrFieldRequired")
	}
	for i, x := range in.Values {
		field := "values[" + strconv.Itoa(i) + "]"
		p, ok := ParameterByKey(x.Parameter)
		if !ok {
			v.Add(field+".parameter", "unknown_parameter", "ErrUnknownParameter", "Parameter", x.Parameter)
			continue
		}
		if x.Value < 0 {
			v.Add(field+".value", "negative", "ErrFieldNegative")
			continue
		}
		mg, err := ToMgPerKg(x.Value, x.Unit)
		if err != nil {
			v.Add(field+".unit", "unit", "ErrLabUnit", "Unit", x.Unit)
			continue
		}
		sm.Results[p.Key] = mg
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	res, err := Classify(sm.Results)
	if err != nil {
		v.Add("values", "invalid", "ErrFieldInvalid")
		return nil, v.Err()
	}
	sm.Class, sm.Deciding, sm.PerParam = res.Class, res.Deciding, res.PerParameter
	if sm.Deciding == nil {
		sm.Deciding = directory.List{}
	}
	return sm, nil
}

// storeSamples saves samples and the listing's new class in one transaction.
func (s *Service) storeSamples(c *fiber.Ctx, l *Listing, samples []*Sample) error {
	return s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		for _, sm := range samples {
			if err := tx.Create(sm).Error; err != nil {
				return err
			}
		}
		var worst int
		if err := tx.Model(&Sample{}).Where("listing_id = ?", l.ID).Select("COALESCE(MAX(class), 0)").Scan(&worst).Error; err != nil {
			return err
		}
		return tx.Model(&Listing{}).Where("id = ?", l.ID).Updates(map[string]any{"contamination_class": worst, "updated_at": s.now()}).Error
	})
}

func (s *Service) addSample(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	var in SampleInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	sm, err := s.AddSample(c, c.Params("id"), &in)
	if err != nil {
		return err
	}
	return c.Status(201).JSON(sm)
}

// Samples lists a listing's lab samples with each parameter's class.
func (s *Service) Samples(c *fiber.Ctx, listingID string) ([]Sample, error) {
	var out []Sample
	if err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
		return tx.Where("listing_id = ?", listingID).Order("created_at").Find(&out).Error
	}); err != nil {
		return nil, err
	}
	for i := range out {
		r, _ := Classify(out[i].Results)
		out[i].PerParam = r.PerParameter
	}
	if out == nil {
		out = []Sample{}
	}
	return out, nil
}

func (s *Service) listSamples(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "read"); err != nil {
		return err
	}
	l, err := s.Get(c, c.Params("id"))
	if err != nil {
		return err
	}
	if AccessTo(c, l) == Hidden {
		return httpx.NotFound()
	}
	out, err := s.Samples(c, l.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": out})
}
