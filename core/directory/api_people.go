package directory

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// ContactInput is the body of contact create and update.
type ContactInput struct {
	Name   *string `json:"name"`
	Title  *string `json:"title"`
	Phone  *string `json:"phone"`
	Email  *string `json:"email"`
	SiteID *string `json:"site_id"`
}

func (in *ContactInput) apply(ct *Contact, v *httpx.Validation) {
	text(v, "name", in.Name, maxName, true)
	text(v, "title", in.Title, maxName, false)
	phone(v, "phone", in.Phone)
	email(v, "email", in.Email)
	if in.Name != nil {
		ct.Name = *in.Name
	}
	if in.Title != nil {
		ct.Title = *in.Title
	}
	if in.Phone != nil {
		ct.Phone = *in.Phone
	}
	if in.Email != nil {
		ct.Email = *in.Email
	}
}

// Contacts returns an organization's contact persons.
func (s *Service) Contacts(c *fiber.Ctx, orgID string) ([]Contact, error) {
	var out []Contact
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
		return tx.Where("organization_id = ?", orgID).Order("name").Find(&out).Error
	})
	return out, err
}

// CreateContact adds a contact person to an organization (or one of its sites).
func (s *Service) CreateContact(c *fiber.Ctx, orgID string, in *ContactInput) (*Contact, error) {
	if _, err := s.editableOrg(c, orgID); err != nil {
		return nil, err
	}
	v := &httpx.Validation{}
	if in.Name == nil {
		v.Add("name", "required", "ErrFieldRequired")
	}
	ct := &Contact{ID: store.NewID(), OrganizationID: orgID}
	in.apply(ct, v)
	if in.SiteID != nil && *in.SiteID != "" {
		st, err := s.getSiteRow(c, *in.SiteID)
		if err != nil || st.OrganizationID != orgID {
			v.Add("site_id", "invalid", "ErrFieldInvalid")
		} else {
			ct.SiteID = in.SiteID
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Create(ct).Error }); err != nil {
		return nil, err
	}
	return ct, nil
}

func (s *Service) contactForEdit(c *fiber.Ctx) (*Contact, error) {
	if err := request.Authorize(c, "contacts", "write"); err != nil {
		return nil, err
	}
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	var ct Contact
	if err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&ct).Error }); err != nil {
		return nil, notFoundOr(err)
	}
	if !request.CanEditOrg(c, ct.OrganizationID) {
		return nil, errNotOwn()
	}
	return &ct, nil
}

func (s *Service) patchContact(c *fiber.Ctx) error {
	ct, err := s.contactForEdit(c)
	if err != nil {
		return err
	}
	var in ContactInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	if in.SiteID != nil {
		v := &httpx.Validation{}
		v.Add("site_id", "immutable", "ErrFieldInvalid")
		return v.Err()
	}
	v := &httpx.Validation{}
	in.apply(ct, v)
	if err := v.Err(); err != nil {
		return err
	}
	err = s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		return tx.Model(&Contact{}).Where("id = ?", ct.ID).Updates(map[string]any{"name": ct.Name, "title": ct.Title, "phone": ct.Phone, "email": ct.Email, "updated_at": s.now()}).Error
	})
	if err != nil {
		return err
	}
	return c.JSON(ct)
}

func (s *Service) deleteContact(c *fiber.Ctx) error {
	ct, err := s.contactForEdit(c)
	if err != nil {
		return err
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Where("id = ?", ct.ID).Delete(&Contact{}).Error }); err != nil {
		return err
	}
	return c.SendStatus(204)
}

// VehicleInput is the body of vehicle registration.
type VehicleInput struct {
	Registration  string  `json:"registration"`
	Make          string  `json:"make"`
	Model         string  `json:"model"`
	BodyType      string  `json:"body_type"`
	EuroClass     string  `json:"euro_class"`
	Fuel          string  `json:"fuel"`
	PayloadTonnes float64 `json:"payload_tonnes"`
	PayloadM3     float64 `json:"payload_m3"`
}

// NormalizeRegistration uppercases a Norwegian registration number and drops spaces and dashes.
func NormalizeRegistration(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
}

// Vehicles lists an organization's vehicles; pending and rejected ones only
// for those who may edit the organization (or supervise the tenant).
func (s *Service) Vehicles(c *fiber.Ctx, orgID string) ([]Vehicle, error) {
	var out []Vehicle
	all := request.CanEditOrg(c, orgID) || request.Principal(c).Has(auth.RoleSupervisor)
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
		q := tx.Where("organization_id = ?", orgID)
		if !all {
			q = q.Where("status = ?", StatusApproved)
		}
		return q.Order("registration").Find(&out).Error
	})
	return out, err
}

