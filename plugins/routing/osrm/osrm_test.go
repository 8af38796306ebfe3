package osrm

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/geo"
)

func TestRoute(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/route/v1/driving/10.523700,59.891100;10.623700,59.898300") {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"code":"InvalidQuery"}`))
			return
		}
		// Shape of an OSRM response, trimmed.
		_, _ = w.Write([]byte(`{"code":"Ok","routes":[{"geometry":"","legs":[{"steps":[],"summary":"","weight":812.3,"duration":690.1,"distance":8421.7}],"weight_name":"routability","weight":812.3,"duration":690.1,"distance":8421.7}],"waypoints":[]}`))
	}))
	defer srv.Close()
	r := &Router{BaseURL: srv.URL, HTTP: srv.Client()}
	km, err := r.RoadKm(context.Background(), geo.Point{Lat: 59.8911, Lon: 10.5237}, geo.Point{Lat: 59.8983, Lon: 10.6237})
	if err != nil || km < 8.4216 || km > 8.4218 {
		t.Fatalf("%v %v", km, err)
	}
	if _, err := r.RoadKm(context.Background(), geo.Point{Lat: 1, Lon: 1}, geo.Point{Lat: 2, Lon: 2}); err == nil {
		t.Fatal("an error response must be an error")
	}
}

func TestURLSetting(t *testing.T) {
	for value, ok := range map[string]bool{"": false, "osrm.local:5000": false, "ftp://osrm.local": false, "http://127.0.0.1:5000/": true} {
		r := new(Router)
		if err := r.Provision(&app.App{Config: app.Config{Settings: map[string]string{"MASSEFLYT_OSRM_URL": value}}}); err != nil {
			t.Fatal(err)
		}
		err := r.Validate()
		if ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), "MASSEFLYT_OSRM_URL")) {
			t.Errorf("%q: %v", value, err)
		}
	}
}
