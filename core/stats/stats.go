// Package stats computes a region's public marketplace statistics (B4, B5):
// tonnes offered and needed per fraction, matches, match rate, time to first
// match and the estimated CO2e saving against the baseline. Figures are
// aggregates: no single listing's quantity, place or owner can be read from
// them.
package stats

import (
	"context"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// Fraction is one fraction's open quantities.
type Fraction struct {
	Code           string  `json:"code"`
	Name           string  `json:"name,omitempty"`
	OfferedTonnes  float64 `json:"offered_tonnes"`
	NeededTonnes   float64 `json:"needed_tonnes"`
	CapacityTonnes float64 `json:"capacity_tonnes"`
	OpenListings   int     `json:"open_listings"`
}

// Stats are a region's statistics.
type Stats struct {
	Tenant      string    `json:"tenant"`
	GeneratedAt time.Time `json:"generated_at"`
	// Open listings now (published or partly agreed, window not past).
	OpenListings  int        `json:"open_listings"`
	OfferedTonnes float64    `json:"offered_tonnes"`
	NeededTonnes  float64    `json:"needed_tonnes"`
	Fractions     []Fraction `json:"fractions"`
	// Every listing ever published (also closed and expired ones).
	PublishedListings int `json:"published_listings"`
	// Matches found between listings, and how many published listings got
	// at least one: MatchRate = MatchedListings / PublishedListings.
	Matches         int     `json:"matches"`
	MatchedListings int     `json:"matched_listings"`
	MatchRate       float64 `json:"match_rate"`
	// Median hours from publication to the first match (null without matches).
	MedianHoursToFirstMatch *float64 `json:"median_hours_to_first_match"`
	// Listings their owners marked partly or fully agreed.
	AgreedListings int `json:"agreed_listings"`
	// Estimated tonnes CO2e saved if the best matches are carried out, each
	// listing's tonnes counted once, against the baseline (surplus to the
	// nearest landfill, need from the nearest quarry).
	EstimatedCO2eSavedTonnes float64 `json:"estimated_co2e_saved_tonnes"`
	// Tonnes that estimate covers.
	EstimatedMatchedTonnes float64 `json:"estimated_matched_tonnes"`
	Method                 string  `json:"method"`
}

// Method describes how the saving is estimated.
const Method = "greedy one-to-one allocation of stored matches by saving per tonne; saving = baseline transport CO2e − match transport CO2e (defra-2025 factors)"

// ListingRow is what the statistics read of a listing.
type ListingRow struct {
	ID, Kind, Fractions, Status string
	Tonnes                      float64
	PublishedAt                 *time.Time
	AvailableTo                 time.Time
}

// MatchRow is what the statistics read of a stored match.
type MatchRow struct {
	ListingID, CounterpartID string
	Tonnes, Saving           float64
	CreatedAt                time.Time
}

// Service computes and caches statistics per tenant.
type Service struct {
	DB    *store.DB
	once  sync.Once
	cache *store.Cache[*Stats]
}

// CacheTTL bounds how stale another instance's writes can leave the figures
// when no event reached this one.
const CacheTTL = 15 * time.Second

// For returns the tenant's statistics, cached until the next write.
func (s *Service) For(ctx context.Context, tenantID, slug string) (*Stats, error) {
	s.once.Do(func() { s.cache = store.NewCache[*Stats](CacheTTL, 1000) })
	gen := store.Generation(tenantID)
	today := s.now().Format("2006-01-02")
	if st, ok := s.cache.Get(tenantID+"|"+today, gen); ok {
		return st, nil
	}
	st, err := s.compute(store.WithTenant(ctx, tenantID), slug)
	if err != nil {
		return nil, err
	}
	s.cache.Put(tenantID+"|"+today, gen, st)
	return st, nil
}

// now reads the one clock, which the store carries.
func (s *Service) now() time.Time { return s.DB.Now() }

func (s *Service) compute(ctx context.Context, slug string) (*Stats, error) {
	var ls []ListingRow
	var ms []MatchRow
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&market.Listing{}).Select("id, kind, fractions, status, quantity_tonnes AS tonnes, published_at, available_to").
			Where("status <> ?", string(market.StatusDraft)).Scan(&ls).Error; err != nil {
			return err
		}
		return tx.Table("matches").Select("listing_id, counterpart_id, tonnes, saving_kg_co2e AS saving, created_at").Scan(&ms).Error
	})
	if err != nil {
		return nil, err
	}
	return Compute(slug, s.now(), ls, ms), nil
}

