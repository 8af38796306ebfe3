package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// The synthetic seeder (issue 16): `masseflyt seed --synthetic N --tenant
// SLUG [--layout dense|national] [--seed S]` lays out N published listings
// in an existing region, with the organizations and facilities (sites with
// permits) they need, so that anyone can reproduce the scale figures of
// docs/PERFORMANCE.md. The same N, layout, seed and tenant give the same
// rows (IDs too, in any database; a second run with the same seed is refused by the
// database). The layouts are those of the engine's benchmarks
// (core/matching/scale_test.go): dense is one busy region, 0.7° × 1.2°
// around Oslo; national spreads listings around Norway's towns by size.
//
// The rows are written in bulk, in the tenant's scope, in short
// transactions of a few thousand rows: not through the market's commands,
// so nothing is announced (no match discovery, no mail, no live view).
// They are a standing market, as an import of old data would be; their
// matches are ranked on request like any listing's.

type syntheticOptions struct {
	N      int
	Tenant string
	Layout string
	Seed   int64
}

// syntheticMax bounds N: ten times the national figure.
const syntheticMax = 10_000_000

func (o syntheticOptions) check() error {
	if o.N <= 0 || o.N > syntheticMax {
		return fmt.Errorf("seed: --synthetic wants a number of listings from 1 to %d", syntheticMax)
	}
	if o.Tenant == "" {
		return errors.New("seed: --synthetic wants --tenant SLUG (an existing region)")
	}
	if o.Layout != "dense" && o.Layout != "national" {
		return fmt.Errorf("seed: --layout %q: want dense or national", o.Layout)
	}
	return nil
}

type town struct {
	name     string
	lat, lon float64
	weight   int
}

// towns of the national layout, weighted by size (the engine benchmark's).
var syntheticTowns = []town{
	{"Oslo", 59.91, 10.75, 30}, {"Bergen", 60.39, 5.32, 12}, {"Trondheim", 63.43, 10.39, 10}, {"Stavanger", 58.97, 5.73, 10},
	{"Kristiansand", 58.15, 8.00, 5}, {"Tønsberg", 59.13, 10.22, 4}, {"Drammen", 59.74, 10.20, 5}, {"Fredrikstad", 59.28, 11.11, 4},
	{"Hamar", 60.79, 11.07, 3}, {"Lillehammer", 61.11, 10.47, 3}, {"Ålesund", 62.47, 6.15, 3}, {"Molde", 62.74, 7.16, 2},
	{"Steinkjer", 64.47, 11.50, 1}, {"Bodø", 67.28, 14.40, 2}, {"Narvik", 68.44, 17.43, 1}, {"Tromsø", 69.65, 18.96, 3},
	{"Alta", 70.66, 23.68, 1}, {"Haugesund", 59.41, 5.27, 2}, {"Førde", 61.46, 5.89, 1}, {"Kongsvinger", 60.13, 11.57, 1},
	{"Skien", 59.21, 9.61, 2}, {"Arendal", 58.46, 8.77, 1}, {"Mo i Rana", 66.31, 14.14, 1}, {"Kristiansund", 63.11, 7.73, 1},
}

var (
	synFracs     = []string{"sprengstein", "morene", "leire", "pukk", "grus", "sand", "matjord"}
	synFracW     = []int{34, 22, 16, 10, 8, 6, 4}
	synFracNames = map[string]string{"sprengstein": "Sprengstein", "morene": "Morene", "leire": "Leire", "pukk": "Pukk", "grus": "Grus", "sand": "Sand", "matjord": "Matjord"}
	synUses      = []string{"fill", "sub_base", "road_base", "landscaping", "noise_barrier"}
	synPlaces    = []string{"byggegropa", "tunnelen", "veianlegget", "stasjonen", "tomta", "boligfeltet", "kaia", "skolen", "sykehuset", "parken", "næringsparken", "jernbanen"}
	synOrgParts  = [][]string{{"Nordre", "Søndre", "Vestre", "Østre", "Fjord", "Fjell", "Dal", "Elve", "Skog", "Kyst"}, {"Anlegg", "Bygg", "Masse", "Grunn", "Entreprenør", "Transport", "Pukk", "Gjenvinning"}}
	synTransport = []string{"seller_delivers", "buyer_collects", "transport_needed"}
)

