// Package usage is the region's usage for its tenant admin (K14): per
// organization and project and period, the number of agreements signed,
// the tonnes agreed and delivered, and the number of loads received, as a
// table, CSV and XLSX.
//
// The figures are the billing meter's (billing.Service.Record), read from
// the durable domain records the meter's events are written with, so the
// two agree for any period:
//
//   - an agreement counts for both parties in the period of its first seal
//     (the agreement_events "sealed" step, written in the transaction that
//     emits agreement.sealed); a later amendment counts nothing more, a
//     cancellation undoes nothing;
//   - agreed tonnes are the sealed version's tonnes less the most tonnes
//     sealed for the agreement before (an amendment that adds tonnes counts
//     the addition in its own period; one that lowers them counts nothing);
//   - delivered tonnes are the accepted tonnes of delivery loads received in
//     the period (load.received; a rejected load adds 0 t), loads the number
//     of delivery loads received (accepted, partly accepted or rejected).
//
// The project is the party's site in the agreement's sealed terms (for a
// load, its pickup site for the supplier and delivery site for the
// receiver).
package usage

import (
	"context"
	"encoding/json"
	"math"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// Row is one organization's usage on one project (ProjectID "" for
// agreements and loads without a site) in the period.
type Row struct {
	OrgID           string  `json:"org_id"`
	OrgName         string  `json:"org_name"`
	ProjectID       string  `json:"project_id,omitempty" doc:"The organization's project or facility (its site in the agreement's terms); empty: none named"`
	ProjectName     string  `json:"project_name,omitempty"`
	Agreements      int     `json:"agreements" doc:"Agreements first signed (sealed) in the period where the organization is a party"`
	AgreedTonnes    float64 `json:"agreed_tonnes" doc:"Tonnes agreed in the period: a new agreement's tonnes, an amendment's addition"`
	DeliveredTonnes float64 `json:"delivered_tonnes" doc:"Accepted tonnes of delivery loads received in the period"`
	Loads           int     `json:"loads" doc:"Delivery loads received in the period (accepted, partly accepted or rejected)"`
}

// Report is the region's usage in [From, To).
type Report struct {
	From  time.Time `json:"from" doc:"First instant of the period (00:00 Europe/Oslo of the from date)"`
	To    time.Time `json:"to" doc:"End of the period, exclusive (00:00 Europe/Oslo after the to date)"`
	Lines []Row     `json:"lines"`
	// Totals per organization are Lines summed; Total over the region
	// (an agreement counts once per party, so Total.Agreements counts each
	// agreement twice: once for each party).
	Total Row `json:"total" doc:"The lines summed (each agreement and load counts once per party organization)"`
}

// Service reads the region's usage.
type Service struct {
	DB *store.DB
}

// MaxSpan is the longest period one report covers.
const MaxSpan = 5 * 366 * 24 * time.Hour

// Oslo is the zone periods are read in.
var Oslo = func() *time.Location {
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

// Period reads a period from two dates (YYYY-MM-DD, both included, Oslo
// days): from "" is the first of now's month, to "" is now's day.
func Period(from, to string, now time.Time) (time.Time, time.Time, error) {
	var v fail.Validation
	local := now.In(Oslo)
	f := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, Oslo)
	t := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, Oslo)
	if from != "" {
		d, err := time.ParseInLocation("2006-01-02", from, Oslo)
		if err != nil || d.Year() < 2000 {
			v.Add("from", "invalid", "ErrFieldInvalid")
		} else {
			f = d
		}
	}
	if to != "" {
		d, err := time.ParseInLocation("2006-01-02", to, Oslo)
		if err != nil || d.Year() > 2200 {
			v.Add("to", "invalid", "ErrFieldInvalid")
		} else {
			t = d
		}
	}
	if v.OK() {
		switch {
		case t.Before(f):
			v.Add("to", "order", "ErrDateOrder")
		case t.Sub(f) > MaxSpan:
			v.Add("to", "too_long", "ErrUsagePeriodTooLong", "Years", 5)
		}
	}
	if err := v.Err(); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return f.UTC(), t.AddDate(0, 0, 1).UTC(), nil
}

