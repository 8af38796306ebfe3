package transport

import (
	"context"
	"math"
	"sort"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/geo"
)

// vehiclesTx are the approved vehicles of the organizations, by
// organization.
func vehiclesTx(tx *gorm.DB, orgIDs []string) (map[string][]Truck, error) {
	var rows []directory.Vehicle
	q := tx.Where("status = ?", directory.StatusApproved)
	if orgIDs != nil {
		q = q.Where("organization_id IN ?", orgIDs)
	}
	if err := q.Order("organization_id, payload_tonnes DESC, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string][]Truck{}
	for _, v := range rows {
		out[v.OrganizationID] = append(out[v.OrganizationID], Truck{ID: v.ID, BodyType: v.BodyType, Axles: Axles[v.BodyType], EuroClass: v.EuroClass,
			Fuel: v.Fuel, PayloadTonnes: v.PayloadTonnes, PayloadM3: v.PayloadM3})
	}
	return out, nil
}

// siteName is a site's name and point.
type siteRow struct {
	ID, Name, OrganizationID string
	Lat, Lon                 float64
}

func siteTx(tx *gorm.DB, id string) (siteRow, error) {
	var s siteRow
	err := tx.Table("sites").Select("id, name, organization_id, lat, lon").Where("id = ?", id).Take(&s).Error
	return s, err
}

// Booking is what a party of a sealed agreement needs to book transport:
// the agreement's period, sites and transport terms, and the region's
// transport companies (those with at least one approved vehicle) with
// their services, approved vehicles and straight-line distance to the
// pickup site, nearest first (those without a point last).
func (s *Service) Booking(ctx context.Context, agreementID string) (*Booking, error) {
	a := access.From(ctx)
	var b *Booking
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		sa, err := agreementTx(tx, agreementID)
		if err != nil {
			return err
		}
		if _, err := seeAgreement(a, sa, ""); err != nil {
			return err
		}
		if err := bookable(sa); err != nil {
			return err
		}
		t := sa.terms
		b = &Booking{AgreementID: sa.ag.ID, AgreementNumber: sa.ag.Number, Fraction: sa.ag.Fraction, PeriodFrom: t.PeriodFrom, PeriodTo: t.PeriodTo,
			Transport: t.Transport, Transporter: t.Transporter, PickupSiteID: t.Supplier.SiteID, DeliverySiteID: t.Receiver.SiteID, Companies: []Company{}, DirectOrgIDs: []string{}}
		pick, err := siteTx(tx, t.Supplier.SiteID)
		if err != nil {
			return err
		}
		del, err := siteTx(tx, t.Receiver.SiteID)
		if err != nil {
			return err
		}
		b.PickupName, b.DeliveryName = pick.Name, del.Name
		vs, err := vehiclesTx(tx, nil)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(vs))
		for id := range vs {
			ids = append(ids, id)
		}
		var orgs []directory.Organization
		if len(ids) > 0 {
			if err := tx.Where("id IN ?", ids).Find(&orgs).Error; err != nil {
				return err
			}
		}
		mine := orgsOf(a)
		for _, o := range orgs {
			c := Company{OrganizationID: o.ID, Name: o.Name, City: o.City, Services: []string(o.Services), Vehicles: vs[o.ID]}
			if c.Services == nil {
				c.Services = []string{}
			}
			if o.Lat != nil && o.Lon != nil {
				d := math.Round(geo.HaversineKm(geo.Point{Lat: *o.Lat, Lon: *o.Lon}, geo.Point{Lat: pick.Lat, Lon: pick.Lon})*10) / 10
				c.DistanceKm = &d
			}
			b.Companies = append(b.Companies, c)
			if mine[o.ID] && (o.ID == sa.ag.SupplierOrgID || o.ID == sa.ag.ReceiverOrgID) {
				b.DirectOrgIDs = append(b.DirectOrgIDs, o.ID)
			}
		}
		sort.SliceStable(b.Companies, func(i, j int) bool {
			ci, cj := b.Companies[i], b.Companies[j]
			switch {
			case ci.DistanceKm == nil || cj.DistanceKm == nil:
				if (ci.DistanceKm == nil) != (cj.DistanceKm == nil) {
					return cj.DistanceKm == nil
				}
			case *ci.DistanceKm != *cj.DistanceKm:
				return *ci.DistanceKm < *cj.DistanceKm
			}
			return ci.Name < cj.Name
		})
		sort.Strings(b.DirectOrgIDs)
		return nil
	})
	return b, err
}
