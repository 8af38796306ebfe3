// Package haul is tracked loads (issue 13, K9, K10, T5): every load under a
// sealed agreement and its transport order follows one protocol. The driver
// (a member of the order's transport company) departs with an approved
// vehicle; the sender's site releases the load (the one-time code on the
// driver's phone confirmed by a sender representative, or a code the sender
// issued); the receiver scans or types the load's code, weighs it, runs the
// receipt check from the region's template and accepts, partly accepts or
// rejects it. Every step is appended to the agreement's ledger chain
// (core/ledger) in the step's transaction, plausibility flags are kept on
// the load, quantity alarms go to both parties and the transporter, and a
// delivered load gets its climate account (kg CO2e, factor set, baseline).
// The driver and gate app queue their steps offline: each carries an
// idempotency key, and a resend returns the first answer.
package haul

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/masseflyt/masseflyt/core/store"
)

// Load statuses.
const (
	StatusAwaiting = "awaiting_release" // departed, the sender has not released it
	StatusReleased = "released"         // on the road
	StatusReceived = "received"
	StatusPartly   = "partly_accepted"
	StatusRejected = "rejected"
)

// Statuses lists every status (filters, labels).
var Statuses = []string{StatusAwaiting, StatusReleased, StatusReceived, StatusPartly, StatusRejected}

// Results of a receipt.
const (
	ResultAccepted = "accepted"
	ResultPartly   = "partly_accepted"
	ResultRejected = "rejected"
)

// Results lists the receipt results.
var Results = []string{ResultAccepted, ResultPartly, ResultRejected}

// Kinds of load: a delivery, or the return of a rejected one.
const (
	KindDelivery = "delivery"
	KindReturn   = "return"
)

// Weight methods.
const (
	WeighBridge = "weighbridge" // a verified scale's value
	WeighVolume = "volume"      // volume × density
	WeighNone   = "estimate"    // only the driver's estimate: flagged
)

// Ledger step kinds.
const (
	StepDeparted = "departed"
	StepReleased = "released"
	StepArrived  = "arrived"
	StepReceived = "received"
	StepPartly   = "partly_accepted"
	StepRejected = "rejected"
	StepFlagged  = "flagged"
	StepSampled  = "sampled"
)

// Final reports whether the load's receipt is recorded.
func (l *Load) Final() bool {
	return l.Status == StatusReceived || l.Status == StatusPartly || l.Status == StatusRejected
}

