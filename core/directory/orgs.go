package directory

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// OrgPages bounds a page of organizations.
var OrgPages = page.Bounds{Default: 50, Max: 200}

// withVerified selects organizations with the computed "verified" column.
// The subquery names the tenant as a value: Citus routes a query to the
// tenant's shard only when every table in it is filtered by a constant
// tenant (docs/scaling.md).
func withVerified(tx *gorm.DB) *gorm.DB {
	tid, _ := store.TenantID(tx.Statement.Context)
	return tx.Model(&Organization{}).Select(`organizations.*, EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = ? AND m.organization_id = organizations.id AND m.status = 'approved') AS verified`, tid)
}

// OrgFilter selects organizations.
type OrgFilter struct {
	Q            string
	Kind         string
	Service      string
	Municipality string
	Page         page.Request
}

func (f *OrgFilter) check() error {
	f.Q = strings.TrimSpace(f.Q)
	v := &fail.Validation{}
	enum(v, "kind", f.Kind, OrgKinds, false)
	enum(v, "service", f.Service, TransportServices, false)
	if len(f.Q) > maxName {
		v.Add("q", "too_long", "ErrFieldTooLong", "Max", maxName)
	}
	return v.Err()
}

// redactOrg hides organization-level e-mail and phone from anonymous
// visitors: for sole proprietorships they are personal data.
func redactOrg(a *access.Actor, o *Organization) {
	if a.Anonymous() {
		o.Email, o.Phone = "", ""
	}
}

// ListOrgs returns a page of organizations sorted by name (keyset on name
// and ID), e-mail and phone hidden from anonymous visitors.
func (s *Service) ListOrgs(ctx context.Context, f OrgFilter) (page.Page[Organization], error) {
	if err := f.check(); err != nil {
		return page.Page[Organization]{}, err
	}
	var rows []Organization
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q := withVerified(tx)
		if f.Q != "" {
			like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
			q = q.Where("(LOWER(organizations.name) LIKE ? ESCAPE '\\' OR LOWER(organizations.description) LIKE ? ESCAPE '\\' OR organizations.org_number = ?)", like, like, f.Q)
		}
		if f.Kind != "" {
			q = q.Where("(',' || organizations.kinds || ',') LIKE ?", "%,"+f.Kind+",%")
		}
		if f.Service != "" {
			q = q.Where("(',' || organizations.services || ',') LIKE ?", "%,"+f.Service+",%")
		}
		if f.Municipality != "" {
			q = q.Where("organizations.municipality_no = ?", f.Municipality)
		}
		q, err := after(q, f.Page.Cursor, "organizations.name", "organizations.id")
		if err != nil {
			return err
		}
		return q.Order("organizations.name, organizations.id").Limit(limit(f.Page, OrgPages)).Find(&rows).Error
	})
	if err != nil {
		return page.Page[Organization]{}, err
	}
	a := access.From(ctx)
	for i := range rows {
		redactOrg(a, &rows[i])
	}
	return page.Cut(rows, size(f.Page, OrgPages), func(o Organization) page.Key { return page.Key{o.Name, o.ID} }), nil
}

// getOrg loads one organization of the context's tenant, unredacted.
func (s *Service) getOrg(ctx context.Context, id string) (*Organization, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var o Organization
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return withVerified(tx).Where("organizations.id = ?", id).Take(&o).Error
	})
	if err != nil {
		return nil, store.NotFoundOr(err)
	}
	return &o, nil
}

// GetOrg loads one organization (e-mail and phone hidden from anonymous
// visitors).
func (s *Service) GetOrg(ctx context.Context, id string) (*Organization, error) {
	o, err := s.getOrg(ctx, id)
	if err != nil {
		return nil, err
	}
	redactOrg(access.From(ctx), o)
	return o, nil
}

// EditableOrg loads an organization the actor may change (its own, or any
// for a tenant admin).
func (s *Service) EditableOrg(ctx context.Context, id string) (*Organization, error) {
	o, err := s.getOrg(ctx, id)
	if err != nil {
		return nil, err
	}
	if !access.From(ctx).CanEditOrg(id) {
		return nil, access.NotOwnOrganization()
	}
	return o, nil
}

