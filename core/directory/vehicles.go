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

// VehiclePages bounds a page of vehicles.
var VehiclePages = page.Bounds{Default: 100, Max: 500}

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

// Vehicles returns a page of an organization's vehicles by registration;
// pending and rejected ones only for those who may edit the organization
// (or supervise the tenant).
func (s *Service) Vehicles(ctx context.Context, orgID string, r page.Request) (page.Page[Vehicle], error) {
	if _, err := s.getOrg(ctx, orgID); err != nil {
		return page.Page[Vehicle]{}, err
	}
	a := access.From(ctx)
	all := a.CanEditOrg(orgID) || supervises(a)
	var rows []Vehicle
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q := tx.Where("organization_id = ?", orgID)
		if !all {
			q = q.Where("status = ?", StatusApproved)
		}
		q, err := after(q, r.Cursor, "registration", "id")
		if err != nil {
			return err
		}
		return q.Order("registration, id").Limit(limit(r, VehiclePages)).Find(&rows).Error
	})
	if err != nil {
		return page.Page[Vehicle]{}, err
	}
	return page.Cut(rows, size(r, VehiclePages), func(v Vehicle) page.Key { return page.Key{v.Registration, v.ID} }), nil
}

// CreateVehicle registers a vehicle with a transport company the actor
// represents; it is pending until the company (an org admin) or a tenant
// admin approves it. An org admin registering their own company's vehicle
// approves it at once.
func (s *Service) CreateVehicle(ctx context.Context, orgID string, in *VehicleInput) (*Vehicle, error) {
	o, err := s.EditableOrg(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !o.HasKind("transporter") {
		return nil, fail.New(fail.Invalid, "not_transporter", "ErrVehicleNotTransporter")
	}
	a := access.From(ctx)
	v := &fail.Validation{}
	vh := &Vehicle{ID: store.NewID(), OrganizationID: orgID, Registration: NormalizeRegistration(in.Registration), Make: in.Make, Model: in.Model,
		BodyType: in.BodyType, EuroClass: in.EuroClass, Fuel: in.Fuel, PayloadTonnes: in.PayloadTonnes, PayloadM3: in.PayloadM3, Status: StatusPending, CreatedBy: a.UserID()}
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
	if a.CanAdminOrg(orgID) {
		now := s.now()
		vh.Status, vh.DecidedBy, vh.DecidedAt = StatusApproved, a.UserID(), &now
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(vh).Error })
	if store.IsUniqueViolation(err) {
		return nil, fail.ConflictErr("ErrVehicleDuplicate", "Registration", vh.Registration)
	}
	if err != nil {
		return nil, err
	}
	return vh, nil
}

// Vehicle loads one vehicle of the context's tenant, whatever its status.
func (s *Service) Vehicle(ctx context.Context, id string) (*Vehicle, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var vh Vehicle
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&vh).Error }); err != nil {
		return nil, store.NotFoundOr(err)
	}
	return &vh, nil
}

// DecideVehicle approves or rejects a vehicle (status StatusApproved or
// StatusRejected); the company's org admins and tenant admins decide.
func (s *Service) DecideVehicle(ctx context.Context, id, status string) (*Vehicle, error) {
	if status != StatusApproved && status != StatusRejected {
		v := &fail.Validation{}
		v.Add("status", "enum", "ErrFieldEnum", "Allowed", joinAllowed([]string{StatusApproved, StatusRejected}))
		return nil, v.Err()
	}
	vh, err := s.Vehicle(ctx, id)
	if err != nil {
		return nil, err
	}
	a := access.From(ctx)
	if !a.CanAdminOrg(vh.OrganizationID) {
		return nil, access.NotOwnOrganization()
	}
	now := s.now()
	vh.Status, vh.DecidedBy, vh.DecidedAt = status, a.UserID(), &now
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Vehicle{}).Where("id = ?", vh.ID).Updates(map[string]any{"status": status, "decided_by": vh.DecidedBy, "decided_at": now, "updated_at": now}).Error
	})
	if err != nil {
		return nil, err
	}
	return vh, nil
}

// DeleteVehicle removes a vehicle of an organization the actor may edit.
func (s *Service) DeleteVehicle(ctx context.Context, id string) error {
	vh, err := s.Vehicle(ctx, id)
	if err != nil {
		return err
	}
	if !access.From(ctx).CanEditOrg(vh.OrganizationID) {
		return access.NotOwnOrganization()
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", vh.ID).Delete(&Vehicle{}).Error })
}
