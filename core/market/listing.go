package market

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/store"
)

// Listing kinds, transport arrangements and visibilities (statuses: status.go).
var (
	Kinds         = []string{"surplus", "need", "capacity"}
	Transports    = []string{"seller_delivers", "buyer_collects", "transport_needed"}
	Visibilities  = []string{"public", "members"}
	RockTypes     = []string{"granite", "gneiss", "limestone", "sandstone", "shale", "basalt", "other"}
	maxListingTon = 50_000_000.0
	// minListingTon is the least a listing may offer or ask for: less is
	// not a truckload's worth of masses (and 4.9e-324 t must not rank first).
	minListingTon = 1.0
)

// Listing is a surplus, a need or a capacity to receive (a tenant table).
type Listing struct {
	store.TenantRow
	ID                  string         `gorm:"primaryKey" json:"id"`
	OrganizationID      string         `json:"organization_id"`
	SiteID              *string        `json:"site_id,omitempty"`
	Kind                string         `json:"kind"`
	Title               string         `json:"title"`
	Description         string         `json:"description"`
	Fractions           directory.List `gorm:"type:text" json:"fractions"`
	QuantityTonnes      float64        `json:"quantity_tonnes"`
	QuantityValue       float64        `json:"quantity_value"`
	QuantityUnit        string         `json:"quantity_unit"`
	AvailableFrom       time.Time      `json:"available_from"`
	AvailableTo         time.Time      `json:"available_to"`
	Lat                 float64        `json:"lat"`
	Lon                 float64        `json:"lon"`
	ContaminationClass  int            `json:"contamination_class"`
	IntendedUse         string         `json:"intended_use,omitempty"`
	RockType            string         `json:"rock_type,omitempty"`
	GrainMinMM          *float64       `gorm:"column:grain_min_mm" json:"grain_min_mm,omitempty"`
	GrainMaxMM          *float64       `gorm:"column:grain_max_mm" json:"grain_max_mm,omitempty"`
	LAValue             *float64       `gorm:"column:la_value" json:"la_value,omitempty"`
	MicroDeval          *float64       `json:"micro_deval,omitempty"`
	PriceNOKPerTonne    *float64       `gorm:"column:price_nok_per_tonne" json:"price_nok_per_tonne,omitempty"`
	PricePublic         bool           `json:"price_public"`
	ExactLocationPublic bool           `json:"exact_location_public"`
	Transport           string         `json:"transport"`
	Status              Status         `json:"status"`
	Visibility          string         `json:"visibility"`
	CreatedBy           string         `json:"-"`
	// LocationDay and LocationChanges count the moves of the point on the
	// clock's day (M2: at most Service.MaxLocationChanges a day).
	LocationDay      string     `json:"-"`
	LocationChanges  int        `json:"-"`
	PublishedAt      *time.Time `json:"published_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	OrganizationName string     `gorm:"->" json:"organization_name,omitempty"`
}

func (Listing) TableName() string { return "listings" }

// AfterFind reports an open listing whose window has passed as expired.
func (l *Listing) AfterFind(tx *gorm.DB) error {
	if l.Open() && l.AvailableTo.Before(tx.NowFunc().UTC().Truncate(24*time.Hour)) {
		l.Status = StatusExpired
	}
	return nil
}

// Open reports whether the listing takes part in matching.
func (l *Listing) Open() bool {
	return l.Status.Open()
}

// Sample is one lab sample with its values in mg/kg dry matter (a tenant table).
type Sample struct {
	store.TenantRow
	ID        string             `gorm:"primaryKey" json:"id"`
	ListingID string             `json:"listing_id"`
	Name      string             `json:"name"`
	TakenOn   *time.Time         `json:"taken_on,omitempty"`
	Lab       string             `json:"lab"`
	Results   JSONMap            `gorm:"type:text" json:"results"`
	Class     int                `json:"class"`
	Deciding  directory.List     `gorm:"type:text" json:"deciding"`
	CreatedAt time.Time          `json:"created_at"`
	PerParam  map[string]int     `gorm:"-" json:"per_parameter,omitempty"`
	Input     map[string]float64 `gorm:"-" json:"-"`
}

func (Sample) TableName() string { return "lab_samples" }

// PublicView is what a visitor without rights to the details sees (B6): the
// fraction, a quantity band, the period by month and an area of about 1–2 km;
// the exact point and the price only when the owner made them public.
type PublicView struct {
	ID                 string         `json:"id"`
	Kind               string         `json:"kind"`
	Title              string         `json:"title"`
	Fractions          directory.List `json:"fractions"`
	QuantityBand       string         `json:"quantity_band"`
	Period             string         `json:"period"`
	Area               AreaPoint      `json:"area"`
	ContaminationClass int            `json:"contamination_class"`
	IntendedUse        string         `json:"intended_use,omitempty"`
	Transport          string         `json:"transport"`
	Status             Status         `json:"status"`
	PriceNOKPerTonne   *float64       `json:"price_nok_per_tonne,omitempty"`
	OrganizationName   string         `json:"organization_name"`
}

// AreaPoint is a location; Exact is false when it is the centre of a grid cell.
type AreaPoint struct {
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	Exact    bool    `json:"exact"`
	RadiusKm float64 `json:"radius_km"`
}

// Coarse snaps a point to the centre of its grid cell, about 1.1 km × 1.1 km
// in southern Norway (0.01° latitude; longitude scaled by latitude), so the
// exact location of a listing cannot be recovered from its public form.
func Coarse(lat, lon float64) AreaPoint {
	cl, co := geo.Cell(lat, lon)
	return AreaPoint{Lat: cl, Lon: co, RadiusKm: 1}
}

// QuantityBand describes tonnes as a band ("1 000–5 000 t").
func QuantityBand(t float64) string {
	bands := []float64{0, 500, 1000, 5000, 10000, 50000, 100000, 500000, 1000000}
	for i := 1; i < len(bands); i++ {
		if t < bands[i] {
			return band(bands[i-1]) + "–" + band(bands[i]) + " t"
		}
	}
	return "> 1\u00a0000\u00a0000 t"
}

func band(f float64) string {
	str := strconv.FormatInt(int64(f), 10)
	var b strings.Builder
	for i, c := range str {
		if i > 0 && (len(str)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Public returns the privacy-preserving view of a listing.
func (l *Listing) Public() PublicView {
	v := PublicView{ID: l.ID, Kind: l.Kind, Title: l.Title, Fractions: l.Fractions, QuantityBand: QuantityBand(l.QuantityTonnes),
		Period: l.AvailableFrom.Format("2006-01") + "/" + l.AvailableTo.Format("2006-01"), ContaminationClass: l.ContaminationClass,
		IntendedUse: l.IntendedUse, Transport: l.Transport, Status: l.Status, OrganizationName: l.OrganizationName}
	if l.ExactLocationPublic {
		v.Area = AreaPoint{Lat: l.Lat, Lon: l.Lon, Exact: true}
	} else {
		v.Area = Coarse(l.Lat, l.Lon)
	}
	if l.PricePublic {
		v.PriceNOKPerTonne = l.PriceNOKPerTonne
	}
	return v
}

// JSONMap stores lab values as JSON text.
type JSONMap map[string]float64

// Value encodes the map.
func (m JSONMap) Value() (driver.Value, error) {
	b, err := json.Marshal(map[string]float64(m))
	return string(b), err
}

// Scan decodes the map.
func (m *JSONMap) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	case nil:
		*m = nil
		return nil
	default:
		return fmt.Errorf("jsonmap: cannot scan %T", v)
	}
	return json.Unmarshal(b, (*map[string]float64)(m))
}
