package agreement

import (
	"context"
	"sort"
	"strings"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
)

// Start is what a new agreement is drawn from: a listing, optionally the
// counterpart listing of a match, a dialog and a match.
type Start struct {
	ListingID, CounterpartID, DialogID, MatchID string
}

// NewInput prefills the terms of a new agreement from a listing (and the
// counterpart of a match) and the actor's organization: the parties by the
// listings' kinds, the fraction, what is left of the quantity, the period
// the windows share, the price or gate fee, the delivery point and opening
// hours of the receiving site, and the usual receipt-control terms.
func (s *Service) NewInput(ctx context.Context, st Start) (*Input, error) {
	a := access.From(ctx)
	if len(a.Principal.Orgs) == 0 {
		return nil, fail.New(fail.Forbidden, "not_party", "ErrAgreementNotParty")
	}
	l, err := s.Market.Get(ctx, st.ListingID)
	if err != nil {
		return nil, err
	}
	var c *market.Listing
	if st.CounterpartID != "" {
		if c, err = s.Market.Get(ctx, st.CounterpartID); err != nil {
			return nil, err
		}
	}
	lang := a.Locale
	if !inSet(lang, Locales) {
		lang = "nb"
	}
	in := &Input{TemplateKey: "delivery", Locale: lang, DialogID: st.DialogID, MatchID: st.MatchID, Title: l.Title,
		ListingIDs: []string{l.ID}, Fractions: l.Fractions, ConditionClass: l.ContaminationClass, TolerancePct: 10,
		PriceUnit: "t", Payer: "receiver_pays", VisualCheckEachLoad: true, SampleEveryNLoads: 50, VolumeState: "in_place",
		QualityRequirements: tr(lang, "AgreementDefaultQuality"), RejectedLoad: tr(lang, "AgreementDefaultRejected"),
		InvasiveSpecies: tr(lang, "AgreementDefaultInvasive")}
	mine := ""
	var orgs []string
	for o := range a.Principal.Orgs {
		orgs = append(orgs, o)
	}
	sort.Strings(orgs)
	for _, o := range orgs {
		if o != l.OrganizationID {
			mine = o
			break
		}
	}
	other := mine
	if c != nil {
		other = c.OrganizationID
		in.ListingIDs = append(in.ListingIDs, c.ID)
	}
	surplus, receiving := l, c
	if l.Kind != "surplus" {
		surplus, receiving = c, l
		in.Receiver.OrganizationID, in.Supplier.OrganizationID = l.OrganizationID, other
	} else {
		in.Supplier.OrganizationID, in.Receiver.OrganizationID = l.OrganizationID, other
	}
	if surplus != nil {
		in.Fractions, in.ConditionClass, in.Title = surplus.Fractions, surplus.ContaminationClass, surplus.Title
		if surplus.SiteID != nil {
			in.Supplier.SiteID = *surplus.SiteID
		}
	}
	// Who transports is the seller's offer when there is one, else what
	// the listing the agreement starts from says.
	offer := l
	if surplus != nil {
		offer = surplus
	}
	in.Transport = map[string]string{"seller_delivers": "supplier", "buyer_collects": "receiver", "transport_needed": "third_party"}[offer.Transport]
	if in.Transport == "" {
		in.Transport = "supplier"
	}
	// What the actor may see of each listing (B6): its own listing in
	// full, someone else's as the market shows it to the actor (a private
	// price only once disclosed in a dialog).
	views := map[string]*market.Listing{}
	full := map[string]bool{}
	for _, x := range []*market.Listing{l, c} {
		if x == nil {
			continue
		}
		v, err := s.Market.ViewFor(ctx, x)
		if err != nil {
			return nil, err
		}
		if lv, ok := v.(*market.Listing); ok {
			views[x.ID] = lv
		}
		full[x.ID] = market.AccessTo(ctx, x) == market.Full
	}
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		// The quantity: what the actor's own listing has left after other
		// agreements; of someone else's, only the quantity it shows.
		left := 0.0
		for i, id := range in.ListingIDs {
			lf := 0.0
			switch v := views[id]; {
			case full[id]:
				var err error
				if lf, err = market.LeftTx(tx, id, ""); err != nil {
					return err
				}
			case v != nil:
				lf = v.QuantityTonnes
			}
			if i == 0 || lf < left {
				left = lf
			}
		}
		if left > 0 {
			in.QuantityTonnes = left
		}
		if surplus != nil {
			if v := views[surplus.ID]; v != nil && v.PriceNOKPerTonne != nil {
				in.PriceNOK = *v.PriceNOKPerTonne
			}
		}
		if receiving != nil && receiving.SiteID != nil {
			var site directory.Site
			if tx.Where("id = ?", *receiving.SiteID).Limit(1).Find(&site).Error == nil && site.ID != "" {
				in.Receiver.SiteID = site.ID
				if directory.SitePointExact(a, &site) {
					in.DeliveryPoint = strings.TrimSpace(strings.Join(nonEmpty(site.Name, site.Address, strings.TrimSpace(site.Postcode+" "+site.City)), ", "))
				} else {
					in.DeliveryPoint = strings.TrimSpace(strings.Join(nonEmpty(site.Name, strings.TrimSpace(site.Postcode+" "+site.City)), ", "))
				}
				in.OpeningHours = site.OpeningHours
				if receiving.Kind == "capacity" {
					in.TemplateKey, in.Payer = "receipt", "supplier_pays"
					// A gate fee is prefilled when the directory shows it
					// (a facility, a public business) or the site is the
					// actor's own organization's.
					if site.GateFeeNOKPerTonne != nil && (site.Kind == "facility" || a.Principal.Orgs[site.OrganizationID] != "") {
						in.PriceNOK = *site.GateFeeNOKPerTonne
					}
				}
			}
		} else if receiving != nil && receiving.Kind == "capacity" {
			in.TemplateKey, in.Payer = "receipt", "supplier_pays"
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	from, to := l.AvailableFrom, l.AvailableTo
	if c != nil {
		if c.AvailableFrom.After(from) {
			from = c.AvailableFrom
		}
		if c.AvailableTo.Before(to) {
			to = c.AvailableTo
		}
		if to.Before(from) {
			from, to = l.AvailableFrom, l.AvailableTo
		}
	}
	in.PeriodFrom, in.PeriodTo = from.Format("2006-01-02"), to.Format("2006-01-02")
	return in, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
