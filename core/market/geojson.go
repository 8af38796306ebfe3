package market

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/httpx"
	"github.com/masseflyt/masseflyt/core/request"
	"github.com/masseflyt/masseflyt/core/store"
)

var (
	geoOnce  sync.Once
	geoCache *store.Cache[[]byte]
)

// mapClass is the audience a map is rendered for: the public sees coarse
// points (unless the owner made a point public) and no members-only
// listings; members of the tenant see exact points.
func mapClass(c *fiber.Ctx) string {
	p := request.Principal(c)
	if p.Has(auth.RoleMember) || p.Has(auth.RoleSupervisor) || request.IsAdmin(c) {
		return "member"
	}
	return "public"
}

// GeoJSON renders the tenant's published listings and facilities as a
// FeatureCollection for one audience, filtered by kind and fraction.
func (s *Service) GeoJSON(c *fiber.Ctx, kind, fraction string) ([]byte, error) {
	geoOnce.Do(func() { geoCache = store.NewCache[[]byte](5*time.Second, 500) })
	t := request.Tenant(c)
	class := mapClass(c)
	key := t.ID + "|" + class + "|" + kind + "|" + fraction
	gen := store.Generation(t.ID)
	if b, ok := geoCache.Get(key, gen); ok {
		return b, nil
	}
	// Scanned by hand: a map of ten thousand rows is dominated by ORM
	// reflection otherwise. The query still goes through GORM's Row callback,
	// so tenant scoping applies.
	type row struct {
		ID, Kind, Title, Fractions string
		Tonnes, Lat, Lon           float64
		From, To                   string // YYYY-MM
		Exact                      bool
	}
	var rows []row
	var sites []directory.Site
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
		months := "substr(available_from, 1, 7), substr(available_to, 1, 7)"
		if s.DB.Dialect == store.Postgres {
			months = "to_char(available_from AT TIME ZONE 'UTC', 'YYYY-MM'), to_char(available_to AT TIME ZONE 'UTC', 'YYYY-MM')"
		}
		q := tx.Model(&Listing{}).Select("id, kind, title, fractions, quantity_tonnes, "+months+", lat, lon, exact_location_public").
			Where("status IN ? AND available_to >= ?", openStatuses, time.Now().UTC().Truncate(24*time.Hour))
		if class == "public" {
			q = q.Where("visibility = ?", "public")
		}
		if kind != "" {
			q = q.Where("kind = ?", kind)
		}
		if fraction != "" {
			q = q.Where("(',' || fractions || ',') LIKE ?", "%,"+fraction+",%")
		}
		rs, err := q.Rows()
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.ID, &r.Kind, &r.Title, &r.Fractions, &r.Tonnes, &r.From, &r.To, &r.Lat, &r.Lon, &r.Exact); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		if err := rs.Err(); err != nil {
			return err
		}
		if kind != "" {
			return nil
		}
		return tx.Select("id, name, facility_type, lat, lon").Where("kind = ?", "facility").Find(&sites).Error
	})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(rows)*160 + len(sites)*120 + 64)
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	first := true
	point := func(lat, lon float64, exact bool) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(`{"type":"Feature","geometry":{"type":"Point","coordinates":[`)
		b.WriteString(strconv.FormatFloat(lon, 'f', 5, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(lat, 'f', 5, 64))
		b.WriteString(`]},"properties":{`)
		if !exact {
			b.WriteString(`"approx":1,`)
		}
	}
	for i := range rows {
		l := &rows[i]
		lat, lon, exact := l.Lat, l.Lon, true
		if class == "public" && !l.Exact {
			a := Coarse(l.Lat, l.Lon)
			lat, lon, exact = a.Lat, a.Lon, false
		}
		point(lat, lon, exact)
		b.WriteString(`"id":"` + l.ID + `","kind":"` + l.Kind + `","fractions":`)
		writeJSONStrings(&b, strings.Split(l.Fractions, ","))
		b.WriteString(`,"title":`)
		writeJSONString(&b, l.Title)
		b.WriteString(`,"band":`)
		writeJSONString(&b, QuantityBand(l.Tonnes))
		b.WriteString(`,"period":"` + l.From + "/" + l.To + `"}}`)
	}
	for _, st := range sites {
		point(st.Lat, st.Lon, true)
		b.WriteString(`"id":"` + st.ID + `","kind":"facility","facility_type":"` + st.FacilityType + `","title":`)
		writeJSONString(&b, st.Name)
		b.WriteString(`}}`)
	}
	b.WriteString(`]}`)
	out := b.Bytes()
	geoCache.Put(key, gen, out)
	return out, nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteString(strconv.Quote(s))
}

func writeJSONStrings(b *bytes.Buffer, ss []string) {
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, s)
	}
	b.WriteByte(']')
}

func (s *Service) geojson(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "read"); err != nil {
		return err
	}
	kind, fraction := c.Query("kind"), c.Query("fraction")
	v := &httpx.Validation{}
	if kind != "" && !inSet(kind, Kinds) {
		enumErr(v, "kind", Kinds)
	}
	if _, ok := FractionByCode(fraction); fraction != "" && !ok {
		v.Add("fraction", "unknown_fraction", "ErrUnknownFraction", "Fraction", fraction)
	}
	if err := v.Err(); err != nil {
		return err
	}
	b, err := s.GeoJSON(c, kind, fraction)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/geo+json")
	return c.Send(b)
}
