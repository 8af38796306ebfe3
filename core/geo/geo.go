// Package geo holds coordinates, distances and the interfaces of the
// location plugins (geocoder, router).
package geo

import (
	"context"
	"errors"
	"math"
)

// Point is a WGS84 coordinate (EPSG:4326; Kartverket's EPSG:4258 differs by
// centimetres and is treated as the same).
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// EarthRadiusKm is the mean Earth radius.
const EarthRadiusKm = 6371.0088

// HaversineKm returns the great-circle distance between a and b in km.
func HaversineKm(a, b Point) float64 {
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla := la2 - la1
	dlo := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// mainland is a coarse outline of mainland Norway with its islands, with a
// margin of a few kilometres offshore and along the land border ([lon, lat]).
// It rejects swapped coordinates and points in neighbouring countries'
// heartlands; within ~15 km of the land border it may err either way.
var mainland = [][2]float64{
	{11.45, 58.85}, {9.5, 58.2}, {7.0, 57.75}, {4.4, 58.7}, {4.3, 61.0}, {4.6, 62.3},
	{7.0, 63.3}, {9.5, 64.3}, {11.5, 66.0}, {11.5, 67.4}, {14.5, 69.3}, {17.5, 70.5},
	{21.0, 71.0}, {25.8, 71.35}, {28.5, 71.25}, {31.4, 70.5}, {31.1, 69.8},
	{30.2, 69.6}, {29.3, 69.3}, {28.95, 69.0}, {28.4, 69.75}, {27.9, 70.15},
	{26.5, 69.95}, {25.85, 69.4}, {25.0, 68.55}, {23.9, 68.75}, {22.3, 68.4},
	{21.0, 69.15}, {20.55, 69.0}, {18.2, 68.4}, {17.9, 68.0}, {16.4, 67.0},
	{15.6, 66.0}, {14.1, 65.0}, {14.0, 64.4}, {12.3, 63.5}, {12.25, 62.5},
	{12.45, 61.5}, {12.9, 61.0}, {12.6, 60.5}, {12.55, 60.0}, {11.85, 59.5},
	{11.45, 59.1},
}

// ErrOutsideNorway reports a point outside Norway.
var ErrOutsideNorway = errors.New("geo: point outside Norway")

// InNorway reports whether p lies in mainland Norway (coarsely), on Svalbard or on Jan Mayen.
func InNorway(p Point) bool {
	if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || math.IsInf(p.Lat, 0) || math.IsInf(p.Lon, 0) {
		return false
	}
	if p.Lat >= 74.0 && p.Lat <= 81.0 && p.Lon >= 10.0 && p.Lon <= 35.0 { // Svalbard, Bjørnøya
		return true
	}
	if p.Lat >= 70.7 && p.Lat <= 71.2 && p.Lon >= -9.2 && p.Lon <= -7.8 { // Jan Mayen
		return true
	}
	return inPolygon(p, mainland)
}

func inPolygon(p Point, poly [][2]float64) bool {
	in := false
	j := len(poly) - 1
	for i := range poly {
		xi, yi := poly[i][0], poly[i][1]
		xj, yj := poly[j][0], poly[j][1]
		if (yi > p.Lat) != (yj > p.Lat) && p.Lon < (xj-xi)*(p.Lat-yi)/(yj-yi)+xi {
			in = !in
		}
		j = i
	}
	return in
}

// Address is a geocoded address.
type Address struct {
	Text             string  `json:"text"`
	Postcode         string  `json:"postcode"`
	City             string  `json:"city"`
	MunicipalityNo   string  `json:"municipality_no"`
	MunicipalityName string  `json:"municipality_name"`
	Point            Point   `json:"point"`
	Score            float64 `json:"score,omitempty"`
}

// Geocoder turns an address into coordinates. Implementations are plugins
// (geocoder.kartverket, geocoder.fake).
type Geocoder interface {
	// Geocode returns the best matches for a free-text address, best first;
	// none found is an empty slice, not an error.
	Geocode(ctx context.Context, query string, limit int) ([]Address, error)
}

// Router estimates road distance. Implementations are plugins
// (routing.haversine, routing.osrm).
type Router interface {
	// RoadKm returns the driving distance from a to b in km.
	RoadKm(ctx context.Context, a, b Point) (float64, error)
	// Name identifies the method in explanations ("haversine×1.3", "osrm").
	Name() string
}

// DefaultDetour is the road/straight-line factor when no router is configured
// (1.343 averaged over 300 European cities; ≈1.2 dense urban, 1.4–1.5 fjord
// terrain ⚠).
const DefaultDetour = 1.3

// Cell snaps a point to the centre of its grid cell, about 1.1 km × 1.1 km
// in southern Norway (0.01° latitude; longitude scaled by latitude): the
// public area of a point whose owner keeps it private (B6).
func Cell(lat, lon float64) (float64, float64) {
	dLat := 0.01
	dLon := 0.01 / math.Max(0.2, math.Cos(lat*math.Pi/180))
	dLon = math.Round(dLon*1000) / 1000
	cl := (math.Floor(lat/dLat) + 0.5) * dLat
	co := (math.Floor(lon/dLon) + 0.5) * dLon
	return math.Round(cl*1e5) / 1e5, math.Round(co*1e5) / 1e5
}
