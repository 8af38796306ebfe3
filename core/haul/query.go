package haul

import (
	"context"
	"errors"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/blob"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Bounds are the page sizes of load lists.
var Bounds = page.Bounds{Default: 50, Max: 200}

// Filter selects loads in a list.
type Filter struct {
	AgreementID string
	Status      string
	// Flagged: only loads with plausibility flags.
	Flagged bool
	// Code: the load whose code the receiver scanned or typed.
	Code string
	// Driver: only the actor's own loads as a driver.
	Driver bool
	// Gate: the loads expected at the actor's organizations (on the road
	// or waiting for release) and those received there today.
	Gate bool
	Page page.Request
}

func withNames(tx *gorm.DB) *gorm.DB {
	return tx.Model(&Load{}).Select("loads.*, sup.name AS supplier_name, rec.name AS receiver_name, tr.name AS transporter_name").
		Joins("JOIN organizations sup ON sup.tenant_id = loads.tenant_id AND sup.id = loads.supplier_org_id").
		Joins("JOIN organizations rec ON rec.tenant_id = loads.tenant_id AND rec.id = loads.receiver_org_id").
		Joins("JOIN organizations tr ON tr.tenant_id = loads.tenant_id AND tr.id = loads.transporter_org_id")
}

func myOrgs(a *access.Actor) []string {
	out := make([]string, 0, len(a.Principal.Orgs))
	for o := range a.Principal.Orgs {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}

// shown hides what the reader may not see: the codes are the driver's
// company's alone (the receiver scans them from the driver's phone).
func shown(a *access.Actor, l *Load) {
	if a.Principal.Orgs[l.TransporterOrgID] == "" {
		l.Code, l.ReleaseCode = "", ""
	}
	if l.Checks == nil {
		l.Checks = Checks{}
	}
	if l.Flags == nil {
		l.Flags = Flags{}
	}
}

// List lists the loads the actor may see, newest first: its
// organizations' (as supplier, receiver or transporter), every one for
// supervisors and tenant admins.
func (s *Service) List(ctx context.Context, f Filter) (page.Page[Load], error) {
	a := access.From(ctx)
	var none page.Page[Load]
	if a.Anonymous() {
		return none, fail.UnauthorizedErr()
	}
	if f.Status != "" && rank(Statuses, f.Status) < 0 {
		v := &fail.Validation{}
		v.Add("status", "enum", "ErrFieldInvalid")
		return none, v.Err()
	}
	if f.AgreementID != "" && !store.ValidID(f.AgreementID) {
		return page.Page[Load]{Items: []Load{}}, nil
	}
	var out []Load
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q := withNames(tx)
		orgs := myOrgs(a)
		switch {
		case f.Driver:
			q = q.Where("loads.driver_id = ?", a.UserID())
		case f.Gate:
			start := StartOfDay(s.now())
			q = q.Where("loads.receiver_org_id IN ? AND (loads.status IN ? OR loads.received_at >= ?)", orgs, []string{StatusAwaiting, StatusReleased}, start)
		case !observer(a):
			q = q.Where("loads.supplier_org_id IN ? OR loads.receiver_org_id IN ? OR loads.transporter_org_id IN ?", orgs, orgs, orgs)
		}
		if f.AgreementID != "" {
			q = q.Where("loads.agreement_id = ?", f.AgreementID)
		}
		if f.Status != "" {
			q = q.Where("loads.status = ?", f.Status)
		}
		if f.Flagged {
			q = q.Where("loads.flagged = ?", true)
		}
		if f.Code != "" {
			q = q.Where("loads.code = ?", NormalizeCode(f.Code))
		}
		if f.Page.Cursor != "" {
			k, err := page.Decode(f.Page.Cursor, 1)
			if err != nil {
				return err
			}
			q = q.Where("loads.id < ?", k[0])
		}
		return q.Order("loads.id DESC").Limit(f.Page.Limit + 1).Find(&out).Error
	})
	if err != nil {
		return none, err
	}
	for i := range out {
		shown(a, &out[i])
	}
	return page.Cut(out, f.Page.Limit, func(l Load) page.Key { return page.Key{l.ID} }), nil
}

// Get is one load the actor may see, with its steps and photos.
func (s *Service) Get(ctx context.Context, id string) (*Load, error) {
	a := access.From(ctx)
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	var l Load
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := withNames(tx).Where("loads.id = ?", id).Take(&l).Error; err != nil {
			return store.NotFoundOr(err)
		}
		if !canRead(a, &l) {
			return fail.NotFoundErr()
		}
		if err := tx.Where("load_id = ?", id).Order("server_at, id").Find(&l.Events).Error; err != nil {
			return err
		}
		return tx.Where("load_id = ?", id).Order("created_at, id").Find(&l.Photos).Error
	})
	if err != nil {
		return nil, err
	}
	if l.Baseline != "" {
		l.BaselineDetail = &ClimateBaseline{}
		_ = jsonScan(l.Baseline, l.BaselineDetail)
	}
	shown(a, &l)
	return &l, nil
}