// Load is one truck load (a tenant table).
type Load struct {
	store.TenantRow
	ID     string `gorm:"primaryKey" json:"id"`
	Number string `json:"number"`
	// Code is what the receiver scans or types; ReleaseCode the one-time
	// code the sender's representative confirms (shown to the driver and
	// the parties only).
	Code             string  `json:"code,omitempty"`
	ReleaseCode      string  `json:"release_code,omitempty"`
	Kind             string  `json:"kind"`
	ReturnOfID       *string `json:"return_of_id,omitempty"`
	AgreementID      string  `json:"agreement_id"`
	OrderID          string  `json:"order_id"`
	TransporterOrgID string  `json:"transporter_org_id"`
	SupplierOrgID    string  `json:"supplier_org_id"`
	ReceiverOrgID    string  `json:"receiver_org_id"`
	PickupSiteID     *string `json:"pickup_site_id,omitempty"`
	DeliverySiteID   *string `json:"delivery_site_id,omitempty"`
	VehicleID        string  `json:"vehicle_id"`
	Registration     string  `json:"registration"`
	// The vehicle as it was at departure (its register entry may change
	// later): what the load's climate account and recomputes read.
	VehicleBodyType      string     `json:"vehicle_body_type,omitempty"`
	VehiclePayloadTonnes float64    `json:"vehicle_payload_tonnes,omitempty"`
	VehicleFuel          string     `json:"vehicle_fuel,omitempty"`
	VehicleEuroClass     string     `json:"vehicle_euro_class,omitempty"`
	DriverID             string     `json:"driver_id"`
	Fraction             string     `json:"fraction"`
	Status               string     `json:"status"`
	Seq                  int        `json:"seq"`
	EstTonnes            float64    `json:"est_tonnes"`
	EstM3                float64    `gorm:"column:est_m3" json:"est_m3"`
	DepLat               *float64   `json:"dep_lat,omitempty"`
	DepLon               *float64   `json:"dep_lon,omitempty"`
	DepDeviceAt          *time.Time `json:"dep_device_at,omitempty"`
	DepartedAt           time.Time  `json:"departed_at"`
	ReleasedAt           *time.Time `json:"released_at,omitempty"`
	ReleasedBy           string     `json:"-"`
	ReleasedOrgID        string     `json:"released_org_id,omitempty"`
	ArrLat               *float64   `json:"arr_lat,omitempty"`
	ArrLon               *float64   `json:"arr_lon,omitempty"`
	ArrDeviceAt          *time.Time `json:"arr_device_at,omitempty"`
	ReceivedAt           *time.Time `json:"received_at,omitempty"`
	ReceivedBy           string     `json:"-"`
	WeightMethod         string     `json:"weight_method,omitempty"`
	WeightTonnes         float64    `json:"weight_tonnes"`
	VolumeM3             float64    `gorm:"column:volume_m3" json:"volume_m3"`
	Density              float64    `json:"density"`
	AcceptedTonnes       float64    `json:"accepted_tonnes"`
	Result               string     `json:"result,omitempty"`
	Reason               string     `json:"reason,omitempty"`
	Checks               Checks     `gorm:"type:text" json:"checks"`
	SampleDue            bool       `json:"sample_due"`
	SampleID             string     `json:"sample_id,omitempty"`
	Flags                Flags      `gorm:"type:text" json:"flags"`
	Flagged              bool       `json:"flagged"`
	KgCO2e               *float64   `gorm:"column:kg_co2e" json:"kg_co2e,omitempty"`
	RoadKm               *float64   `json:"road_km,omitempty"`
	DistanceMethod       string     `json:"distance_method,omitempty"`
	FactorSet            string     `json:"factor_set,omitempty"`
	BaselineKgCO2e       *float64   `gorm:"column:baseline_kg_co2e" json:"baseline_kg_co2e,omitempty"`
	Baseline             string     `json:"-"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`

	// BaselineDetail is Baseline decoded (reads only).
	BaselineDetail *ClimateBaseline `gorm:"-" json:"baseline,omitempty"`
	// Photos and Events are read with one load.
	Photos []Photo `gorm:"-" json:"photos,omitempty"`
	Events []Event `gorm:"-" json:"events,omitempty"`

	SupplierName    string `gorm:"->" json:"supplier_name,omitempty"`
	ReceiverName    string `gorm:"->" json:"receiver_name,omitempty"`
	TransporterName string `gorm:"->" json:"transporter_name,omitempty"`
}

func (Load) TableName() string { return "loads" }

// Check is one answered step of the receipt check.
type Check struct {
	Key  string `json:"key"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

// Checks are a receipt's answered steps (JSON text).
type Checks []Check

// Flag is one plausibility flag on a load.
type Flag struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail,omitempty"`
}

// Flag kinds (shown to the parties and supervisors).
const (
	FlagSpeed          = "speed"              // average speed above 100 km/h
	FlagArrivedBefore  = "arrival_before"     // arrival before departure
	FlagVehicleTwice   = "vehicle_two_places" // the same vehicle in two places at once
	FlagOverQuantity   = "over_quantity"      // delivered above agreed + tolerance
	FlagMissingWeight  = "missing_weight"     // no weighbridge value and no volume
	FlagLateSync       = "late_sync"          // synced more than 24 h after the device time
	FlagStale          = "stale"              // an offline event older than 7 days
	FlagFarFromSite    = "far_from_site"      // a position far outside the site
	FlagDeviceInFuture = "device_time_ahead"  // the device's clock is ahead of the server's
)

// FlagKinds lists every flag kind (labels).
var FlagKinds = []string{FlagSpeed, FlagArrivedBefore, FlagVehicleTwice, FlagOverQuantity, FlagMissingWeight, FlagLateSync, FlagStale, FlagFarFromSite, FlagDeviceInFuture}

// Flags are a load's plausibility flags (JSON text).
type Flags []Flag

// Has reports whether the flags hold kind.
func (fs Flags) Has(kind string) bool {
	for _, f := range fs {
		if f.Kind == kind {
			return true
		}
	}
	return false
}

func (fs *Flags) add(kind, detail string) {
	if !fs.Has(kind) {
		*fs = append(*fs, Flag{Kind: kind, Detail: detail})
	}
}

// Value and Scan store Checks and Flags as JSON text.
func (c Checks) Value() (driver.Value, error) { return jsonValue(c, "[]") }
func (c *Checks) Scan(v any) error            { return jsonScan(v, c) }
func (fs Flags) Value() (driver.Value, error) { return jsonValue(fs, "[]") }
func (fs *Flags) Scan(v any) error            { return jsonScan(v, fs) }

