package haul

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// DepartInput is a driver's departure: the order, the vehicle, the
// estimated tonnes or m³, a photo, the position and the device's time.
// ReleaseCode, when the sender issued one, releases the load at once.
type DepartInput struct {
	OrderID     string       `json:"order_id"`
	VehicleID   string       `json:"vehicle_id"`
	EstTonnes   float64      `json:"est_tonnes"`
	EstM3       float64      `json:"est_m3"`
	Lat         *float64     `json:"lat,omitempty"`
	Lon         *float64     `json:"lon,omitempty"`
	DeviceAt    string       `json:"device_at,omitempty"`
	ReleaseCode string       `json:"release_code,omitempty"`
	Photos      []PhotoInput `json:"photos,omitempty"`
	// Key is the idempotency key (or the Idempotency-Key header).
	Key string `json:"idempotency_key,omitempty"`
}

// axles of each body type (directory.BodyTypes).
var axles = map[string]int{"tipper_3axle": 3, "tipper_4axle": 4, "semi_tipper": 5, "road_train": 7, "hooklift": 3, "dumper": 3}

func rank(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// meets reports whether a vehicle meets an order's requirements.
func meets(vh *directory.Vehicle, o *Order) bool {
	if min := rank(directory.EuroClasses, strings.ToLower(o.MinEuroClass)); min >= 0 && rank(directory.EuroClasses, vh.EuroClass) < min {
		return false
	}
	if len(o.Fuels) > 0 && rank(o.Fuels, vh.Fuel) < 0 {
		return false
	}
	if o.MaxAxles > 0 && axles[vh.BodyType] > o.MaxAxles {
		return false
	}
	return true
}

// orderOpen refuses an order that is over.
func orderOpen(o *Order) error {
	switch o.Status {
	case "cancelled", "completed", "declined", "rejected":
		return conflict("ErrLoadOrderClosed")
	}
	return nil
}

// inForce reads the agreement in tx and its sealed terms, refusing one
// that is cancelled, completed or not sealed.
func inForce(tx *gorm.DB, id string) (*agreement.Agreement, agreement.Terms, error) {
	ag, t, err := sealedTerms(tx, id)
	if err != nil {
		return nil, t, err
	}
	switch {
	case ag.Status == agreement.StatusCancelled:
		return nil, t, conflict("ErrLoadAgreementCancelled")
	case ag.Status == agreement.StatusCompleted:
		return nil, t, conflict("ErrLoadAgreementCompleted")
	case !ag.InForce():
		return nil, t, conflict("ErrLoadAgreementNotSealed")
	}
	return ag, t, nil
}

// sealedTerms reads an agreement and the terms its parties sealed, in tx,
// whatever its status (a load on the road is received after the agreement
// was completed or cancelled).
func sealedTerms(tx *gorm.DB, id string) (*agreement.Agreement, agreement.Terms, error) {
	var ag agreement.Agreement
	if err := tx.Where("id = ?", id).Take(&ag).Error; err != nil {
		return nil, agreement.Terms{}, store.NotFoundOr(err)
	}
	if ag.SealedVersion == 0 {
		return nil, agreement.Terms{}, conflict("ErrLoadAgreementNotSealed")
	}
	var v agreement.Version
	if err := tx.Where("agreement_id = ? AND version = ?", ag.ID, ag.SealedVersion).Take(&v).Error; err != nil {
		return nil, agreement.Terms{}, store.NotFoundOr(err)
	}
	return &ag, agreement.Terms(v.Terms), nil
}

// tally takes an agreement's tally row, locked for the transaction (an
// update that changes nothing takes the row lock on both engines).
func tally(tx *gorm.DB, agreementID string, now func() Tally) (*Tally, error) {
	t := now()
	t.ID = agreementID
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&t).Error; err != nil {
		return nil, err
	}
	if err := tx.Model(&Tally{}).Where("id = ?", agreementID).Update("updated_at", gorm.Expr("updated_at")).Error; err != nil {
		return nil, err
	}
	var out Tally
	return &out, tx.Where("id = ?", agreementID).Take(&out).Error
}

