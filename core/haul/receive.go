package haul

import (
	"context"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/core/store"
)

// ReceiptInput is the receiver's receipt of a load: the load's code as
// scanned or typed, the weight (a weighbridge value, else the volume and a
// density), the answered check steps, the result with its reason and
// photos, the position and the device's time.
type ReceiptInput struct {
	Code         string       `json:"code"`
	WeightTonnes float64      `json:"weight_tonnes"`
	VolumeM3     float64      `json:"volume_m3"`
	Density      float64      `json:"density"`
	Result       string       `json:"result"`
	Accepted     *float64     `json:"accepted_tonnes,omitempty"`
	Reason       string       `json:"reason,omitempty"`
	Checks       []Check      `json:"checks,omitempty"`
	Lat          *float64     `json:"lat,omitempty"`
	Lon          *float64     `json:"lon,omitempty"`
	DeviceAt     string       `json:"device_at,omitempty"`
	Photos       []PhotoInput `json:"photos,omitempty"`
	Key          string       `json:"idempotency_key,omitempty"`
}

// Alarm levels, in percent of the agreed quantity.
var AlarmLevels = []int{80, 100, 110}

// density is the density a truck's (loose) volume is weighed at: the one
// given, else the agreement's for loose volumes, else the fraction's loose
// density (REFERENCE.md).
func density(given float64, t agreement.Terms, frac string) float64 {
	if given > 0 {
		return given
	}
	if t.Density > 0 && t.VolumeState == "loose" {
		return t.Density
	}
	if f, ok := fraction.ByCode(frac); ok && f.DensityLoose > 0 {
		return f.DensityLoose
	}
	return 1.7
}

