// Package haversine is the offline router (routing.haversine): great-circle
// distance times a detour factor.
package haversine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/geo"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "routing.haversine", New: func() app.Module { return &Router{Detour: geo.DefaultDetour} }})
}

// Router multiplies the straight-line distance by Detour.
type Router struct{ Detour float64 }

// Provision reads MASSEFLYT_ROUTING_DETOUR.
func (r *Router) Provision(a *app.App) error {
	if s := a.Config.Setting("MASSEFLYT_ROUTING_DETOUR", ""); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("MASSEFLYT_ROUTING_DETOUR=%q is not a number (e.g. 1.3)", s)
		}
		r.Detour = f
	}
	return nil
}

// Validate checks the factor is plausible.
func (r *Router) Validate() error {
	if r.Detour < 1 || r.Detour > 3 {
		return fmt.Errorf("MASSEFLYT_ROUTING_DETOUR: detour factor %.2f outside 1–3", r.Detour)
	}
	return nil
}

// RoadKm estimates the road distance.
func (r *Router) RoadKm(_ context.Context, a, b geo.Point) (float64, error) {
	return geo.HaversineKm(a, b) * r.Detour, nil
}

// DetourFactor lets the matching engine rank with the same factor.
func (r *Router) DetourFactor() float64 { return r.Detour }

// Name describes the method.
func (r *Router) Name() string { return "haversine×" + strconv.FormatFloat(r.Detour, 'f', -1, 64) }

var _ geo.Router = (*Router)(nil)