// OrgInput is the body of organization create and update.
type OrgInput struct {
	OrgNumber   *string   `json:"org_number"`
	Description *string   `json:"description"`
	Kinds       *[]string `json:"kinds"`
	Services    *[]string `json:"services"`
	Website     *string   `json:"website"`
	Email       *string   `json:"email"`
	Phone       *string   `json:"phone"`
	Address     *string   `json:"address"`
	Postcode    *string   `json:"postcode"`
	City        *string   `json:"city"`
	Lat         *float64  `json:"lat"`
	Lon         *float64  `json:"lon"`
}

func (in *OrgInput) apply(o *Organization, v *fail.Validation) {
	text(v, "description", in.Description, maxText, false)
	website(v, "website", in.Website)
	email(v, "email", in.Email)
	phone(v, "phone", in.Phone)
	text(v, "address", in.Address, maxLine, false)
	pattern(v, "postcode", in.Postcode, postcodeRe)
	text(v, "city", in.City, maxName, false)
	if in.Description != nil {
		o.Description = *in.Description
	}
	if in.Kinds != nil {
		o.Kinds = enumList(v, "kinds", *in.Kinds, OrgKinds)
	}
	if in.Services != nil {
		o.Services = enumList(v, "services", *in.Services, TransportServices)
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&o.Website, in.Website)
	set(&o.Email, in.Email)
	set(&o.Phone, in.Phone)
	set(&o.Address, in.Address)
	set(&o.Postcode, in.Postcode)
	set(&o.City, in.City)
	if (in.Lat == nil) != (in.Lon == nil) {
		v.Add("lon", "required", "ErrFieldRequired")
	} else if in.Lat != nil {
		checkPoint(v, *in.Lat, *in.Lon)
		o.Lat, o.Lon = in.Lat, in.Lon
	}
	if len(o.Services) > 0 && !o.Kinds.Has("transporter") {
		o.Kinds = append(o.Kinds, "transporter")
	}
}

// errRegistryUnavailable is the register being down (503).
func errRegistryUnavailable() error {
	return fail.New(fail.Unavailable, "registry_unavailable", "ErrRegistryUnavailable")
}

