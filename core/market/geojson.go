package market

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
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
	lat, lon  float64 // the point as rendered for the audience (coarse for the public)
}

type mapState struct {
	mu        sync.Mutex
	feats     map[string]feature
	ids       []string // sorted, for stable output
	sites     []byte   // rendered facility features
	siteFeats []feature
	maxUpd    time.Time
	gen, del  store.Gen
	full      time.Time
	checked   time.Time
	assembled map[string]*Rendered // kind|fraction|day → document
}

// Rendered is an assembled map document, kept until the map changes. Memo
// keeps with it what the transport makes of it (its compressed form and
// ETag), so that is done once per change, not per request (issue 16).
type Rendered struct {
	Body []byte
	once sync.Once
	memo any
}

// Memo returns f(Body), computed on the first call only.
func (r *Rendered) Memo(f func(body []byte) any) any {
	r.once.Do(func() { r.memo = f(r.Body) })
	return r.memo
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

// GeoJSONDoc is GeoJSON kept as one document per change (see Rendered).
func (s *Service) GeoJSONDoc(ctx context.Context, kind, fraction string) (*Rendered, error) {
	if err := CheckMapFilter(kind, fraction); err != nil {
		return nil, err
	}
	a := access.From(ctx)
	if a.TenantID == "" {
		return nil, fail.NotFoundErr()
	}
	return s.geoDoc(ctx, a.TenantID, mapClass(ctx), kind, fraction)
}

// PublicGeoJSONDoc is PublicGeoJSON kept as one document per change.
func (s *Service) PublicGeoJSONDoc(ctx context.Context, kind, fraction string) (*Rendered, error) {
	if err := CheckMapFilter(kind, fraction); err != nil {
		return nil, err
	}
	tid := access.From(ctx).TenantID
	if tid == "" {
		return nil, fail.NotFoundErr()
	}
	return s.geoDoc(ctx, tid, "public", kind, fraction)
}

func (s *Service) geoJSON(ctx context.Context, tenantID, class, kind, fraction string) ([]byte, error) {
	r, err := s.geoDoc(ctx, tenantID, class, kind, fraction)
	if err != nil {
		return nil, err
	}
	return r.Body, nil
}

func (s *Service) geoDoc(ctx context.Context, tenantID, class, kind, fraction string) (*Rendered, error) {
	v, _ := s.maps.LoadOrStore(tenantID+"|"+class, &mapState{})
	st := v.(*mapState)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.refreshMap(ctx, st, tenantID, class); err != nil {
		return nil, err
	}
	today := s.now().Format("2006-01-02")
	key := kind + "|" + fraction + "|" + today
	if r, ok := st.assembled[key]; ok {
		return r, nil
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
	out := &Rendered{Body: b.Bytes()}
	if st.assembled == nil {
		st.assembled = map[string]*Rendered{}
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
	// changed: whether the document differs; the rows read again since
	// the last one usually are the same (updated_at ≥ the latest read).
	changed := full
	if full {
		st.feats, st.maxUpd, st.full = map[string]feature{}, time.Time{}, now
	}
	for _, r := range rows {
		if r.Updated.After(st.maxUpd) {
			st.maxUpd = r.Updated
		}
		old, had := st.feats[r.ID]
		if !Status(r.Status).Open() || (class == "public" && r.Visibility != "public") {
			if had {
				delete(st.feats, r.ID)
				changed = true
			}
			continue
		}
		js, lat, lon := renderListing(&r, class)
		f := feature{kind: r.Kind, fractions: strings.Split(r.Fractions, ","), to: r.Until, json: js, lat: lat, lon: lon}
		if !had || old.to != f.to || !bytes.Equal(old.json, f.json) {
			st.feats[r.ID] = f
			changed = true
		}
	}
	if changed {
		st.ids = st.ids[:0]
		for id := range st.feats {
			st.ids = append(st.ids, id)
		}
		sort.Strings(st.ids)
	}
	var sb bytes.Buffer
	siteFeats := make([]feature, 0, len(sites))
	for i, site := range sites {
		if i > 0 {
			sb.WriteByte(',')
		}
		lat, lon, exact := site.Lat, site.Lon, true
		if class == "public" && !site.ExactPointPublic { // the owner keeps the point to members (B6)
			lat, lon = geo.Cell(site.Lat, site.Lon)
			exact = false
		}
		start := sb.Len()
		writePoint(&sb, lat, lon, exact)
		sb.WriteString(`"id":` + jsonString(site.ID) + `,"kind":"facility","facility_type":` + jsonString(site.FacilityType) + `,"title":`)
		sb.WriteString(jsonString(site.Name))
		sb.WriteString(`}}`)
		siteFeats = append(siteFeats, feature{kind: "facility", to: "9999-12-31", lat: lat, lon: lon, json: sb.Bytes()[start:sb.Len():sb.Len()]})
	}
	if !bytes.Equal(st.sites, sb.Bytes()) {
		st.sites, st.siteFeats, changed = sb.Bytes(), siteFeats, true
	}
	st.gen, st.del, st.checked = gen, del, now
	if changed {
		st.assembled = nil
	}
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

func renderListing(r *mapRow, class string) ([]byte, float64, float64) {
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
	return b.Bytes(), lat, lon
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

// MapView asks for the part of a map a screen shows (issue 16): the
// features inside BBox (west, south, east, north in degrees), clustered on
// a grid that suits Zoom (a web map's zoom level, 0–22) when they are
// many. The zero MapView is the whole map, unclustered.
type MapView struct {
	BBox [4]float64
	Zoom int
	Set  bool
}

// ClusterBelowZoom: from this zoom on (a few streets on a phone) features
// are sent one by one unless there are more than MaxViewFeatures.
const (
	ClusterBelowZoom = 14
	MaxViewFeatures  = 1500
)

// ParseMapView reads the bbox and zoom query parameters; both empty is the
// whole map.
func ParseMapView(bbox, zoom string) (MapView, error) {
	if bbox == "" && zoom == "" {
		return MapView{}, nil
	}
	v := &fail.Validation{}
	mv := MapView{Set: true}
	parts := strings.Split(bbox, ",")
	ok := len(parts) == 4
	for i := 0; ok && i < 4; i++ {
		f, err := strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		ok = err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
		mv.BBox[i] = f
	}
	if !ok || mv.BBox[0] < -180 || mv.BBox[2] > 180 || mv.BBox[1] < -90 || mv.BBox[3] > 90 || mv.BBox[0] > mv.BBox[2] || mv.BBox[1] > mv.BBox[3] {
		v.Add("bbox", "invalid_bbox", "ErrMapBBox")
	}
	z, err := strconv.Atoi(zoom)
	if err != nil || z < 0 || z > 22 {
		v.Add("zoom", "invalid_zoom", "ErrMapZoom", "Max", 22)
	}
	mv.Zoom = z
	return mv, v.Err()
}

// GeoJSONView is the tenant's map (GeoJSON) as view shows it, for the
// actor's audience: the features are the same rendered ones (coarse points
// for the public), and a cluster's point is the mean of its members' as
// rendered, so a cluster reveals no point the single features would not.
func (s *Service) GeoJSONView(ctx context.Context, kind, fraction string, view MapView) ([]byte, error) {
	if err := CheckMapFilter(kind, fraction); err != nil {
		return nil, err
	}
	a := access.From(ctx)
	if a.TenantID == "" {
		return nil, fail.NotFoundErr()
	}
	return s.geoView(ctx, a.TenantID, mapClass(ctx), kind, fraction, view)
}

// PublicGeoJSONView is PublicGeoJSON as view shows it.
func (s *Service) PublicGeoJSONView(ctx context.Context, kind, fraction string, view MapView) ([]byte, error) {
	if err := CheckMapFilter(kind, fraction); err != nil {
		return nil, err
	}
	tid := access.From(ctx).TenantID
	if tid == "" {
		return nil, fail.NotFoundErr()
	}
	return s.geoView(ctx, tid, "public", kind, fraction, view)
}

type cluster struct {
	n        int
	lat, lon float64
	kinds    map[string]int
	first    *feature
	minLat   float64
	maxLat   float64
	minLon   float64
	maxLon   float64
}

func (s *Service) geoView(ctx context.Context, tenantID, class, kind, fraction string, view MapView) ([]byte, error) {
	v, _ := s.maps.LoadOrStore(tenantID+"|"+class, &mapState{})
	st := v.(*mapState)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.refreshMap(ctx, st, tenantID, class); err != nil {
		return nil, err
	}
	today := s.now().Format("2006-01-02")
	in := func(f *feature) bool {
		return f.lat >= view.BBox[1] && f.lat <= view.BBox[3] && f.lon >= view.BBox[0] && f.lon <= view.BBox[2]
	}
	var sel []*feature
	for _, id := range st.ids {
		f := st.feats[id]
		if f.to < today || (kind != "" && f.kind != kind) || (fraction != "" && !inSet(fraction, f.fractions)) || !in(&f) {
			continue
		}
		sel = append(sel, &f)
	}
	if kind == "" {
		for i := range st.siteFeats {
			if in(&st.siteFeats[i]) {
				sel = append(sel, &st.siteFeats[i])
			}
		}
	}
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	if view.Zoom >= ClusterBelowZoom && len(sel) <= MaxViewFeatures {
		for i, f := range sel {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(f.json)
		}
		b.WriteString(`]}`)
		return b.Bytes(), nil
	}
	// A grid of cells about 60 px wide at this zoom (256 px tiles).
	z := min(view.Zoom, 21)
	cellLon := 360.0 / float64(uint(1)<<uint(z)) * 60 / 256
	cellLat := cellLon * math.Cos(((view.BBox[1]+view.BBox[3])/2)*math.Pi/180)
	cells := map[[2]int]*cluster{}
	var order [][2]int
	for _, f := range sel {
		k := [2]int{int(math.Floor(f.lat / cellLat)), int(math.Floor(f.lon / cellLon))}
		c := cells[k]
		if c == nil {
			c = &cluster{kinds: map[string]int{}, first: f, minLat: f.lat, maxLat: f.lat, minLon: f.lon, maxLon: f.lon}
			cells[k] = c
			order = append(order, k)
		}
		c.n++
		c.lat += f.lat
		c.lon += f.lon
		c.kinds[f.kind]++
		c.minLat, c.maxLat = math.Min(c.minLat, f.lat), math.Max(c.maxLat, f.lat)
		c.minLon, c.maxLon = math.Min(c.minLon, f.lon), math.Max(c.maxLon, f.lon)
	}
	for i, k := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		c := cells[k]
		if c.n == 1 {
			b.Write(c.first.json)
			continue
		}
		writePoint(&b, c.lat/float64(c.n), c.lon/float64(c.n), true)
		b.WriteString(`"cluster":true,"count":` + strconv.Itoa(c.n) + `,"kinds":{`)
		j := 0
		for _, kd := range append(Kinds, "facility") {
			if n := c.kinds[kd]; n > 0 {
				if j > 0 {
					b.WriteByte(',')
				}
				j++
				b.WriteString(`"` + kd + `":` + strconv.Itoa(n))
			}
		}
		b.WriteString(`},"bbox":[`)
		for i, x := range []float64{c.minLon, c.minLat, c.maxLon, c.maxLat} {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(x, 'f', 5, 64))
		}
		b.WriteString(`]}}`)
	}
	b.WriteString(`]}`)
	return b.Bytes(), nil
}
