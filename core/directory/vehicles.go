package directory

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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

// NormalizeRegistration writes a registration number in its one stored
// form: upper case, without spaces, dashes, dots or other separators
// ("eb 12345" and "EB-12345" are "EB12345"). A foreign plate keeps its
// country mark: "s: abc 123" is "S:ABC123". Normalising twice is
// normalising once.
func NormalizeRegistration(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case unicode.IsSpace(r), r == '-', r == '.', r == '\u00b7', r == '\u2010', r == '\u2011', r == '\u2013', r == '\u2212',
			unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			continue // separators, invisible format characters, bytes that are not UTF-8
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ForeignCountries are the distinguishing signs (the oval country sticker)
// accepted before a colon to mark a foreign plate: "S:ABC123".
var ForeignCountries = []string{"A", "B", "BG", "CH", "CY", "CZ", "D", "DK", "E", "EST", "F", "FIN", "GB", "GR", "H", "HR", "I", "IRL", "IS", "L", "LT", "LV", "M", "NL", "P", "PL", "RO", "S", "SK", "SLO", "UA"}

// RegistrationProblem says why a normalised registration number is not a
// Norwegian one, as a message ID ("" when it is):
//   - ordinary plates are two letters and five digits, EB12345 (the letter
//     pair tells the region or, for EL, EK, EV, EB, EC, ED, EE, EF, EH and
//     EJ, an electric vehicle: all are just letter pairs);
//   - personalised plates are 2–7 letters (A–Z, Æ, Ø, Å) and digits with at
//     least one letter, and not two letters followed by digits only (which
//     would pass for an ordinary plate with the wrong number of digits);
//   - a foreign plate is refused unless marked with its country's sign and a
//     colon, S:ABC123 (1–10 letters A–Z and digits after the colon).
func RegistrationProblem(reg string) string {
	if reg == "" {
		return "ErrFieldRequired"
	}
	if country, plate, ok := strings.Cut(reg, ":"); ok {
		if !slices.Contains(ForeignCountries, country) {
			return "ErrRegistrationCountry"
		}
		if !foreignRe.MatchString(plate) {
			return "ErrRegistrationFormat"
		}
		return ""
	}
	if ordinaryRe.MatchString(reg) {
		return ""
	}
	if pairDigitsRe.MatchString(reg) || !personalRe.MatchString(reg) || !strings.ContainsFunc(reg, unicode.IsLetter) {
		return "ErrRegistrationFormat"
	}
	return ""
}

var (
	ordinaryRe   = regexp.MustCompile(`^[A-Z]{2}[0-9]{5}$`)
	pairDigitsRe = regexp.MustCompile(`^[A-Z]{2}[0-9]+$`)
	personalRe   = regexp.MustCompile(`^[A-ZÆØÅ0-9]{2,7}$`)
	foreignRe    = regexp.MustCompile(`^[A-Z0-9]{1,10}$`)
)

// FormatRegistration writes a stored registration number for people:
// ordinary plates with a space, "EB 12345"; others as stored.
func FormatRegistration(reg string) string {
	if ordinaryRe.MatchString(reg) {
		return reg[:2] + " " + reg[2:]
	}
	return reg
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
	validateVehicle(v, vh)
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

// validateVehicle checks a vehicle's fields (the registration normalised).
func validateVehicle(v *fail.Validation, vh *Vehicle) {
	switch p := RegistrationProblem(vh.Registration); p {
	case "":
	case "ErrFieldRequired":
		v.Add("registration", "required", p)
	default:
		v.Add("registration", "format", p)
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
}

// UpdateVehicle changes a vehicle of an organization the actor may edit.
// An approved vehicle edited by someone who does not administer the company
// goes back to pending, so an edit cannot bypass approval.
func (s *Service) UpdateVehicle(ctx context.Context, id string, in *VehicleInput) (*Vehicle, error) {
	vh, err := s.Vehicle(ctx, id)
	if err != nil {
		return nil, err
	}
	a := access.From(ctx)
	if !a.CanEditOrg(vh.OrganizationID) {
		return nil, access.NotOwnOrganization()
	}
	nv := *vh
	nv.Registration, nv.Make, nv.Model = NormalizeRegistration(in.Registration), in.Make, in.Model
	nv.BodyType, nv.EuroClass, nv.Fuel, nv.PayloadTonnes, nv.PayloadM3 = in.BodyType, in.EuroClass, in.Fuel, in.PayloadTonnes, in.PayloadM3
	v := &fail.Validation{}
	validateVehicle(v, &nv)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	upd := map[string]any{"registration": nv.Registration, "make": nv.Make, "model": nv.Model, "body_type": nv.BodyType,
		"euro_class": nv.EuroClass, "fuel": nv.Fuel, "payload_tonnes": nv.PayloadTonnes, "payload_m3": nv.PayloadM3, "updated_at": now}
	if nv.Status == StatusApproved && !a.CanAdminOrg(vh.OrganizationID) {
		nv.Status = StatusPending
		upd["status"] = StatusPending
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Model(&Vehicle{}).Where("id = ?", vh.ID).Updates(upd).Error })
	if store.IsUniqueViolation(err) {
		return nil, fail.ConflictErr("ErrVehicleDuplicate", "Registration", FormatRegistration(nv.Registration))
	}
	if err != nil {
		return nil, err
	}
	nv.UpdatedAt = now
	return &nv, nil
}