// CreateVehicle registers a vehicle with a transport company; it is pending
// until the company (an org admin) or a tenant admin approves it. An org admin
// registering their own company's vehicle approves it at once.
func (s *Service) CreateVehicle(c *fiber.Ctx, orgID string, in *VehicleInput) (*Vehicle, error) {
	o, err := s.editableOrg(c, orgID)
	if err != nil {
		return nil, err
	}
	if !o.HasKind("transporter") {
		return nil, httpx.NewError(422, "not_transporter", "ErrVehicleNotTransporter")
	}
	v := &httpx.Validation{}
	vh := &Vehicle{ID: store.NewID(), OrganizationID: orgID, Registration: NormalizeRegistration(in.Registration), Make: in.Make, Model: in.Model,
		BodyType: in.BodyType, EuroClass: in.EuroClass, Fuel: in.Fuel, PayloadTonnes: in.PayloadTonnes, PayloadM3: in.PayloadM3, Status: StatusPending, CreatedBy: request.Principal(c).UserID()}
	if vh.Registration == "" {
		v.Add("registration", "required", "ErrFieldRequired")
	} else if !regRe.MatchString(vh.Registration) {
		v.Add("registration", "invalid", "ErrFieldInvalid")
	}
	text(v, "make", &vh.Make, 60, false)
	text(v, "model", &vh.Model, 60, false)
	enum(v, "body_type", vh.BodyType, BodyTypes, true)
	enum(v, "euro_class", vh.EuroClass, EuroClasses, true)
	enum(v, "fuel", vh.Fuel, Fuels, true)
	if vh.PayloadTonnes <= 0 || vh.PayloadTonnes > 45 || vh.PayloadTonnes != vh.PayloadTonnes {
		v.Add("payload_tonnes", "range", "ErrFieldRange", "Min", 0.1, "Max", 45)
	}
	if vh.PayloadM3 < 0 || vh.PayloadM3 > 40 || vh.PayloadM3 != vh.PayloadM3 {
		v.Add("payload_m3", "range", "ErrFieldRange", "Min", 0, "Max", 40)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if request.CanAdminOrg(c, orgID) {
		now := s.now()
		vh.Status, vh.DecidedBy, vh.DecidedAt = StatusApproved, request.Principal(c).UserID(), &now
	}
	err = s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Create(vh).Error })
	if store.IsUniqueViolation(err) {
		return nil, httpx.Conflict("ErrVehicleDuplicate", "Registration", vh.Registration)
	}
	return vh, err
}

func (s *Service) vehicle(c *fiber.Ctx) (*Vehicle, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	return s.Vehicle(c, id)
}

// Vehicle loads one vehicle of the request's tenant, whatever its status.
func (s *Service) Vehicle(c *fiber.Ctx, id string) (*Vehicle, error) {
	if !store.ValidID(id) {
		return nil, httpx.NotFound()
	}
	var vh Vehicle
	if err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&vh).Error }); err != nil {
		return nil, notFoundOr(err)
	}
	return &vh, nil
}

// DecideVehicle approves or rejects a pending vehicle.
func (s *Service) DecideVehicle(c *fiber.Ctx, vh *Vehicle, status string) error {
	if !request.CanAdminOrg(c, vh.OrganizationID) {
		return errNotOwn()
	}
	now := s.now()
	vh.Status, vh.DecidedBy, vh.DecidedAt = status, request.Principal(c).UserID(), &now
	return s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		return tx.Model(&Vehicle{}).Where("id = ?", vh.ID).Updates(map[string]any{"status": status, "decided_by": vh.DecidedBy, "decided_at": now, "updated_at": now}).Error
	})
}

func (s *Service) decideVehicle(status string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := request.Authorize(c, "vehicles", "approve"); err != nil {
			return err
		}
		vh, err := s.vehicle(c)
		if err != nil {
			return err
		}
		if err := s.DecideVehicle(c, vh, status); err != nil {
			return err
		}
		return c.JSON(vh)
	}
}

func (s *Service) deleteVehicle(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "update"); err != nil {
		return err
	}
	vh, err := s.vehicle(c)
	if err != nil {
		return err
	}
	if !request.CanEditOrg(c, vh.OrganizationID) {
		return errNotOwn()
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Where("id = ?", vh.ID).Delete(&Vehicle{}).Error }); err != nil {
		return err
	}
	return c.SendStatus(204)
}

// MembershipInput is the body of a representation request.
type MembershipInput struct {
	Role    string `json:"role"`
	Message string `json:"message"`
}

// RequestMembership asks to become a verified representative of an organization.
func (s *Service) RequestMembership(c *fiber.Ctx, orgID string, in *MembershipInput) (*Membership, error) {
	if _, err := s.GetOrg(c, orgID); err != nil {
		return nil, err
	}
	v := &httpx.Validation{}
	if in.Role == "" {
		in.Role = MemberRole
	}
	enum(v, "role", in.Role, []string{MemberRole, AdminRole}, true)
	text(v, "message", &in.Message, 1000, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	m := &Membership{ID: store.NewID(), UserID: request.Principal(c).UserID(), OrganizationID: orgID, Role: in.Role, Status: StatusPending, Message: in.Message}
	err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Create(m).Error })
	if store.IsUniqueViolation(err) {
		return nil, httpx.Conflict("ErrMembershipDuplicate")
	}
	return m, err
}

