package directory

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// Routes registers the directory API on a tenant-scoped router
// (/api/v1/tenants/:tenant).
func (s *Service) Routes(r fiber.Router) {
	r.Get("/organizations", s.listOrgs)
	r.Post("/organizations", s.createOrg)
	r.Get("/organizations/:id", s.getOrg)
	r.Patch("/organizations/:id", withBody("directory", "update", 200, s.UpdateOrg))
	r.Delete("/organizations/:id", s.deleteOrg)
	r.Get("/organizations/:id/sites", s.listOrgSites)
	r.Post("/organizations/:id/sites", withBody("directory", "update", 201, s.CreateSite))
	r.Get("/organizations/:id/contacts", orgItems(s, "contacts", "read", s.Contacts))
	r.Post("/organizations/:id/contacts", withBody("contacts", "write", 201, s.CreateContact))
	r.Get("/organizations/:id/vehicles", orgItems(s, "directory", "read", s.Vehicles))
	r.Post("/organizations/:id/vehicles", withBody("vehicles", "create", 201, s.CreateVehicle))
	r.Post("/organizations/:id/memberships", s.requestMembership)
	r.Get("/organizations/:id/memberships", s.listOrgMemberships)
	r.Get("/sites", s.listSites)
	r.Get("/sites/:id", s.getSite)
	r.Patch("/sites/:id", withBody("directory", "update", 200, s.UpdateSite))
	r.Delete("/sites/:id", s.deleteSite)
	r.Post("/sites/:id/permits", withBody("directory", "update", 201, s.CreatePermit))
	r.Delete("/permits/:id", s.deletePermit)
	r.Patch("/contacts/:id", s.patchContact)
	r.Delete("/contacts/:id", s.deleteContact)
	r.Post("/vehicles/:id/approve", s.decideVehicle(StatusApproved))
	r.Post("/vehicles/:id/reject", s.decideVehicle(StatusRejected))
	r.Delete("/vehicles/:id", s.deleteVehicle)
	r.Get("/memberships", s.listMemberships)
	r.Post("/memberships/:id/approve", s.decideMembership(StatusApproved))
	r.Post("/memberships/:id/reject", s.decideMembership(StatusRejected))
	r.Get("/registry/:orgnr", s.registryLookup)
	r.Get("/map.geojson", s.mapGeoJSON)
}

// withBody builds the common handler: authorize, take :id, decode the JSON
// body strictly, call the service, answer with status and the result.
func withBody[In, Out any](obj, act string, status int, call func(c *fiber.Ctx, id string, in *In) (Out, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := request.Authorize(c, obj, act); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in In
		if err := httpx.DecodeJSON(c, &in); err != nil {
			return err
		}
		out, err := call(c, id, &in)
		if err != nil {
			return err
		}
		return c.Status(status).JSON(out)
	}
}

// editableOrg loads an organization the principal may change.
func (s *Service) editableOrg(c *fiber.Ctx, id string) (*Organization, error) {
	o, err := s.GetOrg(c, id)
	if err != nil {
		return nil, err
	}
	if !request.CanEditOrg(c, id) {
		return nil, errNotOwn()
	}
	return o, nil
}

// orgItems builds the handler listing an organization's rows: authorize,
// check the organization exists in the tenant, answer {"items": …}.
func orgItems[T any](s *Service, obj, act string, list func(c *fiber.Ctx, orgID string) ([]T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := request.Authorize(c, obj, act); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		if _, err := s.GetOrg(c, id); err != nil {
			return err
		}
		out, err := list(c, id)
		if err != nil {
			return err
		}
		if out == nil {
			out = []T{}
		}
		return c.JSON(fiber.Map{"items": out})
	}
}

// errNotOwn is the service layer's row rule: only organizations one represents.
func errNotOwn() error { return httpx.NewError(403, "not_own_organization", "ErrNotOwnOrganization") }

// idParam returns the :id parameter, answering 404 for malformed IDs.
func idParam(c *fiber.Ctx) (string, error) {
	id := c.Params("id")
	if !store.ValidID(id) {
		return "", httpx.NotFound()
	}
	return id, nil
}

func notFoundOr(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return httpx.NotFound()
	}
	return err
}

// verifiedSelect adds the computed "verified" column.
const verifiedSelect = `organizations.*, EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = organizations.tenant_id AND m.organization_id = organizations.id AND m.status = 'approved') AS verified`

// OrgFilter selects organizations.
type OrgFilter struct {
	Q            string
	Kind         string
	Service      string
	Municipality string
	Limit        int
	Cursor       string
}