func (s *Service) newTally() Tally { return Tally{UpdatedAt: s.now()} }

// Depart registers a load leaving the sender's site: the driver is a
// member of the order's transport company and drives one of its approved
// vehicles that meets the order. Without an issued release code the load
// waits for the sender's release (its ReleaseCode on the driver's phone).
func (s *Service) Depart(ctx context.Context, in DepartInput) (*Load, error) {
	a := access.From(ctx)
	v := &fail.Validation{}
	w := where(v, in.Lat, in.Lon, in.DeviceAt)
	switch {
	case in.EstTonnes < 0:
		v.Add("est_tonnes", "negative", "ErrLoadNegative")
	case in.EstTonnes > MaxTonnes:
		v.Add("est_tonnes", "absurd", "ErrLoadTooHeavy", "Max", MaxTonnes)
	}
	switch {
	case in.EstM3 < 0:
		v.Add("est_m3", "negative", "ErrLoadNegative")
	case in.EstM3 > MaxM3:
		v.Add("est_m3", "absurd", "ErrLoadTooLarge", "Max", MaxM3)
	}
	if v.OK() && in.EstTonnes == 0 && in.EstM3 == 0 {
		v.Add("est_tonnes", "required", "ErrLoadEstimateRequired")
	}
	if strings.TrimSpace(in.OrderID) == "" {
		v.Add("order_id", "required", "ErrFieldRequired")
	}
	if strings.TrimSpace(in.VehicleID) == "" {
		v.Add("vehicle_id", "required", "ErrFieldRequired")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	photos, err := checkPhotos("photos", in.Photos)
	if err != nil {
		return nil, err
	}
	if s.Orders == nil || !store.ValidID(in.OrderID) {
		return nil, fail.NotFoundErr()
	}
	o, err := s.Orders.Order(ctx, in.OrderID)
	if err != nil {
		return nil, err
	}
	if a.Principal.Orgs[o.TransporterOrgID] == "" {
		return nil, fail.New(fail.Forbidden, "not_driver", "ErrLoadNotDriver")
	}
	if err := orderOpen(o); err != nil {
		return nil, err
	}
	code := NormalizeCode(in.ReleaseCode)
	return s.once(ctx, in.Key, "depart", func(tx *gorm.DB) (*Load, error) {
		// The photos are checked; they are stored only for a step that
		// will be written (a resend finds its answer before this).
		ag, terms, err := inForce(tx, o.AgreementID)
		if err != nil {
			return nil, err
		}
		var vh directory.Vehicle
		if err := tx.Where("id = ? AND organization_id = ?", in.VehicleID, o.TransporterOrgID).Take(&vh).Error; err != nil || !store.ValidID(in.VehicleID) {
			v.Add("vehicle_id", "unknown", "ErrLoadVehicleUnknown")
			return nil, v.Err()
		}
		switch {
		case vh.Status != directory.StatusApproved:
			v.Add("vehicle_id", "not_approved", "ErrLoadVehicleNotApproved", "Registration", vh.Registration)
		case !meets(&vh, o):
			v.Add("vehicle_id", "requirements", "ErrLoadVehicleRequirements", "Registration", vh.Registration)
		case in.EstTonnes > 0 && vh.PayloadTonnes > 0 && in.EstTonnes > vh.PayloadTonnes*1.5:
			v.Add("est_tonnes", "absurd", "ErrLoadOverPayload", "Payload", vh.PayloadTonnes)
		}
		var rc *ReleaseCode
		if code != "" {
			rc = &ReleaseCode{}
			err := tx.Where("code = ?", code).Take(rc).Error
			switch {
			case err != nil:
				v.Add("release_code", "unknown", "ErrLoadCodeUnknown")
			case rc.UsedAt != nil:
				return nil, conflict("ErrLoadCodeUsed")
			case rc.OrderID != o.ID:
				v.Add("release_code", "other_order", "ErrLoadCodeOtherOrder")
			case !s.now().Before(rc.ExpiresAt):
				v.Add("release_code", "expired", "ErrLoadCodeExpired")
			}
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		t, err := tally(tx, ag.ID, s.newTally)
		if err != nil {
			return nil, err
		}
		t.Loads++
		now := s.now()
		l := &Load{ID: store.NewID(), Number: fmt.Sprintf("%s-%04d", ag.Number, t.Loads), Code: newCode(8), ReleaseCode: newCode(6), Kind: KindDelivery,
			AgreementID: ag.ID, OrderID: o.ID, TransporterOrgID: o.TransporterOrgID, SupplierOrgID: ag.SupplierOrgID, ReceiverOrgID: ag.ReceiverOrgID,
			PickupSiteID: optID(o.PickupSiteID), DeliverySiteID: optID(o.DeliverySiteID), VehicleID: vh.ID, Registration: vh.Registration,
			VehicleBodyType: vh.BodyType, VehiclePayloadTonnes: vh.PayloadTonnes, VehicleFuel: vh.Fuel, VehicleEuroClass: vh.EuroClass, DriverID: a.UserID(),
			Fraction: o.Fraction, Status: StatusAwaiting, Seq: t.Loads, EstTonnes: in.EstTonnes, EstM3: in.EstM3,
			DepLat: w.Lat, DepLon: w.Lon, DepDeviceAt: w.DeviceAt, DepartedAt: now, Checks: Checks{}, Flags: Flags{}, CreatedAt: now, UpdatedAt: now}
		if l.Fraction == "" {
			l.Fraction = ag.Fraction
		}
		if l.PickupSiteID == nil {
			l.PickupSiteID = optID(terms.Supplier.SiteID)
		}
		if l.DeliverySiteID == nil {
			l.DeliverySiteID = optID(terms.Receiver.SiteID)
		}
		timeFlags(&l.Flags, w, now)
		farFlag(tx, &l.Flags, l.PickupSiteID, w, "departure")
		if err := tx.Model(&Tally{}).Where("id = ?", t.ID).Updates(map[string]any{"loads": t.Loads, "updated_at": now}).Error; err != nil {
			return nil, err
		}
		l.Flagged = len(l.Flags) > 0
		if err := tx.Create(l).Error; err != nil {
			return nil, err
		}
		undo, err := s.putPhotos(ctx, photos, in.Photos)
		if err != nil {
			return nil, err
		}
		ok := false
		defer func() {
			if !ok {
				undo()
			}
		}()
		sums, err := savePhotos(tx, l, StepDeparted, photos)
		if err != nil {
			return nil, err
		}
		if err := s.step(tx, l, StepDeparted, o.TransporterOrgID, w, map[string]any{"order_id": o.ID, "est_tonnes": in.EstTonnes, "est_m3": in.EstM3,
			"registration": vh.Registration, "fuel": vh.Fuel, "euro_class": vh.EuroClass, "photo_sha256": sums, "number": l.Number}); err != nil {
			return nil, err
		}
		if rc != nil {
			if err := s.release(tx, l, rc.OrgID, rc.IssuedBy, w, map[string]any{"issued_code": rc.ID}); err != nil {
				return nil, err
			}
			if err := tx.Model(&ReleaseCode{}).Where("id = ? AND used_at IS NULL", rc.ID).Updates(map[string]any{"used_at": now, "load_id": l.ID}).Error; err != nil {
				return nil, err
			}
		}
		if err := s.flagStep(tx, l, 0, o.TransporterOrgID); err != nil {
			return nil, err
		}
		ok = true
		l.Photos = photos
		return l, nil
	})
}

func optID(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// release marks l released in tx and appends the step.
func (s *Service) release(tx *gorm.DB, l *Load, orgID, by string, w Where, data map[string]any) error {
	now := s.now()
	res := tx.Model(&Load{}).Where("id = ? AND status = ?", l.ID, StatusAwaiting).
		Updates(map[string]any{"status": StatusReleased, "released_at": now, "released_by": by, "released_org_id": orgID, "updated_at": now})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return conflict("ErrLoadCodeUsed")
	}
	l.Status, l.ReleasedAt, l.ReleasedBy, l.ReleasedOrgID, l.UpdatedAt = StatusReleased, &now, by, orgID, now
	return s.step(tx, l, StepReleased, orgID, w, data)
}

// ReleaseInput is a sender representative's release of a load: the
// one-time code shown on the driver's phone, typed or scanned.
type ReleaseInput struct {
	Code     string   `json:"code"`
	Lat      *float64 `json:"lat,omitempty"`
	Lon      *float64 `json:"lon,omitempty"`
	DeviceAt string   `json:"device_at,omitempty"`
	Key      string   `json:"idempotency_key,omitempty"`
}

// Release releases the load whose one-time code the sender's
// representative typed or scanned: a member of the load's supplier. A code
// already used is refused.
func (s *Service) Release(ctx context.Context, in ReleaseInput) (*Load, error) {
	a := access.From(ctx)
	v := &fail.Validation{}
	w := where(v, in.Lat, in.Lon, in.DeviceAt)
	code := NormalizeCode(in.Code)
	if code == "" {
		v.Add("code", "required", "ErrFieldRequired")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.once(ctx, in.Key, "release", func(tx *gorm.DB) (*Load, error) {
		var l Load
		if err := tx.Where("release_code = ?", code).Take(&l).Error; err != nil {
			v.Add("code", "unknown", "ErrLoadCodeUnknown")
			return nil, v.Err()
		}
		if a.Principal.Orgs[l.SupplierOrgID] == "" {
			return nil, notParty("ErrLoadNotSender")
		}
		if l.Status != StatusAwaiting {
			return nil, conflict("ErrLoadCodeUsed")
		}
		if _, _, err := inForce(tx, l.AgreementID); err != nil {
			return nil, err
		}
		before := len(l.Flags)
		timeFlags(&l.Flags, w, s.now())
		farFlag(tx, &l.Flags, l.PickupSiteID, w, "release")
		if err := s.release(tx, &l, l.SupplierOrgID, a.UserID(), w, map[string]any{"code": "driver"}); err != nil {
			return nil, err
		}
		if err := s.saveFlags(tx, &l, before, l.SupplierOrgID); err != nil {
			return nil, err
		}
		return &l, nil
	})
}

// saveFlags stores and appends flags a step raised.
func (s *Service) saveFlags(tx *gorm.DB, l *Load, before int, orgID string) error {
	if len(l.Flags) == before {
		return nil
	}
	if err := s.flagStep(tx, l, before, orgID); err != nil {
		return err
	}
	return tx.Model(&Load{}).Where("id = ?", l.ID).Updates(map[string]any{"flags": l.Flags, "flagged": true}).Error
}

// IssueCodeInput asks for a release code for an order.
type IssueCodeInput struct {
	OrderID string `json:"order_id"`
}

// IssueCode gives a sender representative (a member of the order's
// supplier) a code to hand the driver: entered at departure, it releases
// the load. It is valid for one load, for CodeTTL.
func (s *Service) IssueCode(ctx context.Context, in IssueCodeInput) (*ReleaseCode, error) {
	a := access.From(ctx)
	if s.Orders == nil || !store.ValidID(in.OrderID) {
		v := &fail.Validation{}
		v.Add("order_id", "unknown", "ErrFieldInvalid")
		return nil, v.Err()
	}
	o, err := s.Orders.Order(ctx, in.OrderID)
	if err != nil {
		return nil, err
	}
	if a.Principal.Orgs[o.SupplierOrgID] == "" {
		return nil, notParty("ErrLoadNotSender")
	}
	if err := orderOpen(o); err != nil {
		return nil, err
	}
	now := s.now()
	rc := &ReleaseCode{ID: store.NewID(), OrderID: o.ID, AgreementID: o.AgreementID, OrgID: o.SupplierOrgID, IssuedBy: a.UserID(), ExpiresAt: now.Add(CodeTTL), CreatedAt: now}
	for try := 0; ; try++ {
		rc.Code = newCode(6)
		err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
			if _, _, err := inForce(tx, o.AgreementID); err != nil {
				return err
			}
			return tx.Create(rc).Error
		})
		if err == nil || !store.IsUniqueViolation(err) || try == 4 {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return rc, nil
}