type sealRow struct {
	AgreementID string
	Version     int
	CreatedAt   time.Time
}

type partyTerms struct {
	Supplier struct {
		SiteID string `json:"site_id"`
	} `json:"supplier"`
	Receiver struct {
		SiteID string `json:"site_id"`
	} `json:"receiver"`
	QuantityTonnes float64 `json:"quantity_tonnes"`
}

// Report is the region's usage in [from, to): the tenant admin's (and the
// platform's) only.
func (s *Service) Report(ctx context.Context, from, to time.Time) (*Report, error) {
	a := access.From(ctx)
	if !a.IsAdmin() {
		return nil, fail.ForbiddenErr()
	}
	rep := &Report{From: from, To: to, Lines: []Row{}}
	type key struct{ org, site string }
	lines := map[key]*Row{}
	line := func(org, site string) *Row {
		k := key{org, site}
		if lines[k] == nil {
			lines[k] = &Row{OrgID: org, ProjectID: site}
		}
		return lines[k]
	}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		// Seals in the period, and every earlier seal of those agreements.
		var ids []string
		if err := tx.Table("agreement_events").Distinct("agreement_id").
			Where("kind = ? AND created_at >= ? AND created_at < ?", "sealed", from, to).Pluck("agreement_id", &ids).Error; err != nil {
			return err
		}
		if len(ids) > 0 {
			var seals []sealRow
			var ags []struct{ ID, SupplierOrgID, ReceiverOrgID string }
			var versions []struct {
				AgreementID string
				Version     int
				Terms       string
			}
			for _, chunk := range chunks(ids, 500) {
				var ss []sealRow
				if err := tx.Table("agreement_events").Select("agreement_id, version, created_at").
					Where("kind = ? AND created_at < ? AND agreement_id IN ?", "sealed", to, chunk).Order("created_at, version").Scan(&ss).Error; err != nil {
					return err
				}
				seals = append(seals, ss...)
				var as []struct{ ID, SupplierOrgID, ReceiverOrgID string }
				if err := tx.Table("agreements").Select("id, supplier_org_id, receiver_org_id").Where("id IN ?", chunk).Scan(&as).Error; err != nil {
					return err
				}
				ags = append(ags, as...)
				var vs []struct {
					AgreementID string
					Version     int
					Terms       string
				}
				if err := tx.Table("agreement_versions").Select("agreement_id, version, terms").Where("agreement_id IN ?", chunk).Scan(&vs).Error; err != nil {
					return err
				}
				versions = append(versions, vs...)
			}
			terms := map[string]map[int]partyTerms{}
			for _, v := range versions {
				var t partyTerms
				_ = json.Unmarshal([]byte(v.Terms), &t)
				if terms[v.AgreementID] == nil {
					terms[v.AgreementID] = map[int]partyTerms{}
				}
				terms[v.AgreementID][v.Version] = t
			}
			parties := map[string][2]string{}
			for _, ag := range ags {
				parties[ag.ID] = [2]string{ag.SupplierOrgID, ag.ReceiverOrgID}
			}
			sort.SliceStable(seals, func(i, j int) bool { return seals[i].CreatedAt.Before(seals[j].CreatedAt) })
			most := map[string]float64{}
			sealedBefore := map[string]bool{}
			for _, sr := range seals {
				t := terms[sr.AgreementID][sr.Version]
				in := !sr.CreatedAt.Before(from)
				added := math.Max(0, t.QuantityTonnes-most[sr.AgreementID])
				first := !sealedBefore[sr.AgreementID]
				sealedBefore[sr.AgreementID] = true
				most[sr.AgreementID] = math.Max(most[sr.AgreementID], t.QuantityTonnes)
				if !in {
					continue
				}
				p := parties[sr.AgreementID]
				for i, org := range p {
					if org == "" {
						continue
					}
					site := t.Supplier.SiteID
					if i == 1 {
						site = t.Receiver.SiteID
					}
					l := line(org, site)
					if first {
						l.Agreements++
					}
					l.AgreedTonnes += added
				}
			}
		}
		// Delivery loads received in the period.
		var loads []struct {
			SupplierOrgID, ReceiverOrgID string
			PickupSiteID, DeliverySiteID *string
			AcceptedTonnes               float64
		}
		if err := tx.Table("loads").Select("supplier_org_id, receiver_org_id, pickup_site_id, delivery_site_id, accepted_tonnes").
			Where("kind = ? AND status IN ? AND received_at >= ? AND received_at < ?", "delivery", []string{"received", "partly_accepted", "rejected"}, from, to).
			Scan(&loads).Error; err != nil {
			return err
		}
		for _, l := range loads {
			for _, p := range []struct {
				org  string
				site *string
			}{{l.SupplierOrgID, l.PickupSiteID}, {l.ReceiverOrgID, l.DeliverySiteID}} {
				site := ""
				if p.site != nil {
					site = *p.site
				}
				ln := line(p.org, site)
				ln.Loads++
				ln.DeliveredTonnes += l.AcceptedTonnes
			}
		}
		// Names.
		orgs, sites := map[string]bool{}, map[string]bool{}
		for k := range lines {
			orgs[k.org] = true
			if k.site != "" {
				sites[k.site] = true
			}
		}
		names := map[string]string{}
		for _, q := range []struct {
			table string
			ids   map[string]bool
		}{{"organizations", orgs}, {"sites", sites}} {
			ids := make([]string, 0, len(q.ids))
			for id := range q.ids {
				ids = append(ids, id)
			}
			for _, chunk := range chunks(ids, 500) {
				var rows []struct{ ID, Name string }
				if err := tx.Table(q.table).Select("id, name").Where("id IN ?", chunk).Scan(&rows).Error; err != nil {
					return err
				}
				for _, r := range rows {
					names[r.ID] = r.Name
				}
			}
		}
		for _, l := range lines {
			l.OrgName, l.ProjectName = names[l.OrgID], names[l.ProjectID]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		l.AgreedTonnes, l.DeliveredTonnes = round3(l.AgreedTonnes), round3(l.DeliveredTonnes)
		rep.Lines = append(rep.Lines, *l)
		rep.Total.Agreements += l.Agreements
		rep.Total.AgreedTonnes += l.AgreedTonnes
		rep.Total.DeliveredTonnes += l.DeliveredTonnes
		rep.Total.Loads += l.Loads
	}
	rep.Total.AgreedTonnes, rep.Total.DeliveredTonnes = round3(rep.Total.AgreedTonnes), round3(rep.Total.DeliveredTonnes)
	sort.Slice(rep.Lines, func(i, j int) bool {
		a, b := rep.Lines[i], rep.Lines[j]
		if a.OrgName != b.OrgName {
			return a.OrgName < b.OrgName
		}
		if a.OrgID != b.OrgID {
			return a.OrgID < b.OrgID
		}
		return a.ProjectName < b.ProjectName
	})
	return rep, nil
}

// ByOrg sums the report's lines per organization (the billing meter's
// granularity).
func (r *Report) ByOrg() map[string]Row {
	out := map[string]Row{}
	for _, l := range r.Lines {
		x := out[l.OrgID]
		x.OrgID, x.OrgName = l.OrgID, l.OrgName
		x.Agreements += l.Agreements
		x.AgreedTonnes = round3(x.AgreedTonnes + l.AgreedTonnes)
		x.DeliveredTonnes = round3(x.DeliveredTonnes + l.DeliveredTonnes)
		x.Loads += l.Loads
		out[l.OrgID] = x
	}
	return out
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func chunks(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}