// ListOrgs returns a page of organizations sorted by name.
func (s *Service) ListOrgs(c *fiber.Ctx, f OrgFilter) (httpx.Page[Organization], error) {
	var out httpx.Page[Organization]
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
		q := tx.Model(&Organization{}).Select(verifiedSelect)
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
		if f.Cursor != "" {
			name, id, ok := decodeCursor(f.Cursor)
			if !ok {
				v := &httpx.Validation{}
				v.Add("cursor", "invalid", "ErrFieldInvalid")
				return v.Err()
			}
			q = q.Where("(organizations.name > ? OR (organizations.name = ? AND organizations.id > ?))", name, name, id)
		}
		return q.Order("organizations.name, organizations.id").Limit(f.Limit + 1).Find(&out.Items).Error
	})
	if err != nil {
		return out, err
	}
	if len(out.Items) > f.Limit {
		last := out.Items[f.Limit-1]
		out.Items = out.Items[:f.Limit]
		out.NextCursor = encodeCursor(last.Name, last.ID)
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func encodeCursor(a, b string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(a + "\x00" + b))
}

func decodeCursor(s string) (string, string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", "", false
	}
	a, b, ok := strings.Cut(string(raw), "\x00")
	return a, b, ok && store.ValidID(b)
}

// redactOrg hides organization-level e-mail and phone from anonymous
// visitors: for sole proprietorships they are personal data.
func redactOrg(c *fiber.Ctx, o *Organization) {
	if request.Principal(c).Anonymous() {
		o.Email, o.Phone = "", ""
	}
}

func (s *Service) listOrgs(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	limit, err := httpx.Limit(c, 50, 200)
	if err != nil {
		return err
	}
	f := OrgFilter{Q: strings.TrimSpace(c.Query("q")), Kind: c.Query("kind"), Service: c.Query("service"), Municipality: c.Query("municipality"), Limit: limit, Cursor: c.Query("cursor")}
	v := &httpx.Validation{}
	enum(v, "kind", f.Kind, OrgKinds, false)
	enum(v, "service", f.Service, TransportServices, false)
	if len(f.Q) > maxName {
		v.Add("q", "too_long", "ErrFieldTooLong", "Max", maxName)
	}
	if err := v.Err(); err != nil {
		return err
	}
	// Pages are cached per tenant, query and visibility until the tenant's
	// data changes; authorization above runs on every request.
	s.caches()
	t := request.Tenant(c)
	gen := store.Generation(t.ID)
	key := t.ID + "|" + strconv.FormatBool(request.Principal(c).Anonymous()) + "|" + string(c.Request().URI().QueryString())
	if b, ok := s.lists.Get(key, gen); ok {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(b)
	}
	page, err := s.ListOrgs(c, f)
	if err != nil {
		return err
	}
	for i := range page.Items {
		redactOrg(c, &page.Items[i])
	}
	b, err := json.Marshal(page)
	if err != nil {
		return err
	}
	s.lists.Put(key, gen, b)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(b)
}

// GetOrg loads one organization in the request's tenant.
func (s *Service) GetOrg(c *fiber.Ctx, id string) (*Organization, error) {
	var o Organization
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
		return tx.Model(&Organization{}).Select(verifiedSelect).Where("organizations.id = ?", id).Take(&o).Error
	})
	if err != nil {
		return nil, notFoundOr(err)
	}
	return &o, nil
}