// checkReceipt validates a receipt's own fields.
func checkReceipt(in *ReceiptInput, v *fail.Validation) {
	if NormalizeCode(in.Code) == "" {
		v.Add("code", "required", "ErrLoadCodeRequired")
	}
	switch {
	case in.WeightTonnes < 0 || math.IsNaN(in.WeightTonnes):
		v.Add("weight_tonnes", "negative", "ErrLoadNegative")
	case in.WeightTonnes > MaxTonnes:
		v.Add("weight_tonnes", "absurd", "ErrLoadTooHeavy", "Max", MaxTonnes)
	}
	switch {
	case in.VolumeM3 < 0 || math.IsNaN(in.VolumeM3):
		v.Add("volume_m3", "negative", "ErrLoadNegative")
	case in.VolumeM3 > MaxM3:
		v.Add("volume_m3", "absurd", "ErrLoadTooLarge", "Max", MaxM3)
	}
	if in.Density < 0 || in.Density > 3.5 || math.IsNaN(in.Density) {
		v.Add("density", "range", "ErrLoadDensity")
	}
	if rank(Results, in.Result) < 0 {
		v.Add("result", "enum", "ErrLoadResult")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if utf8.RuneCountInString(in.Reason) > MaxText {
		v.Add("reason", "too_long", "ErrFieldTooLong", "Max", MaxText)
	} else if in.Reason == "" && (in.Result == ResultRejected || in.Result == ResultPartly) {
		v.Add("reason", "required", "ErrLoadReasonRequired")
	}
	if in.Result == ResultPartly && in.Accepted == nil {
		v.Add("accepted_tonnes", "required", "ErrFieldRequired")
	}
	if in.Accepted != nil && (*in.Accepted < 0 || math.IsNaN(*in.Accepted)) {
		v.Add("accepted_tonnes", "negative", "ErrLoadNegative")
	}
	for i, c := range in.Checks {
		if utf8.RuneCountInString(c.Note) > MaxText {
			v.Add("checks["+itoa(i)+"].note", "too_long", "ErrFieldTooLong", "Max", MaxText)
		}
	}
	if len(in.Checks) > 50 {
		v.Add("checks", "too_many", "ErrFieldInvalid")
	}
}

// Receive records the receipt of a released load by a member of its
// receiver: the arrival, the weight, the check, the result. The load's
// code must be this load's. Two gates receiving one load at once: the
// second finds it received (409). A rejected load's return to the sender
// becomes a load of its own. A load on the road when its agreement was
// completed or cancelled is still received.
func (s *Service) Receive(ctx context.Context, id string, in ReceiptInput) (*Load, error) {
	a := access.From(ctx)
	v := &fail.Validation{}
	w := where(v, in.Lat, in.Lon, in.DeviceAt)
	checkReceipt(&in, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	photos, err := checkPhotos("photos", in.Photos)
	if err != nil {
		return nil, err
	}
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	code := NormalizeCode(in.Code)
	return s.once(ctx, in.Key, "receive:"+id, func(tx *gorm.DB) (*Load, error) {
		var l Load
		if err := tx.Where("id = ?", id).Take(&l).Error; err != nil {
			return nil, store.NotFoundOr(err)
		}
		if !canRead(a, &l) {
			return nil, fail.NotFoundErr()
		}
		if a.Principal.Orgs[l.ReceiverOrgID] == "" {
			return nil, notParty("ErrLoadNotReceiver")
		}
		if code != l.Code {
			var other int64
			if err := tx.Model(&Load{}).Where("code = ?", code).Count(&other).Error; err != nil {
				return nil, err
			}
			if other > 0 {
				v.Add("code", "other_load", "ErrLoadCodeOtherLoad")
			} else {
				v.Add("code", "unknown", "ErrLoadCodeUnknown")
			}
			return nil, v.Err()
		}
		switch {
		case l.Final():
			return nil, conflict("ErrLoadAlreadyReceived")
		case l.Status == StatusAwaiting:
			return nil, conflict("ErrLoadNotReleased")
		}
		// A load already on the road is received even when the agreement
		// was completed (or cancelled) meanwhile.
		_, terms, err := sealedTerms(tx, l.AgreementID)
		if err != nil {
			return nil, err
		}
		// Weight: a weighbridge value, else volume × density, else the
		// driver's estimate (flagged).
		now := s.now()
		before := len(l.Flags)
		switch {
		case in.WeightTonnes > 0:
			l.WeightMethod, l.WeightTonnes = WeighBridge, in.WeightTonnes
		case in.VolumeM3 > 0:
			l.Density = density(in.Density, terms, l.Fraction)
			l.WeightMethod, l.VolumeM3, l.WeightTonnes = WeighVolume, in.VolumeM3, round3(in.VolumeM3*l.Density)
		default:
			l.WeightMethod, l.WeightTonnes = WeighNone, l.EstTonnes
			if l.WeightTonnes == 0 && l.EstM3 > 0 {
				l.Density = density(in.Density, terms, l.Fraction)
				l.WeightTonnes = round3(l.EstM3 * l.Density)
			}
			l.Flags.add(FlagMissingWeight, "")
		}
		if l.WeightTonnes > MaxTonnes {
			v.Add("volume_m3", "absurd", "ErrLoadTooHeavy", "Max", MaxTonnes)
			return nil, v.Err()
		}
		switch in.Result {
		case ResultAccepted:
			l.AcceptedTonnes, l.Status = l.WeightTonnes, StatusReceived
		case ResultPartly:
			if *in.Accepted <= 0 || *in.Accepted >= l.WeightTonnes {
				v.Add("accepted_tonnes", "range", "ErrLoadPartlyRange", "Weight", l.WeightTonnes)
				return nil, v.Err()
			}
			l.AcceptedTonnes, l.Status = *in.Accepted, StatusPartly
		case ResultRejected:
			l.AcceptedTonnes, l.Status = 0, StatusRejected
		}
		guide, err := s.guide(tx, &l)
		if err != nil {
			return nil, err
		}
		l.Checks, err = answer(guide, in.Checks, v)
		if err != nil {
			return nil, err
		}
		l.Result, l.Reason, l.ArrLat, l.ArrLon, l.ArrDeviceAt, l.ReceivedAt, l.ReceivedBy, l.UpdatedAt = in.Result, in.Reason, w.Lat, w.Lon, w.DeviceAt, &now, a.UserID(), now
		// The tally orders the receipts of one agreement.
		t, err := tally(tx, l.AgreementID, s.newTally)
		if err != nil {
			return nil, err
		}
		// Exactly one receipt: the status moves from released once.
		res := tx.Model(&Load{}).Where("id = ? AND status = ?", l.ID, StatusReleased).Update("status", l.Status)
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 0 {
			return nil, conflict("ErrLoadAlreadyReceived")
		}
		every := terms.SampleEveryNLoads
		if every <= 0 {
			every = DefaultSampleEvery
		}
		delivered := t.DeliveredTonnes
		if l.Kind == KindDelivery {
			t.Received++
			l.SampleDue = t.Received%every == 0
			delivered += l.AcceptedTonnes
		}
		// Plausibility.
		timeFlags(&l.Flags, w, now)
		farFlag(tx, &l.Flags, l.DeliverySiteID, w, "arrival")
		if err := s.plausible(tx, &l, terms, delivered); err != nil {
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
		sums, err := savePhotos(tx, &l, StepReceived, photos)
		if err != nil {
			return nil, err
		}
		l.Flagged = len(l.Flags) > 0
		if err := tx.Model(&Load{}).Where("id = ?", l.ID).Select("weight_method", "weight_tonnes", "volume_m3", "density", "accepted_tonnes", "result", "reason",
			"checks", "arr_lat", "arr_lon", "arr_device_at", "received_at", "received_by", "sample_due", "flags", "flagged", "updated_at").Updates(&l).Error; err != nil {
			return nil, err
		}
		org := l.ReceiverOrgID
		if err := s.step(tx, &l, StepArrived, org, w, map[string]any{"code": "ok"}); err != nil {
			return nil, err
		}
		failed := []string{}
		for _, c := range l.Checks {
			if !c.OK {
				failed = append(failed, c.Key)
			}
		}
		kind := map[string]string{ResultAccepted: StepReceived, ResultPartly: StepPartly, ResultRejected: StepRejected}[in.Result]
		if err := s.step(tx, &l, kind, org, w, map[string]any{"weight_method": l.WeightMethod, "weight_tonnes": l.WeightTonnes, "accepted_tonnes": l.AcceptedTonnes,
			"reason": l.Reason, "failed_checks": failed, "photo_sha256": sums}); err != nil {
			return nil, err
		}
		if err := s.flagStep(tx, &l, before, org); err != nil {
			return nil, err
		}
		if l.Kind == KindDelivery {
			if err := s.account(tx, &l, t, terms, delivered); err != nil {
				return nil, err
			}
			if err := events.Emit(tx, events.LoadReceived{AgreementID: l.AgreementID, LoadID: l.ID, ByOrgID: l.SupplierOrgID, ToOrgID: l.ReceiverOrgID, Tonnes: l.AcceptedTonnes}); err != nil {
				return nil, err
			}
		}
		if in.Result == ResultRejected && l.Kind == KindDelivery {
			if err := s.returnLoad(tx, &l, w); err != nil {
				return nil, err
			}
		}
		ok = true
		l.Photos = photos
		return &l, nil
	})
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func itoa(i int) string { return strconv.Itoa(i) }

// plausible flags what does not add up (K9 point 4): an average speed
// above 100 km/h, arrival before departure, the vehicle elsewhere at the
// same time, a delivered total above the agreed quantity and tolerance.
func (s *Service) plausible(tx *gorm.DB, l *Load, t agreement.Terms, delivered float64) error {
	// The device's times when it gave both (an offline phone's steps
	// reach the server late), else the server's: never one of each.
	dep, arr := l.DepartedAt, *l.ReceivedAt
	if l.DepDeviceAt != nil && l.ArrDeviceAt != nil {
		dep, arr = *l.DepDeviceAt, *l.ArrDeviceAt
	}
	if arr.Before(dep) {
		l.Flags.add(FlagArrivedBefore, "")
	}
	from, okA := sitePoint(tx, l.PickupSiteID)
	if l.DepLat != nil {
		from, okA = geo.Point{Lat: *l.DepLat, Lon: *l.DepLon}, true
	}
	to, okB := sitePoint(tx, l.DeliverySiteID)
	if l.ArrLat != nil {
		to, okB = geo.Point{Lat: *l.ArrLat, Lon: *l.ArrLon}, true
	}
	if okA && okB && !arr.Before(dep) {
		km := geo.HaversineKm(from, to)
		hours := arr.Sub(dep).Hours()
		if km > 1 && (hours <= 0 || km/hours > MaxSpeedKmh) {
			l.Flags.add(FlagSpeed, itoa(int(math.Round(km)))+" km")
		}
	}
	// The same vehicle on another load that departed while this one was
	// on the road.
	var others int64
	if err := tx.Model(&Load{}).Where("vehicle_id = ? AND id <> ? AND kind = ? AND COALESCE(dep_device_at, departed_at) > ? AND COALESCE(dep_device_at, departed_at) < ?",
		l.VehicleID, l.ID, KindDelivery, dep, arr).Count(&others).Error; err != nil {
		return err
	}
	if others > 0 {
		l.Flags.add(FlagVehicleTwice, l.Registration)
	}
	if q := t.QuantityTonnes; q > 0 && l.Kind == KindDelivery && delivered > q*(1+t.TolerancePct/100)+1e-9 {
		l.Flags.add(FlagOverQuantity, "")
	}
	return nil
}

// account updates the agreement's tally, sends the quantity alarms (80,
// 100 and 110 % of the agreed quantity, once each, to both parties and the
// transporter) and completes the agreement when it is delivered and its
// parties chose so.
func (s *Service) account(tx *gorm.DB, l *Load, t *Tally, terms agreement.Terms, delivered float64) error {
	pct := 0
	if q := terms.QuantityTonnes; q > 0 {
		for _, lvl := range AlarmLevels {
			if delivered >= q*float64(lvl)/100-1e-9 && lvl > t.AlarmPct {
				pct = lvl
			}
		}
	}
	upd := map[string]any{"received": t.Received, "delivered_tonnes": delivered, "updated_at": s.now()}
	if pct > 0 {
		upd["alarm_pct"] = pct
	}
	if err := tx.Model(&Tally{}).Where("id = ?", t.ID).Updates(upd).Error; err != nil {
		return err
	}
	if pct > 0 {
		var number string
		if err := tx.Table("agreements").Where("id = ?", l.AgreementID).Pluck("number", &number).Error; err != nil {
			return err
		}
		data := map[string]string{"Number": number, "Pct": itoa(pct), "Tonnes": formatTonnes(delivered), "Agreed": formatTonnes(terms.QuantityTonnes)}
		for _, org := range []string{l.SupplierOrgID, l.ReceiverOrgID, l.TransporterOrgID} {
			if err := notify.Tx(tx, notify.Note{OrganizationID: org, Kind: "load.alarm", Title: "NoteLoadAlarm", Body: "MailLoadAlarm", Data: data,
				Link: "/agreements/" + l.AgreementID + "/loads", Source: "load-alarm:" + l.AgreementID + ":" + itoa(pct), Mail: true}); err != nil {
				return err
			}
		}
	}
	if t.AutoComplete && terms.QuantityTonnes > 0 && delivered >= terms.QuantityTonnes-1e-9 && s.Agreements != nil {
		return s.Agreements.CompleteDelivered(tx, l.AgreementID, l.ReceiverOrgID)
	}
	return nil
}

func formatTonnes(x float64) string {
	return strings.TrimSuffix(strings.TrimRight(strings.TrimRight(strconvF(x), "0"), "."), ".")
}

// returnLoad starts the return of a rejected load to its sender: a load of
// its own, on the road at once, received by the original supplier.
func (s *Service) returnLoad(tx *gorm.DB, l *Load, w Where) error {
	now := s.now()
	r := &Load{ID: store.NewID(), Number: l.Number + "-R", Code: newCode(8), ReleaseCode: newCode(6), Kind: KindReturn, ReturnOfID: &l.ID,
		AgreementID: l.AgreementID, OrderID: l.OrderID, TransporterOrgID: l.TransporterOrgID, SupplierOrgID: l.ReceiverOrgID, ReceiverOrgID: l.SupplierOrgID,
		PickupSiteID: l.DeliverySiteID, DeliverySiteID: l.PickupSiteID, VehicleID: l.VehicleID, Registration: l.Registration,
		VehicleBodyType: l.VehicleBodyType, VehiclePayloadTonnes: l.VehiclePayloadTonnes, VehicleFuel: l.VehicleFuel, VehicleEuroClass: l.VehicleEuroClass, DriverID: l.DriverID,
		Fraction: l.Fraction, Status: StatusReleased, Seq: l.Seq, EstTonnes: l.WeightTonnes, DepLat: w.Lat, DepLon: w.Lon, DepDeviceAt: w.DeviceAt,
		DepartedAt: now, ReleasedAt: &now, ReleasedBy: access.From(ctxOf(tx)).UserID(), ReleasedOrgID: l.ReceiverOrgID, Checks: Checks{}, Flags: Flags{}, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(r).Error; err != nil {
		return err
	}
	if err := s.step(tx, r, StepDeparted, l.ReceiverOrgID, w, map[string]any{"return_of": l.ID, "number": r.Number, "est_tonnes": r.EstTonnes}); err != nil {
		return err
	}
	return s.step(tx, r, StepReleased, l.ReceiverOrgID, w, map[string]any{"return_of": l.ID})
}

func strconvF(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