// CreateOrg registers an organization from the business register; the
// creator, unless a tenant admin, gets a pending admin membership.
func (s *Service) CreateOrg(ctx context.Context, in *OrgInput) (*Organization, error) {
	v := &fail.Validation{}
	if in.OrgNumber == nil || strings.TrimSpace(*in.OrgNumber) == "" {
		v.Add("org_number", "required", "ErrFieldRequired")
		return nil, v.Err()
	}
	num := checkOrgNumber(v, *in.OrgNumber)
	if err := v.Err(); err != nil {
		return nil, err
	}
	o := &Organization{OrgNumber: num, Kinds: List{}, Services: List{}}
	in.apply(o, v)
	if len(o.Kinds) == 0 {
		v.Add("kinds", "required", "ErrFieldRequired")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	unit, err := s.LookupUnit(ctx, num)
	switch {
	case errors.Is(err, ErrRegistryNotFound):
		v.Add("org_number", "unknown", "ErrOrgNumberUnknown", "OrgNumber", num)
		return nil, v.Err()
	case errors.Is(err, ErrRegistryGone):
		v.Add("org_number", "deleted", "ErrOrgNumberDeleted", "OrgNumber", num)
		return nil, v.Err()
	case errors.Is(err, ErrRegistryUnavailable):
		return nil, errRegistryUnavailable()
	case err != nil:
		return nil, err
	}
	o.Name = DisplayName(unit.Name)
	o.RegistryStatus = unit.Status()
	if o.Address == "" {
		o.Address, o.Postcode, o.City = unit.Address, unit.Postcode, unit.City
	}
	o.MunicipalityNo = unit.MunicipalityNo
	if o.Website == "" && unit.Website != "" {
		o.Website = unit.Website
		if !strings.Contains(o.Website, "://") {
			o.Website = "https://" + o.Website
		}
	}
	if o.Lat == nil && o.Address != "" && s.Geocoder != nil {
		if hits, err := s.Geocoder.Geocode(ctx, strings.TrimSpace(o.Address+", "+o.Postcode+" "+o.City), 1); err == nil && len(hits) > 0 && geo.InNorway(hits[0].Point) {
			lat, lon := hits[0].Point.Lat, hits[0].Point.Lon
			o.Lat, o.Lon = &lat, &lon
		}
	}
	o.ID = store.NewID()
	a := access.From(ctx)
	o.CreatedBy = a.UserID()
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(o).Error; err != nil {
			return err
		}
		if a.IsAdmin() || a.Anonymous() {
			return nil
		}
		return tx.Create(&Membership{ID: store.NewID(), UserID: a.UserID(), OrganizationID: o.ID, Role: AdminRole, Status: StatusPending, Message: "registered the organization"}).Error
	})
	if store.IsUniqueViolation(err) {
		return nil, fail.ConflictErr("ErrOrgDuplicate", "OrgNumber", num)
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

// UpdateOrg applies a patch to an organization the actor may edit.
func (s *Service) UpdateOrg(ctx context.Context, id string, in *OrgInput) (*Organization, error) {
	o, err := s.EditableOrg(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.OrgNumber != nil && NormalizeOrgNumber(*in.OrgNumber) != o.OrgNumber {
		v := &fail.Validation{}
		v.Add("org_number", "immutable", "ErrFieldInvalid")
		return nil, v.Err()
	}
	v := &fail.Validation{}
	in.apply(o, v)
	if len(o.Kinds) == 0 {
		v.Add("kinds", "required", "ErrFieldRequired")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Organization{}).Where("id = ?", o.ID).Updates(map[string]any{
			"description": o.Description, "kinds": o.Kinds, "services": o.Services, "website": o.Website,
			"email": o.Email, "phone": o.Phone, "address": o.Address, "postcode": o.Postcode, "city": o.City,
			"lat": o.Lat, "lon": o.Lon, "updated_at": s.now(),
		}).Error
	})
	if err != nil {
		return nil, err
	}
	return s.GetOrg(ctx, id)
}

// DeleteOrg removes an organization with everything that is its (sites,
// listings, documents and their files); only its org admins and tenant
// admins may (see RemoveOrg, deletes.go).
func (s *Service) DeleteOrg(ctx context.Context, id string) error {
	return s.RemoveOrg(ctx, id, true)
}

// checkOrgNumber normalizes an organization number and records why it is invalid.
func checkOrgNumber(v *fail.Validation, raw string) string {
	num := NormalizeOrgNumber(raw)
	switch OrgNumberProblem(num) {
	case "format":
		v.Add("org_number", "format", "ErrOrgNumberFormat")
	case "checksum":
		v.Add("org_number", "checksum", "ErrOrgNumberChecksum", "OrgNumber", num)
	}
	return num
}

// LookupRegistry looks an organization number up in the business register
// (through the cache): an invalid number is a validation error, an unknown
// one not found, a removed one gone.
func (s *Service) LookupRegistry(ctx context.Context, orgNumber string) (*RegistryUnit, error) {
	v := &fail.Validation{}
	num := checkOrgNumber(v, orgNumber)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := s.LookupUnit(ctx, num)
	switch {
	case errors.Is(err, ErrRegistryNotFound):
		return nil, fail.New(fail.NotFound, "org_number_unknown", "ErrOrgNumberUnknown", "OrgNumber", num)
	case errors.Is(err, ErrRegistryGone):
		return nil, fail.New(fail.Gone, "org_number_deleted", "ErrOrgNumberDeleted", "OrgNumber", num)
	case errors.Is(err, ErrRegistryUnavailable):
		return nil, errRegistryUnavailable()
	case err != nil:
		return nil, err
	}
	return u, nil
}