func (s *Service) getOrg(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	o, err := s.GetOrg(c, id)
	if err != nil {
		return err
	}
	redactOrg(c, o)
	return c.JSON(o)
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

func (in *OrgInput) apply(o *Organization, v *httpx.Validation) {
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

// CreateOrg registers an organization from the business register; the
// creator, unless a tenant admin, gets a pending admin membership.
func (s *Service) CreateOrg(c *fiber.Ctx, in *OrgInput) (*Organization, error) {
	v := &httpx.Validation{}
	num := ""
	if in.OrgNumber == nil || strings.TrimSpace(*in.OrgNumber) == "" {
		v.Add("org_number", "required", "ErrFieldRequired")
		return nil, v.Err()
	}
	num = checkOrgNumber(v, *in.OrgNumber)
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
	unit, err := s.LookupUnit(request.Ctx(c), num)
	switch {
	case errors.Is(err, ErrRegistryNotFound):
		v.Add("org_number", "unknown", "ErrOrgNumberUnknown", "OrgNumber", num)
		return nil, v.Err()
	case errors.Is(err, ErrRegistryGone):
		v.Add("org_number", "deleted", "ErrOrgNumberDeleted", "OrgNumber", num)
		return nil, v.Err()
	case errors.Is(err, ErrRegistryUnavailable):
		return nil, httpx.NewError(503, "registry_unavailable", "ErrRegistryUnavailable")
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
		if hits, err := s.Geocoder.Geocode(request.Ctx(c), strings.TrimSpace(o.Address+", "+o.Postcode+" "+o.City), 1); err == nil && len(hits) > 0 && geo.InNorway(hits[0].Point) {
			lat, lon := hits[0].Point.Lat, hits[0].Point.Lon
			o.Lat, o.Lon = &lat, &lon
		}
	}
	o.ID = store.NewID()
	p := request.Principal(c)
	o.CreatedBy = p.UserID()
	err = s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		if err := tx.Create(o).Error; err != nil {
			return err
		}
		if request.IsAdmin(c) || p.Anonymous() {
			return nil
		}
		return tx.Create(&Membership{ID: store.NewID(), UserID: p.UserID(), OrganizationID: o.ID, Role: AdminRole, Status: StatusPending, Message: "registered the organization"}).Error
	})
	if store.IsUniqueViolation(err) {
		return nil, httpx.Conflict("ErrOrgDuplicate", "OrgNumber", num)
	}
	return o, err
}

func (s *Service) createOrg(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "create"); err != nil {
		return err
	}
	var in OrgInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	o, err := s.CreateOrg(c, &in)
	if err != nil {
		return err
	}
	return c.Status(201).JSON(o)
}

// UpdateOrg applies a patch to an organization the principal may edit.
func (s *Service) UpdateOrg(c *fiber.Ctx, id string, in *OrgInput) (*Organization, error) {
	o, err := s.GetOrg(c, id)
	if err != nil {
		return nil, err
	}
	if !request.CanEditOrg(c, o.ID) {
		return nil, errNotOwn()
	}
	if in.OrgNumber != nil && NormalizeOrgNumber(*in.OrgNumber) != o.OrgNumber {
		v := &httpx.Validation{}
		v.Add("org_number", "immutable", "ErrFieldInvalid")
		return nil, v.Err()
	}
	v := &httpx.Validation{}
	in.apply(o, v)
	if len(o.Kinds) == 0 {
		v.Add("kinds", "required", "ErrFieldRequired")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		return tx.Model(&Organization{}).Where("id = ?", o.ID).Updates(map[string]any{
			"description": o.Description, "kinds": o.Kinds, "services": o.Services, "website": o.Website,
			"email": o.Email, "phone": o.Phone, "address": o.Address, "postcode": o.Postcode, "city": o.City,
			"lat": o.Lat, "lon": o.Lon, "updated_at": s.now(),
		}).Error
	})
	if err != nil {
		return nil, err
	}
	return s.GetOrg(c, id)
}

func (s *Service) deleteOrg(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "delete"); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := s.GetOrg(c, id); err != nil {
		return err
	}
	if !request.CanAdminOrg(c, id) {
		return errNotOwn()
	}
	err = s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		return tx.Where("id = ?", id).Delete(&Organization{}).Error
	})
	if err != nil {
		return err
	}
	return c.SendStatus(204)
}

// checkOrgNumber normalizes an organization number and records why it is invalid.
func checkOrgNumber(v *httpx.Validation, raw string) string {
	num := NormalizeOrgNumber(raw)
	switch OrgNumberProblem(num) {
	case "format":
		v.Add("org_number", "format", "ErrOrgNumberFormat")
	case "checksum":
		v.Add("org_number", "checksum", "ErrOrgNumberChecksum", "OrgNumber", num)
	}
	return num
}

func (s *Service) registryLookup(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "create"); err != nil {
		return err
	}
	v := &httpx.Validation{}
	num := checkOrgNumber(v, c.Params("orgnr"))
	if err := v.Err(); err != nil {
		return err
	}
	u, err := s.LookupUnit(request.Ctx(c), num)
	switch {
	case errors.Is(err, ErrRegistryNotFound):
		return httpx.NewError(404, "org_number_unknown", "ErrOrgNumberUnknown", "OrgNumber", num)
	case errors.Is(err, ErrRegistryGone):
		return httpx.NewError(410, "org_number_deleted", "ErrOrgNumberDeleted", "OrgNumber", num)
	case errors.Is(err, ErrRegistryUnavailable):
		return httpx.NewError(503, "registry_unavailable", "ErrRegistryUnavailable")
	case err != nil:
		return err
	}
	return c.JSON(u)
}