// Photo reads a load's photo (checked against its SHA-256) for those who
// may see the load.
func (s *Service) Photo(ctx context.Context, id string) (*Photo, []byte, error) {
	if !store.ValidID(id) {
		return nil, nil, fail.NotFoundErr()
	}
	var p Photo
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&p).Error }); err != nil {
		return nil, nil, store.NotFoundOr(err)
	}
	if _, err := s.Get(ctx, p.LoadID); err != nil {
		return nil, nil, err
	}
	data, err := blob.ReadVerified(ctx, s.Blobs, p.BlobKey, p.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return &p, data, nil
}

// DriverSetup is what the driver picks from: the open orders of the
// actor's transport companies and their approved vehicles.
type DriverSetup struct {
	Orders   []Order             `json:"orders"`
	Vehicles []directory.Vehicle `json:"vehicles"`
}

// Driver lists the open orders and approved vehicles of the transport
// companies the actor drives for.
func (s *Service) Driver(ctx context.Context) (*DriverSetup, error) {
	a := access.From(ctx)
	out := &DriverSetup{Orders: []Order{}, Vehicles: []directory.Vehicle{}}
	var transporters []string
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		orgs := myOrgs(a)
		if len(orgs) == 0 {
			return nil
		}
		if err := tx.Model(&directory.Vehicle{}).Where("organization_id IN ? AND status = ?", orgs, directory.StatusApproved).
			Order("registration, id").Find(&out.Vehicles).Error; err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, vh := range out.Vehicles {
			if !seen[vh.OrganizationID] {
				seen[vh.OrganizationID] = true
				transporters = append(transporters, vh.OrganizationID)
			}
		}
		return nil
	})
	if err != nil || s.Orders == nil {
		return out, err
	}
	for _, org := range transporters {
		os, err := s.Orders.OpenOrders(ctx, org)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			if o.TransporterOrgID == org {
				out.Orders = append(out.Orders, o)
			}
		}
	}
	return out, nil
}

// TallyOf is an agreement's tally of loads, for those who see the
// agreement's loads (its parties, supervisors and tenant admins).
func (s *Service) TallyOf(ctx context.Context, agreementID string) (*Tally, error) {
	a := access.From(ctx)
	if !store.ValidID(agreementID) {
		return nil, fail.NotFoundErr()
	}
	var t Tally
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		var ag struct{ SupplierOrgID, ReceiverOrgID, Status string }
		if err := tx.Table("agreements").Select("supplier_org_id, receiver_org_id, status").Where("id = ?", agreementID).Take(&ag).Error; err != nil {
			return store.NotFoundOr(err)
		}
		if !observer(a) && a.Principal.Orgs[ag.SupplierOrgID] == "" && a.Principal.Orgs[ag.ReceiverOrgID] == "" {
			return fail.NotFoundErr()
		}
		err := tx.Where("id = ?", agreementID).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			t = Tally{ID: agreementID}
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// AutoCompleteInput turns automatic completion on or off.
type AutoCompleteInput struct {
	AutoComplete bool `json:"auto_complete"`
}

// SetAutoComplete decides whether the agreement completes by itself when
// its agreed quantity is received: a binding choice, taken by an admin of
// a party (as completing it by hand is).
func (s *Service) SetAutoComplete(ctx context.Context, agreementID string, in AutoCompleteInput) (*Tally, error) {
	a := access.From(ctx)
	if _, err := s.TallyOf(ctx, agreementID); err != nil {
		return nil, err
	}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		ag, _, err := inForce(tx, agreementID)
		if err != nil {
			return err
		}
		if a.Principal.Orgs[ag.SupplierOrgID] != "admin" && a.Principal.Orgs[ag.ReceiverOrgID] != "admin" {
			return notParty("ErrLoadAutoCompleteAdmin")
		}
		if a.Principal.Token != nil {
			return notParty("ErrLoadAutoCompleteAdmin")
		}
		if _, err := tally(tx, agreementID, s.newTally); err != nil {
			return err
		}
		return tx.Model(&Tally{}).Where("id = ?", agreementID).Updates(map[string]any{"auto_complete": in.AutoComplete, "updated_at": s.now()}).Error
	})
	if err != nil {
		return nil, err
	}
	return s.TallyOf(ctx, agreementID)
}

// StartOfDay is the start of t's day in Norway (Europe/Oslo), in UTC: the
// gate's "today" is the receiver's day, not the server's.
func StartOfDay(t time.Time) time.Time {
	l := numfmt.Local(t)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, numfmt.Oslo).UTC()
}