func pick(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.Intn(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// synPoint is a point of the layout, and the place it is near.
func synPoint(r *rand.Rand, layout string) (float64, float64, string) {
	if layout == "dense" {
		return 59.6 + r.Float64()*0.7, 10.0 + r.Float64()*1.2, "Oslo"
	}
	w := make([]int, len(syntheticTowns))
	for i, t := range syntheticTowns {
		w[i] = t.weight
	}
	t := syntheticTowns[pick(r, w)]
	return t.lat + r.NormFloat64()*0.18, t.lon + r.NormFloat64()*0.35, t.name
}

// orgNumber is a well-formed organization number (MOD11) from a sequence
// of the seed: 8 (or 7 or 6, when 8 gives no check digit) and seven digits
// of the sequence, so it does not meet a real company's or the fixtures'.
func orgNumber(seq int) string {
	weights := []int{3, 2, 7, 6, 5, 4, 3, 2}
	for _, first := range "876" {
		base := fmt.Sprintf("%c%07d", first, seq%10_000_000)
		sum := 0
		for i, c := range base {
			sum += int(c-'0') * weights[i]
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check != 10 {
			return base + fmt.Sprint(check)
		}
	}
	panic("unreachable: three first digits cannot all give 10")
}

// seedSynthetic writes the synthetic world into the region.
func seedSynthetic(a *app.App, o syntheticOptions, out io.Writer) error {
	if err := o.check(); err != nil {
		return err
	}
	t, ok := a.Tenants.BySlug(o.Tenant)
	if !ok {
		return fmt.Errorf("seed: no region %q (masseflyt tenant list)", o.Tenant)
	}
	started := clock.Real()
	ctx := store.WithTenant(context.Background(), t.ID)
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%d|%d", t.Slug, o.Layout, o.N, o.Seed)
	r := rand.New(rand.NewSource(int64(h.Sum64() >> 1)))
	newID := func() string { return uuid.Must(uuid.NewRandomFromReader(r)).String() }
	now := a.DB.Now().UTC()
	today := clock.Today(a.DB.Clock)
	month0 := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	ago := func(maxDays int) time.Time {
		return now.Add(-time.Duration(r.Int63n(int64(maxDays) * int64(24*time.Hour))))
	}

	// Organizations: 400 and one per 250 listings more.
	nOrgs := 400 + o.N/250
	orgs := make([]directory.Organization, nOrgs)
	for i := range orgs {
		lat, lon, place := synPoint(r, o.Layout)
		c := ago(720)
		name := fmt.Sprintf("%s %s %s %d AS", place, synOrgParts[0][r.Intn(len(synOrgParts[0]))], synOrgParts[1][r.Intn(len(synOrgParts[1]))], i+1)
		orgs[i] = directory.Organization{ID: newID(), OrgNumber: orgNumber(int(o.Seed%100)*100_000 + i), Name: name, Kinds: directory.List{"contractor"},
			City: place, Lat: &lat, Lon: &lon, RegistryStatus: "active", CreatedAt: c, UpdatedAt: c}
	}
	// Facilities: one per 300 listings (at least 30), each with a permit.
	nFac := min(max(30, o.N/300), 20_000)
	types := []string{"landfill", "quarry", "intermediate_storage", "receiving_site", "recycling_plant"}
	sites := make([]directory.Site, nFac)
	permits := make([]directory.Permit, nFac)
	validFrom, validTo := month0.AddDate(-2, 0, 0), month0.AddDate(6, 0, 0)
	for i := range sites {
		lat, lon, place := synPoint(r, o.Layout)
		typ := types[i%len(types)]
		c := ago(720)
		sites[i] = directory.Site{ID: newID(), OrganizationID: orgs[r.Intn(nOrgs)].ID, Kind: "facility", Name: fmt.Sprintf("%s %s %d", place, strings.ReplaceAll(typ, "_", " "), i+1),
			City: place, Lat: lat, Lon: lon, FacilityType: typ, Permanent: true, CapacityTonnes: float64(50_000 + r.Intn(20)*50_000), ExactPointPublic: true, CreatedAt: c, UpdatedAt: c}
		kind, maxClass := "receiving", 1+r.Intn(2)
		switch typ {
		case "landfill":
			kind, maxClass = "landfill", 3+r.Intn(2)
		case "quarry":
			kind = "processing"
		case "intermediate_storage":
			kind = "intermediate_storage"
		}
		fr := directory.List{}
		for _, f := range synFracs {
			if r.Intn(3) > 0 {
				fr = append(fr, f)
			}
		}
		permits[i] = directory.Permit{ID: newID(), SiteID: sites[i].ID, Kind: kind, Authority: "Statsforvalteren", Reference: fmt.Sprintf("SYN-%d", i+1),
			ValidFrom: &validFrom, ValidTo: &validTo, Fractions: fr, MaxClass: maxClass, AnnualCapacityTonnes: sites[i].CapacityTonnes, CreatedAt: c, UpdatedAt: c}
	}
	if err := insertAll(ctx, a.DB, orgs, 500); err != nil {
		return fmt.Errorf("seed: organizations: %w", err)
	}
	if err := insertAll(ctx, a.DB, sites, 500); err != nil {
		return fmt.Errorf("seed: facilities: %w", err)
	}
	if err := insertAll(ctx, a.DB, permits, 500); err != nil {
		return fmt.Errorf("seed: permits: %w", err)
	}

	// Listings, in chunks, so that a million never sit in memory at once.
	const chunk = 20_000
	kinds := []string{"surplus", "need", "capacity"}
	for done := 0; done < o.N; done += chunk {
		ls := make([]market.Listing, min(chunk, o.N-done))
		for i := range ls {
			l := &ls[i]
			kind := kinds[pick(r, []int{45, 40, 15})]
			frac := synFracs[pick(r, synFracW)]
			fr := directory.List{frac}
			if r.Intn(8) == 0 {
				if g := synFracs[pick(r, synFracW)]; g != frac {
					fr = append(fr, g)
				}
			}
			// 1 000 – 500 000 t, log-uniform (the demo's projects span this).
			tonnes := math.Round(1000 * math.Exp(r.Float64()*math.Log(500)))
			from := month0.AddDate(0, r.Intn(48)-12, 0)
			to := from.AddDate(0, 3+r.Intn(34), -1)
			lat, lon, place := synPoint(r, o.Layout)
			c := ago(365)
			class := []int{1, 0, 2, 3}[pick(r, []int{70, 15, 10, 5})]
			*l = market.Listing{ID: newID(), OrganizationID: orgs[r.Intn(nOrgs)].ID, Kind: kind, Fractions: fr, QuantityTonnes: tonnes, QuantityValue: tonnes, QuantityUnit: market.Tonnes,
				AvailableFrom: from, AvailableTo: to, Lat: lat, Lon: lon, ContaminationClass: class, Transport: synTransport[r.Intn(len(synTransport))],
				Status: market.StatusPublished, Visibility: "public", PublishedAt: &c, CreatedAt: c, UpdatedAt: c}
			if r.Intn(7) == 0 {
				l.Visibility = "members"
			}
			name := synFracNames[frac]
			switch kind {
			case "surplus":
				l.Title = fmt.Sprintf("%s fra %s i %s", name, synPlaces[r.Intn(len(synPlaces))], place)
			case "need":
				l.Title = fmt.Sprintf("%s til %s i %s", name, synPlaces[r.Intn(len(synPlaces))], place)
				l.IntendedUse = synUses[r.Intn(len(synUses))]
				l.ContaminationClass = 0
			case "capacity":
				si := r.Intn(nFac)
				s := &sites[si]
				l.SiteID, l.Lat, l.Lon, l.OrganizationID, l.ExactLocationPublic = &s.ID, s.Lat, s.Lon, s.OrganizationID, true
				l.Title = fmt.Sprintf("Mottak av %s på %s", strings.ToLower(name), s.Name)
				l.ContaminationClass = permits[si].MaxClass
			}
		}
		if err := insertAll(ctx, a.DB, ls, 400); err != nil {
			return fmt.Errorf("seed: listings: %w", err)
		}
		fmt.Fprintf(out, "  %d of %d listings\n", done+len(ls), o.N)
	}
	fmt.Fprintf(out, "seeded %s (%s, seed %d): %d listings, %d organizations, %d facilities in %.1f s\n", t.Slug, o.Layout, o.Seed, o.N, nOrgs, nFac, clock.Real().Sub(started).Seconds())
	return nil
}

// insertAll writes rows in batches of batch rows per statement, a few
// statements per transaction, so that no transaction holds the write lock
// for long.
func insertAll[T any](ctx context.Context, db *store.DB, rows []T, batch int) error {
	const perTx = 5000
	for start := 0; start < len(rows); start += perTx {
		part := rows[start:min(start+perTx, len(rows))]
		if err := db.Tx(ctx, func(tx *gorm.DB) error { return tx.CreateInBatches(part, batch).Error }); err != nil {
			return err
		}
	}
	return nil
}