func jsonValue[T any](x []T, empty string) (driver.Value, error) {
	if len(x) == 0 {
		return empty, nil
	}
	b, err := json.Marshal(x)
	return string(b), err
}

func jsonScan(v any, into any) error {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	case nil:
		return nil
	default:
		return fmt.Errorf("haul: cannot scan %T", v)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, into)
}

// Event is one step of a load (a tenant table), as the app shows it; the
// tamper-evident record is the ledger entry whose hash it keeps.
type Event struct {
	store.TenantRow
	ID         string     `gorm:"primaryKey" json:"id"`
	LoadID     string     `json:"load_id"`
	Kind       string     `json:"kind"`
	ActorID    string     `json:"-"`
	OrgID      string     `json:"org_id,omitempty"`
	VehicleID  string     `json:"vehicle_id,omitempty"`
	Lat        *float64   `json:"lat,omitempty"`
	Lon        *float64   `json:"lon,omitempty"`
	DeviceAt   *time.Time `json:"device_at,omitempty"`
	ServerAt   time.Time  `json:"server_at"`
	Data       string     `json:"-"`
	LedgerHash string     `json:"ledger_hash,omitempty"`
	CreatedAt  time.Time  `json:"-"`
}

func (Event) TableName() string { return "load_events" }

// Photo is a photo of a load (a tenant table): at departure, at receipt, or
// of a deviation found by a check step.
type Photo struct {
	store.TenantRow
	ID          string    `gorm:"primaryKey" json:"id"`
	LoadID      string    `json:"load_id"`
	Step        string    `json:"step"`
	CheckKey    string    `json:"check_key,omitempty"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `gorm:"column:sha256" json:"sha256"`
	BlobKey     string    `json:"-"`
	CreatedBy   string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

func (Photo) TableName() string { return "load_photos" }

// request is a stored answer to an idempotent step (a tenant table).
type request struct {
	store.TenantRow
	ID        string    `gorm:"primaryKey"`
	UserID    string    `gorm:"column:user_id"`
	IdemKey   string    `gorm:"column:idem_key"`
	Op        string    `gorm:"column:op"`
	LoadID    string    `gorm:"column:load_id"`
	Response  string    `gorm:"column:response"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (request) TableName() string { return "load_requests" }

// ReleaseCode is a code a sender issued for an order: the driver enters it
// at departure and the load leaves released (a tenant table).
type ReleaseCode struct {
	store.TenantRow
	ID          string     `gorm:"primaryKey" json:"id"`
	Code        string     `json:"code"`
	OrderID     string     `json:"order_id"`
	AgreementID string     `json:"agreement_id"`
	OrgID       string     `json:"org_id"`
	IssuedBy    string     `json:"-"`
	LoadID      *string    `json:"load_id,omitempty"`
	UsedAt      *time.Time `json:"used_at,omitempty"`
	ExpiresAt   time.Time  `json:"expires_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

func (ReleaseCode) TableName() string { return "release_codes" }

// Tally is an agreement's count of loads and delivered tonnes (a tenant
// table keyed by the agreement's ID); its row lock orders receipts on one
// agreement.
type Tally struct {
	store.TenantRow
	ID              string    `gorm:"primaryKey" json:"agreement_id"`
	Loads           int       `json:"loads"`
	Received        int       `json:"received"`
	DeliveredTonnes float64   `json:"delivered_tonnes"`
	AlarmPct        int       `json:"alarm_pct"`
	AutoComplete    bool      `json:"auto_complete"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func (Tally) TableName() string { return "load_tallies" }

// ClimateBaseline is a delivered load's own counterfactual (V8, V9): the surplus
// driven to the nearest landfill that may take it and, for the receiver,
// the same tonnes fetched from the nearest quarry.
type ClimateBaseline struct {
	LandfillSiteID string  `json:"landfill_site_id,omitempty"`
	LandfillName   string  `json:"landfill_name,omitempty"`
	LandfillKm     float64 `json:"landfill_km,omitempty"`
	QuarrySiteID   string  `json:"quarry_site_id,omitempty"`
	QuarryName     string  `json:"quarry_name,omitempty"`
	QuarryKm       float64 `json:"quarry_km,omitempty"`
	KgCO2e         float64 `json:"kg_co2e"`
	Complete       bool    `json:"complete"`
}
