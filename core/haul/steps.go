package haul

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// PhotoInput is a photo sent with a step: its file name and bytes (base64
// in JSON). It is checked as every upload is (market.CheckUpload).
type PhotoInput struct {
	Filename string `json:"filename"`
	Data     []byte `json:"data"`
	// CheckKey names the receipt check step a deviation photo belongs to.
	CheckKey string `json:"check_key,omitempty"`
}

// Where is where and when the device says a step happened.
type Where struct {
	Lat, Lon *float64
	DeviceAt *time.Time
}

// where checks a step's position and device time (RFC 3339).
func where(v *fail.Validation, lat, lon *float64, deviceAt string) Where {
	w := Where{Lat: lat, Lon: lon}
	switch {
	case (lat == nil) != (lon == nil):
		v.Add("lon", "required", "ErrFieldRequired")
	case lat != nil && (math.IsNaN(*lat) || *lat < -90 || *lat > 90):
		v.Add("lat", "range", "ErrLoadPosition")
	case lon != nil && (math.IsNaN(*lon) || *lon < -180 || *lon > 180):
		v.Add("lon", "range", "ErrLoadPosition")
	}
	if strings.TrimSpace(deviceAt) != "" {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(deviceAt))
		if err != nil || t.Year() < 2000 {
			v.Add("device_at", "invalid", "ErrLoadDeviceTime")
		} else {
			t = t.UTC().Truncate(time.Microsecond)
			w.DeviceAt = &t
		}
	}
	return w
}

// timeFlags flags a step synced late (over 24 h, over 7 days: kept, never
// dropped) or stamped by a clock running ahead.
func timeFlags(fs *Flags, w Where, now time.Time) {
	if w.DeviceAt == nil {
		return
	}
	lag := now.Sub(*w.DeviceAt)
	switch {
	case lag > StaleAfter:
		fs.add(FlagStale, w.DeviceAt.Format(time.RFC3339))
		fs.add(FlagLateSync, w.DeviceAt.Format(time.RFC3339))
	case lag > LateSync:
		fs.add(FlagLateSync, w.DeviceAt.Format(time.RFC3339))
	case -lag > AheadSlack:
		fs.add(FlagDeviceInFuture, w.DeviceAt.Format(time.RFC3339))
	}
}

// at is the step's time: the device's when given, else the server's.
func (w Where) at(now time.Time) time.Time {
	if w.DeviceAt != nil {
		return *w.DeviceAt
	}
	return now
}

// checkPhotos checks photos before anything is written.
func checkPhotos(field string, in []PhotoInput) ([]Photo, error) {
	out := make([]Photo, 0, len(in))
	if len(in) > 5 {
		v := &fail.Validation{}
		v.Add(field, "too_many", "ErrLoadTooManyPhotos", "Max", 5)
		return nil, v.Err()
	}
	for _, p := range in {
		name, ct, err := market.CheckUpload(field, &market.Upload{Filename: p.Filename, Data: p.Data})
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(ct, "image/") {
			return nil, fail.New(fail.UnsupportedType, "upload_type", "ErrLoadPhotoType")
		}
		sum := sha256.Sum256(p.Data)
		out = append(out, Photo{ID: store.NewID(), Filename: name, ContentType: ct, Size: int64(len(p.Data)), SHA256: hex.EncodeToString(sum[:]), CheckKey: p.CheckKey})
	}
	return out, nil
}

// putPhotos stores the photos' bytes before the step's transaction; undo
// deletes them again when the step fails.
func (s *Service) putPhotos(ctx context.Context, ps []Photo, in []PhotoInput) (undo func(), err error) {
	a := access.From(ctx)
	var stored []string
	undo = func() {
		for _, k := range stored {
			_ = s.Blobs.Delete(context.WithoutCancel(ctx), k) // nothing half-saved
		}
	}
	for i := range ps {
		ps[i].BlobKey = a.TenantID + "/loads/" + ps[i].ID
		if s.Blobs == nil {
			undo()
			return func() {}, errors.New("haul: no blob store")
		}
		if err := s.Blobs.Put(ctx, ps[i].BlobKey, bytes.NewReader(in[i].Data)); err != nil {
			undo()
			return func() {}, err
		}
		stored = append(stored, ps[i].BlobKey)
	}
	return undo, nil
}

// savePhotos records the photos of a step in tx.
func savePhotos(tx *gorm.DB, l *Load, step string, ps []Photo) ([]string, error) {
	a := access.From(ctxOf(tx))
	var sums []string
	for i := range ps {
		ps[i].LoadID, ps[i].Step, ps[i].CreatedBy, ps[i].CreatedAt = l.ID, step, a.UserID(), l.UpdatedAt
		if err := tx.Create(&ps[i]).Error; err != nil {
			return nil, err
		}
		sums = append(sums, ps[i].SHA256)
	}
	return sums, nil
}

// step records one step of a load: appended to the agreement's ledger
// chain and kept on the load's timeline, in tx.
func (s *Service) step(tx *gorm.DB, l *Load, kind, orgID string, w Where, data map[string]any) error {
	if s.Ledger == nil {
		return errors.New("haul: no ledger")
	}
	a := access.From(ctxOf(tx))
	e, err := s.Ledger.Append(tx, ledger.Event{Chain: l.AgreementID, Kind: "load." + kind, LoadID: l.ID, ActorID: a.UserID(), OrgID: orgID,
		VehicleID: l.VehicleID, Lat: w.Lat, Lon: w.Lon, DeviceAt: w.DeviceAt, Data: data})
	if err != nil {
		return err
	}
	return tx.Create(&Event{ID: store.NewID(), LoadID: l.ID, Kind: kind, ActorID: a.UserID(), OrgID: orgID, VehicleID: l.VehicleID,
		Lat: w.Lat, Lon: w.Lon, DeviceAt: w.DeviceAt, ServerAt: e.ServerAt, Data: e.Data, LedgerHash: e.Hash, CreatedAt: e.ServerAt}).Error
}

// flagStep appends the flags raised by a step, when there are new ones.
func (s *Service) flagStep(tx *gorm.DB, l *Load, before int, orgID string) error {
	if len(l.Flags) == before {
		return nil
	}
	kinds := make([]string, 0, len(l.Flags)-before)
	for _, f := range l.Flags[before:] {
		kinds = append(kinds, f.Kind)
	}
	l.Flagged = true
	return s.step(tx, l, StepFlagged, orgID, Where{}, map[string]any{"flags": kinds})
}

// sitePoint is a site's point, when the site is known.
func sitePoint(tx *gorm.DB, id *string) (geo.Point, bool) {
	if id == nil || *id == "" {
		return geo.Point{}, false
	}
	var row struct{ Lat, Lon float64 }
	if err := tx.Table("sites").Select("lat, lon").Where("id = ?", *id).Take(&row).Error; err != nil {
		return geo.Point{}, false
	}
	return geo.Point{Lat: row.Lat, Lon: row.Lon}, true
}

// farFlag flags a position far outside its site.
func farFlag(tx *gorm.DB, fs *Flags, site *string, w Where, which string) {
	if w.Lat == nil {
		return
	}
	if p, ok := sitePoint(tx, site); ok {
		if km := geo.HaversineKm(p, geo.Point{Lat: *w.Lat, Lon: *w.Lon}); km > FarKm {
			fs.add(FlagFarFromSite, which)
		}
	}
}
