package matching

import (
	"context"
	"sort"

	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// Holds reports whether two listings still match: both open (in the
// index) and, in a fraction they share, the supply fits the demand (its
// class, the need's use, the facility's permits).
func (e *Engine) Holds(ix *Index, a, b string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ia, oka := ix.byID[a]
	ib, okb := ix.byID[b]
	if !oka || !okb {
		return false
	}
	ea, eb := &ix.slots[ia], &ix.slots[ib]
	if ea.kind != kindSurplus {
		ea, eb = eb, ea
	}
	if ea.kind != kindSurplus || eb.kind == kindSurplus {
		return false
	}
	supply, demand := ix.party(ea), ix.party(eb)
	shared := ea.fracs & eb.fracs
	for bit, fr := range fracs {
		if shared&(1<<bit) != 0 && e.compatible(fr, &supply, &demand) {
			return true
		}
	}
	return false
}

// current keeps the notifications whose match still holds (stale ones
// disappear from the list).
func (s *Service) current(ctx context.Context, ns []Notification) ([]Notification, error) {
	if len(ns) == 0 {
		return ns, nil
	}
	tenantID, ok := store.TenantID(ctx)
	if !ok {
		return nil, store.ErrNoTenant
	}
	ix, err := s.Index(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := ns[:0]
	for _, n := range ns {
		if n.Kind != "match" || s.Engine.Holds(ix, n.ListingID, n.CounterpartID) {
			out = append(out, n)
		}
	}
	return out, nil
}

// Receiver is a facility whose valid permits allow it to take a class of a
// fraction.
type Receiver struct {
	SiteID   string  `json:"site_id"`
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	MaxClass int     `json:"max_class"`
	Km       float64 `json:"km"`
}

// ClassAdvice explains a surplus that has no matches only because of its
// contamination class: with class 1 it would have some. Receivers are the
// facilities (nearest first, at most five) whose permits take that class
// of one of its fractions.
type ClassAdvice struct {
	Class     int        `json:"class"`
	Receivers []Receiver `json:"receivers"`
}

// AdviseClass returns the advice for a listing whose class removed every
// match, or nil when it has matches or its class is not the reason.
func (s *Service) AdviseClass(ctx context.Context, l *market.Listing) (*ClassAdvice, error) {
	if l.Kind != "surplus" || l.ContaminationClass <= 1 {
		return nil, nil
	}
	ix, target, skip, err := s.ranking(ctx, l)
	if err != nil {
		return nil, err
	}
	if len(s.Engine.Rank(ix, target, 1, skip)) > 0 {
		return nil, nil
	}
	clean := target
	clean.Class = 1
	if len(s.Engine.Rank(ix, clean, 1, skip)) == 0 {
		return nil, nil // no matches even when clean: the class is not why
	}
	adv := &ClassAdvice{Class: l.ContaminationClass, Receivers: []Receiver{}}
	ix.mu.RLock()
	facilities := ix.facilities
	ix.mu.RUnlock()
	for _, f := range facilities {
		best := 0
		for _, fr := range l.Fractions {
			if c := f.Accepts[fr]; c >= l.ContaminationClass && (best == 0 || c < best) {
				best = c
			}
		}
		if best > 0 {
			adv.Receivers = append(adv.Receivers, Receiver{SiteID: f.ID, Name: f.Name, Type: f.Type, MaxClass: best,
				Km: geo.HaversineKm(target.P, f.P) * s.Engine.Detour})
		}
	}
	sort.Slice(adv.Receivers, func(i, j int) bool {
		if adv.Receivers[i].Km != adv.Receivers[j].Km {
			return adv.Receivers[i].Km < adv.Receivers[j].Km
		}
		return adv.Receivers[i].SiteID < adv.Receivers[j].SiteID
	})
	if len(adv.Receivers) > 5 {
		adv.Receivers = adv.Receivers[:5]
	}
	return adv, nil
}