// Compute derives the statistics from the listings (drafts excluded) and
// the stored matches.
func Compute(slug string, now time.Time, ls []ListingRow, ms []MatchRow) *Stats {
	st := &Stats{Tenant: slug, GeneratedAt: now.UTC().Truncate(time.Second), Fractions: []Fraction{}, Method: Method}
	today := now.UTC().Truncate(24 * time.Hour)
	byCode := map[string]*Fraction{}
	for _, f := range market.Fractions {
		byCode[f.Code] = &Fraction{Code: f.Code}
	}
	published := map[string]*ListingRow{}
	remaining := map[string]float64{}
	for i := range ls {
		l := &ls[i]
		published[l.ID] = l
		remaining[l.ID] = l.Tonnes
		status := market.Status(l.Status)
		if status == market.StatusPartlyMatched || status == market.StatusFullyMatched {
			st.AgreedListings++
		}
		if !status.Open() || l.AvailableTo.Before(today) {
			continue
		}
		st.OpenListings++
		codes := splitList(l.Fractions)
		for _, code := range codes {
			f := byCode[code]
			if f == nil {
				continue
			}
			share := l.Tonnes / float64(len(codes)) // a need for several fractions counts once, split evenly
			f.OpenListings++
			switch l.Kind {
			case "surplus":
				f.OfferedTonnes += share
				st.OfferedTonnes += share
			case "need":
				f.NeededTonnes += share
				st.NeededTonnes += share
			case "capacity":
				f.CapacityTonnes += share
			}
		}
	}
	st.PublishedListings = len(published)
	for _, f := range market.Fractions {
		if x := byCode[f.Code]; x.OpenListings > 0 {
			x.OfferedTonnes, x.NeededTonnes, x.CapacityTonnes = round1(x.OfferedTonnes), round1(x.NeededTonnes), round1(x.CapacityTonnes)
			st.Fractions = append(st.Fractions, *x)
		}
	}
	st.OfferedTonnes, st.NeededTonnes = round1(st.OfferedTonnes), round1(st.NeededTonnes)

	first := map[string]time.Time{}
	note := func(id string, at time.Time) {
		if _, ok := published[id]; !ok {
			return
		}
		if t, ok := first[id]; !ok || at.Before(t) {
			first[id] = at
		}
	}
	for _, m := range ms {
		st.Matches++
		note(m.ListingID, m.CreatedAt)
		note(m.CounterpartID, m.CreatedAt)
	}
	st.MatchedListings = len(first)
	if st.PublishedListings > 0 {
		st.MatchRate = math.Round(float64(st.MatchedListings)/float64(st.PublishedListings)*1000) / 1000
	}
	var hours []float64
	for id, at := range first {
		if p := published[id].PublishedAt; p != nil {
			hours = append(hours, math.Max(0, at.Sub(*p).Hours()))
		}
	}
	if len(hours) > 0 {
		sort.Float64s(hours)
		med := hours[len(hours)/2]
		if len(hours)%2 == 0 {
			med = (hours[len(hours)/2-1] + hours[len(hours)/2]) / 2
		}
		med = math.Round(med*10) / 10
		st.MedianHoursToFirstMatch = &med
	}

	// Each tonne once: best savings per tonne first, limited by what is left
	// of both listings.
	sort.SliceStable(ms, func(i, j int) bool { return perTonne(ms[i]) > perTonne(ms[j]) })
	var saved, tonnes float64
	for _, m := range ms {
		if m.Tonnes <= 0 || m.Saving <= 0 {
			continue
		}
		_, okA := published[m.ListingID]
		_, okB := published[m.CounterpartID]
		if !okA || !okB {
			continue
		}
		t := math.Min(m.Tonnes, math.Min(remaining[m.ListingID], remaining[m.CounterpartID]))
		if t <= 0 {
			continue
		}
		remaining[m.ListingID] -= t
		remaining[m.CounterpartID] -= t
		saved += perTonne(m) * t
		tonnes += t
	}
	st.EstimatedCO2eSavedTonnes = math.Round(saved/1000*10) / 10
	st.EstimatedMatchedTonnes = round1(tonnes)
	return st
}

func perTonne(m MatchRow) float64 {
	if m.Tonnes <= 0 {
		return 0
	}
	return m.Saving / m.Tonnes
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' })
}
