package market

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/store"
)

// The map of a tenant is kept per audience as one rendered feature per
// listing. After a write only the listings changed since the last refresh
// are read again (by updated_at); a delete, or every FullRefresh, reloads
// everything. Other instances' writes are picked up within RecheckAfter.
const (
	RecheckAfter = 5 * time.Second
	FullRefresh  = 5 * time.Minute
)

type feature struct {
	kind      string
	fractions []string
	to        string // YYYY-MM-DD: hidden once past
	json      []byte
}

type mapState struct {
	mu        sync.Mutex
	feats     map[string]feature
	ids       []string // sorted, for stable output
	sites     []byte   // rendered facility features
	maxUpd    time.Time
	gen, del  store.Gen
	full      time.Time
	checked   time.Time
	assembled map[string][]byte // kind|fraction|day → document
}

// GeoJSON renders the open listings and facilities of the tenant in ctx as
// a FeatureCollection for the actor's audience (mapClass), filtered by kind
// and fraction (checked: CheckMapFilter).
func (s *Service) GeoJSON(ctx context.Context, kind, fraction string) ([]byte, error) {
	if err := CheckMapFilter(kind, fraction); err != nil {
		return nil, err
	}
	a := access.From(ctx)
	if a.TenantID == "" {
		return nil, fail.NotFoundErr()
	}
	return s.geoJSON(ctx, a.TenantID, mapClass(ctx), kind, fraction)
}

func (s *Service) geoJSON(ctx context.Context, tenantID, class, kind, fraction string) ([]byte, error) {
	v, _ := s.maps.LoadOrStore(tenantID+"|"+class, &mapState{})
	st := v.(*mapState)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.refreshMap(ctx, st, tenantID, class); err != nil {
		return nil, err
	}
	today := s.now().Format("2006-01-02")
	key := kind + "|" + fraction + "|" + today
	if b, ok := st.assembled[key]; ok {
		return b, nil
	}
	var b bytes.Buffer
	b.Grow(len(st.feats)*300 + len(st.sites) + 64)
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	first := true
	for _, id := range st.ids {
		f := st.feats[id]
		if f.to < today || (kind != "" && f.kind != kind) || (fraction != "" && !inSet(fraction, f.fractions)) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.Write(f.json)
	}
	if kind == "" && len(st.sites) > 0 {
		if !first {
			b.WriteByte(',')
		}
		b.Write(st.sites)
	}
	b.WriteString(`]}`)
	out := b.Bytes()
	if st.assembled == nil {
		st.assembled = map[string][]byte{}
	}
	st.assembled[key] = out
	return out, nil
}

type mapRow struct {
	ID, Kind, Title, Fractions, Status, Visibility string
	Tonnes, Lat, Lon                               float64
	From, To, Until                                string
	Exact                                          bool
	Updated                                        time.Time
}

