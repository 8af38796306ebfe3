package matching

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/store"
)

// RoadLeg is a road distance between two points, asked of the road router
// by match discovery (off the request) and kept, so that ranking in a
// request reads distances instead of waiting on the router.
type RoadLeg struct {
	store.TenantRow
	// ID is the leg's key: both points at 5 decimals (about a metre).
	ID        string `gorm:"primaryKey"`
	Km        float64
	Router    string
	CreatedAt time.Time
}

func (RoadLeg) TableName() string { return "road_legs" }

func legKey(a, b geo.Point) string {
	return fmt.Sprintf("%.5f,%.5f>%.5f,%.5f", a.Lat, a.Lon, b.Lat, b.Lon)
}

var errNotKnown = errors.New("road distance not known yet")

// keepingRouter asks the live router and keeps every answer (discovery),
// at most roadCalls at a time.
type keepingRouter struct {
	s    *Service
	live geo.Router
	sem  chan struct{}
}

const roadCalls = 8

func newKeepingRouter(s *Service) keepingRouter {
	return keepingRouter{s: s, live: s.Road, sem: make(chan struct{}, roadCalls)}
}

func (r keepingRouter) Name() string { return r.live.Name() }

func (r keepingRouter) RoadKm(ctx context.Context, a, b geo.Point) (float64, error) {
	key := legKey(a, b)
	var leg RoadLeg
	err := r.s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", key).Take(&leg).Error })
	if err == nil {
		return leg.Km, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, err
	}
	r.sem <- struct{}{}
	km, err := r.live.RoadKm(ctx, a, b)
	<-r.sem
	if err != nil || km < 0 {
		return km, err
	}
	leg = RoadLeg{ID: key, Km: km, Router: r.live.Name(), CreatedAt: r.s.DB.Now()}
	_ = r.s.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&leg).Error
	})
	return km, nil
}

// keptRouter answers only from the kept legs (requests): a leg discovery
// has not measured yet keeps its estimate, and the match says so.
type keptRouter struct {
	name string
	legs map[string]float64
}

func (r keptRouter) Name() string { return r.name }

func (r keptRouter) RoadKm(_ context.Context, a, b geo.Point) (float64, error) {
	if km, ok := r.legs[legKey(a, b)]; ok {
		return km, nil
	}
	return 0, errNotKnown
}

// askedRouter records which legs a refinement asks for.
type askedRouter struct {
	mu   sync.Mutex
	keys []string
}

func (r *askedRouter) Name() string { return "" }

func (r *askedRouter) RoadKm(_ context.Context, a, b geo.Point) (float64, error) {
	r.mu.Lock()
	r.keys = append(r.keys, legKey(a, b))
	r.mu.Unlock()
	return 0, errNotKnown
}

// refineKept refines ranked matches with the kept road legs only: one pass
// to learn which legs are needed, one query to read them, one pass to use
// them. The router is never called.
func (s *Service) refineKept(ctx context.Context, ms []Match) ([]Match, error) {
	asked := &askedRouter{}
	s.Engine.Refine(ctx, asked, copyMatches(ms))
	legs := map[string]float64{}
	if len(asked.keys) > 0 {
		var rows []RoadLeg
		err := s.DB.Read(ctx, func(tx *gorm.DB) error {
			return tx.Where("id IN ?", asked.keys).Find(&rows).Error
		})
		if err != nil {
			return nil, err
		}
		for _, l := range rows {
			legs[l.ID] = l.Km
		}
	}
	if len(legs) == 0 { // nothing measured yet: the estimates stand as they are
		return ms, nil
	}
	return s.Engine.Refine(ctx, keptRouter{name: s.Road.Name(), legs: legs}, ms), nil
}

// copyMatches copies matches deep enough for Refine to change the copy only.
func copyMatches(ms []Match) []Match {
	out := make([]Match, len(ms))
	for i, m := range ms {
		m.Legs = append([]Leg(nil), m.Legs...)
		if m.Baseline != nil {
			b := *m.Baseline
			m.Baseline = &b
		}
		out[i] = m
	}
	return out
}