func (s *Service) requestMembership(c *fiber.Ctx) error {
	if err := request.Authorize(c, "memberships", "request"); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in MembershipInput
	if len(c.Body()) > 0 {
		if err := httpx.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	m, err := s.RequestMembership(c, id, &in)
	if err != nil {
		return err
	}
	return c.Status(201).JSON(m)
}

// Memberships lists memberships with user and organization names.
// orgID "" lists the tenant's; userID "" all users'.
func (s *Service) Memberships(c *fiber.Ctx, orgID, userID, status string) ([]Membership, error) {
	var out []Membership
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
		q := tx.Model(&Membership{}).Select("memberships.*, users.name AS user_name, organizations.name AS org_name").
			Joins("JOIN users ON users.id = memberships.user_id").
			Joins("JOIN organizations ON organizations.tenant_id = memberships.tenant_id AND organizations.id = memberships.organization_id")
		if orgID != "" {
			q = q.Where("memberships.organization_id = ?", orgID)
		}
		if userID != "" {
			q = q.Where("memberships.user_id = ?", userID)
		}
		if status != "" {
			q = q.Where("memberships.status = ?", status)
		}
		return q.Order("memberships.created_at DESC").Limit(500).Find(&out).Error
	})
	return out, err
}

func (s *Service) listOrgMemberships(c *fiber.Ctx) error {
	if err := request.Authorize(c, "memberships", "read"); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := s.GetOrg(c, id); err != nil {
		return err
	}
	p := request.Principal(c)
	if !request.CanEditOrg(c, id) && !p.Has(auth.RoleSupervisor) {
		return errNotOwn()
	}
	out, err := s.Memberships(c, id, "", c.Query("status"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": out})
}

// listMemberships lists the caller's own memberships, or with ?all=1 every
// membership in the tenant for tenant admins and supervisors.
func (s *Service) listMemberships(c *fiber.Ctx) error {
	if err := request.Authorize(c, "memberships", "read"); err != nil {
		if err := request.Authorize(c, "memberships", "request"); err != nil {
			return err
		}
	}
	p := request.Principal(c)
	userID := p.UserID()
	if c.Query("all") == "1" {
		if err := request.Authorize(c, "memberships", "read"); err != nil {
			return err
		}
		if !request.IsAdmin(c) && !p.Has(auth.RoleSupervisor) {
			return httpx.Forbidden()
		}
		userID = ""
	}
	out, err := s.Memberships(c, "", userID, c.Query("status"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": out})
}

// DecideMembership approves or rejects a request; org admins decide for their
// organization, tenant admins for any.
func (s *Service) DecideMembership(c *fiber.Ctx, id, status, role string) (*Membership, error) {
	var m Membership
	if err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&m).Error }); err != nil {
		return nil, notFoundOr(err)
	}
	if !request.CanAdminOrg(c, m.OrganizationID) {
		return nil, errNotOwn()
	}
	if m.Status != StatusPending {
		return nil, httpx.Conflict("ErrMembershipDecided")
	}
	if role != "" {
		v := &httpx.Validation{}
		enum(v, "role", role, []string{MemberRole, AdminRole}, true)
		if err := v.Err(); err != nil {
			return nil, err
		}
		m.Role = role
	}
	now := s.now()
	m.Status, m.DecidedBy, m.DecidedAt = status, request.Principal(c).UserID(), &now
	err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		res := tx.Model(&Membership{}).Where("id = ? AND status = ?", m.ID, StatusPending).
			Updates(map[string]any{"status": status, "role": m.Role, "decided_by": m.DecidedBy, "decided_at": now, "updated_at": now})
		if res.Error == nil && res.RowsAffected == 0 {
			return httpx.Conflict("ErrMembershipDecided")
		}
		return res.Error
	})
	return &m, err
}

func (s *Service) decideMembership(status string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := request.Authorize(c, "memberships", "approve"); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in struct {
			Role string `json:"role"`
		}
		if len(c.Body()) > 0 {
			if err := httpx.DecodeJSON(c, &in); err != nil {
				return err
			}
		}
		m, err := s.DecideMembership(c, id, status, in.Role)
		if err != nil {
			return err
		}
		return c.JSON(m)
	}
}

// Feature is a GeoJSON feature.
type Feature struct {
	Type       string         `json:"type"`
	Geometry   map[string]any `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// MapFeatures returns the tenant's sites as GeoJSON features.
func (s *Service) MapFeatures(c *fiber.Ctx, f SiteFilter) ([]Feature, error) {
	f.Limit = 5000
	sites, err := s.ListSites(c, f)
	if err != nil {
		return nil, err
	}
	out := make([]Feature, 0, len(sites))
	for _, st := range sites {
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
		out = append(out, Feature{Type: "Feature", Geometry: map[string]any{"type": "Point", "coordinates": []float64{st.Lon, st.Lat}}, Properties: props})
	}
	return out, nil
}

func (s *Service) mapGeoJSON(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	f, err := s.siteFilter(c)
	if err != nil {
		return err
	}
	feats, err := s.MapFeatures(c, f)
	if err != nil {
		return err
	}
	b, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": feats})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/geo+json")
	return c.Send(b)
}