// refreshMap brings st up to date: nothing when no write happened here and
// the last check is recent; the changed rows after a write; everything after
// a delete or every FullRefresh.
func (s *Service) refreshMap(ctx context.Context, st *mapState, tenantID, class string) error {
	gen, del := store.Generation(tenantID), store.DeleteGeneration(tenantID)
	now := clock.Real()
	full := st.feats == nil || del != st.del || now.Sub(st.full) > FullRefresh
	if !full && gen == st.gen && now.Sub(st.checked) < RecheckAfter {
		return nil
	}
	var rows []mapRow
	var sites []directory.Site
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		dates := "substr(available_from, 1, 7), substr(available_to, 1, 7), substr(available_to, 1, 10)"
		if s.DB.Dialect == store.Postgres {
			dates = "to_char(available_from AT TIME ZONE 'UTC', 'YYYY-MM'), to_char(available_to AT TIME ZONE 'UTC', 'YYYY-MM'), to_char(available_to AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
		}
		q := tx.Model(&Listing{}).Select("id, kind, title, fractions, status, visibility, quantity_tonnes, lat, lon, " + dates + ", exact_location_public, updated_at")
		if full {
			q = q.Where("status IN ?", OpenStatuses)
		} else {
			q = q.Where("updated_at >= ?", st.maxUpd) // all statuses: a closed listing must leave
		}
		rs, err := q.Rows()
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var r mapRow
			if err := rs.Scan(&r.ID, &r.Kind, &r.Title, &r.Fractions, &r.Status, &r.Visibility, &r.Tonnes, &r.Lat, &r.Lon, &r.From, &r.To, &r.Until, &r.Exact, &r.Updated); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		if err := rs.Err(); err != nil {
			return err
		}
		return tx.Select("id, name, facility_type, lat, lon, exact_point_public").Where("kind = ?", "facility").Order("id").Find(&sites).Error
	})
	if err != nil {
		return err
	}
	if full {
		st.feats, st.maxUpd, st.full = map[string]feature{}, time.Time{}, now
	}
	for _, r := range rows {
		if r.Updated.After(st.maxUpd) {
			st.maxUpd = r.Updated
		}
		if !Status(r.Status).Open() || (class == "public" && r.Visibility != "public") {
			delete(st.feats, r.ID)
			continue
		}
		st.feats[r.ID] = feature{kind: r.Kind, fractions: strings.Split(r.Fractions, ","), to: r.Until, json: renderListing(&r, class)}
	}
	st.ids = st.ids[:0]
	for id := range st.feats {
		st.ids = append(st.ids, id)
	}
	sort.Strings(st.ids)
	var sb bytes.Buffer
	for i, site := range sites {
		if i > 0 {
			sb.WriteByte(',')
		}
		lat, lon, exact := site.Lat, site.Lon, true
		if class == "public" && !site.ExactPointPublic { // the owner keeps the point to members (B6)
			lat, lon = geo.Cell(site.Lat, site.Lon)
			exact = false
		}
		writePoint(&sb, lat, lon, exact)
		sb.WriteString(`"id":` + jsonString(site.ID) + `,"kind":"facility","facility_type":` + jsonString(site.FacilityType) + `,"title":`)
		sb.WriteString(jsonString(site.Name))
		sb.WriteString(`}}`)
	}
	st.sites = sb.Bytes()
	st.gen, st.del, st.checked, st.assembled = gen, del, now, nil
	return nil
}

func writePoint(b *bytes.Buffer, lat, lon float64, exact bool) {
	b.WriteString(`{"type":"Feature","geometry":{"type":"Point","coordinates":[`)
	b.WriteString(strconv.FormatFloat(lon, 'f', 5, 64))
	b.WriteByte(',')
	b.WriteString(strconv.FormatFloat(lat, 'f', 5, 64))
	b.WriteString(`]},"properties":{`)
	if !exact {
		b.WriteString(`"approx":1,`)
	}
}

func renderListing(r *mapRow, class string) []byte {
	lat, lon, exact := r.Lat, r.Lon, true
	if class == "public" && !r.Exact {
		a := Coarse(r.Lat, r.Lon)
		lat, lon, exact = a.Lat, a.Lon, false
	}
	var b bytes.Buffer
	writePoint(&b, lat, lon, exact)
	b.WriteString(`"id":` + jsonString(r.ID) + `,"kind":` + jsonString(r.Kind) + `,"fractions":[`)
	for i, f := range strings.Split(r.Fractions, ",") {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonString(f))
	}
	b.WriteString(`],"title":` + jsonString(r.Title) + `,"band":` + jsonString(QuantityBand(r.Tonnes)))
	b.WriteString(`,"period":` + jsonString(r.From+"/"+r.To) + `}}`)
	return b.Bytes()
}

// jsonString is s as a JSON string (encoding/json's escaping: every control
// character, and <, > and & for pages that embed the document). The map is
// assembled from pieces for speed; each piece of text goes through here.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// ResetMaps drops the kept maps; the next request rebuilds them in full.
func (s *Service) ResetMaps() { s.maps.Clear() }
