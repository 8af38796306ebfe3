// Package osrm asks an OSRM server for driving distances (routing.osrm).
package osrm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/geo"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "routing.osrm", New: func() app.Module { return new(Router) }})
}

// Router calls OSRM's route service (profile "driving").
type Router struct {
	BaseURL string
	HTTP    *http.Client
}

// Provision reads MASSEFLYT_OSRM_URL.
func (r *Router) Provision(a *app.App) error {
	r.BaseURL = strings.TrimRight(a.Config.Setting("MASSEFLYT_OSRM_URL", ""), "/")
	r.HTTP = &http.Client{Timeout: 5 * time.Second}
	return nil
}

// Validate requires a URL.
func (r *Router) Validate() error {
	if r.BaseURL == "" {
		return fmt.Errorf("routing.osrm needs MASSEFLYT_OSRM_URL")
	}
	return app.CheckURL("MASSEFLYT_OSRM_URL", r.BaseURL)
}

// RoadKm asks OSRM for the shortest driving route.
func (r *Router) RoadKm(ctx context.Context, a, b geo.Point) (float64, error) {
	url := fmt.Sprintf("%s/route/v1/driving/%.6f,%.6f;%.6f,%.6f?overview=false&alternatives=false&steps=false", r.BaseURL, a.Lon, a.Lat, b.Lon, b.Lat)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := r.HTTP.Do(req)
	if err != nil {
		return 0, fmt.Errorf("osrm: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Code   string `json:"code"`
		Routes []struct {
			Distance float64 `json:"distance"` // metres
		} `json:"routes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, fmt.Errorf("osrm: %w", err)
	}
	if out.Code != "Ok" || len(out.Routes) == 0 {
		return 0, fmt.Errorf("osrm: %s", out.Code)
	}
	return out.Routes[0].Distance / 1000, nil
}

// Name describes the method.
func (r *Router) Name() string { return "osrm" }

var _ geo.Router = (*Router)(nil)
