// Package transport is transport booking and planned transports (K7, K8).
//
// A party of a sealed agreement sees the region's transport companies
// (services, approved vehicles, distance to the pickup site) and sends one
// of them a Request: a period within the agreement's, daily time windows,
// loads or tonnes per day, vehicle requirements, the pickup and delivery
// sites of the agreement and a price that is the parties' own. The company
// accepts, accepts part of or declines it; accepting makes an Order under
// the agreement with its PlannedLoads per day. A party that drives itself
// makes the order directly. Either side cancels an order with a reason.
//
// Plans are transports agreed outside Masseflyt that a project or a
// transporter registers so the region's overview of planned transports is
// complete. Members see the parties; the public sees only anonymised
// aggregates (loads per corridor and ISO week, corridor ends coarsened to
// about 1 km cells).
//
// core/haul reads the orders through haul.Orders (HaulOrders).
package transport

import (
	"time"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/store"
)

// Request statuses.
const (
	RequestPending   = "pending"
	RequestAccepted  = "accepted"
	RequestPartly    = "partly_accepted"
	RequestDeclined  = "declined"
	RequestWithdrawn = "withdrawn"
)

// RequestStatuses lists them (filters, labels).
var RequestStatuses = []string{RequestPending, RequestAccepted, RequestPartly, RequestDeclined, RequestWithdrawn}

// Answers a transport company gives.
const (
	AnswerAccept  = "accept"
	AnswerPartly  = "partly"
	AnswerDecline = "decline"
)

// Answers lists them.
var Answers = []string{AnswerAccept, AnswerPartly, AnswerDecline}

// Order statuses. An order on an agreement that was cancelled or completed
// reads as that (see Order.Effective).
const (
	OrderActive    = "active"
	OrderCancelled = "cancelled"
	OrderCompleted = "completed"
)

// Plan statuses.
const (
	PlanActive    = "active"
	PlanWithdrawn = "withdrawn"
)

// PriceUnits are what the parties' own price is per.
var PriceUnits = []string{"load", "t", "day", "total"}

// Limits of the input.
const (
	MaxLoadsPerDay  = 500
	MaxTonnesPerDay = 20000
	MaxPeriodDays   = 731
	MaxText         = 2000
	MaxPlanTonnes   = 10_000_000
	MaxPriceNOK     = 1_000_000_000
)

// Axles is the number of axles of each body type (directory.BodyTypes).
var Axles = map[string]int{"tipper_3axle": 3, "tipper_4axle": 4, "semi_tipper": 5, "road_train": 7, "hooklift": 3, "dumper": 3}

// euroRank orders Euro classes, lowest first.
func euroRank(c string) int {
	for i, e := range directory.EuroClasses {
		if e == c {
			return i
		}
	}
	return -1
}

// Spec is what a transport asks of its period, rhythm and vehicles; a
// request and an order share it.
type Spec struct {
	DateFrom     time.Time      `json:"date_from"`
	DateTo       time.Time      `json:"date_to"`
	TimeWindows  string         `json:"time_windows"`
	LoadsPerDay  int            `json:"loads_per_day"`
	TonnesPerDay float64        `json:"tonnes_per_day"`
	MinEuroClass string         `json:"min_euro_class"`
	Fuels        directory.List `gorm:"type:text" json:"fuels"`
	MaxAxles     int            `json:"max_axles"`
	PriceNOK     *float64       `gorm:"column:price_nok" json:"price_nok,omitempty"`
	PriceUnit    string         `json:"price_unit,omitempty"`
}

// Request is a party's request to a transport company (a tenant table).
type Request struct {
	store.TenantRow
	ID               string `gorm:"primaryKey" json:"id"`
	AgreementID      string `json:"agreement_id"`
	RequesterOrgID   string `json:"requester_org_id"`
	TransporterOrgID string `json:"transporter_org_id"`
	PickupSiteID     string `json:"pickup_site_id"`
	DeliverySiteID   string `json:"delivery_site_id"`
	Fraction         string `json:"fraction"`
	Status           string `json:"status"`
	Spec             `gorm:"embedded"`
	Message          string     `json:"message"`
	AnswerReason     string     `json:"answer_reason,omitempty"`
	AnsweredBy       string     `json:"-"`
	AnsweredAt       *time.Time `json:"answered_at,omitempty"`
	OrderID          *string    `json:"order_id,omitempty"`
	CreatedBy        string     `json:"-"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`

	AgreementNumber string `gorm:"->" json:"agreement_number"`
	RequesterName   string `gorm:"->" json:"requester_name"`
	TransporterName string `gorm:"->" json:"transporter_name"`
	PickupName      string `gorm:"->" json:"pickup_name"`
	DeliveryName    string `gorm:"->" json:"delivery_name"`
	// CanAnswer: the caller represents the transport company and the
	// request waits for its answer; CanWithdraw: the caller represents the
	// requester and it still waits.
	CanAnswer   bool `gorm:"-" json:"can_answer"`
	CanWithdraw bool `gorm:"-" json:"can_withdraw"`
}

func (Request) TableName() string { return "transport_requests" }

// Order is a transport order under an agreement (a tenant table).
type Order struct {
	store.TenantRow
	ID               string  `gorm:"primaryKey" json:"id"`
	AgreementID      string  `json:"agreement_id"`
	RequestID        *string `json:"request_id,omitempty"`
	TransporterOrgID string  `json:"transporter_org_id"`
	SupplierOrgID    string  `json:"supplier_org_id"`
	ReceiverOrgID    string  `json:"receiver_org_id"`
	PickupSiteID     string  `json:"pickup_site_id"`
	DeliverySiteID   string  `json:"delivery_site_id"`
	Fraction         string  `json:"fraction"`
	Status           string  `json:"status"`
	Spec             `gorm:"embedded"`
	CancelReason     string     `json:"cancel_reason,omitempty"`
	CancelledBy      string     `json:"-"`
	CancelledAt      *time.Time `json:"cancelled_at,omitempty"`
	CreatedBy        string     `json:"-"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`

	AgreementNumber string `gorm:"->" json:"agreement_number"`
	AgreementStatus string `gorm:"->" json:"agreement_status"`
	TransporterName string `gorm:"->" json:"transporter_name"`
	SupplierName    string `gorm:"->" json:"supplier_name"`
	ReceiverName    string `gorm:"->" json:"receiver_name"`
	PickupName      string `gorm:"->" json:"pickup_name"`
	DeliveryName    string `gorm:"->" json:"delivery_name"`
	// Loads are the planned loads per day (on reading one order).
	Loads []PlannedLoad `gorm:"-" json:"loads,omitempty"`
	// CanCancel: the caller represents a side and the order is active.
	CanCancel bool `gorm:"-" json:"can_cancel"`
}

func (Order) TableName() string { return "transport_orders" }

// Effective is the order's status as it binds: an active order on a
// cancelled or completed agreement is that too.
func (o *Order) Effective() string {
	if o.Status == OrderActive && (o.AgreementStatus == "cancelled" || o.AgreementStatus == "completed") {
		return o.AgreementStatus
	}
	return o.Status
}

// PlannedLoad is one day of an order's plan (a tenant table).
type PlannedLoad struct {
	store.TenantRow
	ID        string    `gorm:"primaryKey" json:"-"`
	OrderID   string    `json:"-"`
	Day       time.Time `json:"day"`
	Loads     int       `json:"loads"`
	Tonnes    float64   `json:"tonnes"`
	CreatedAt time.Time `json:"-"`
}

func (PlannedLoad) TableName() string { return "transport_planned_loads" }

// Plan is a transport agreed outside Masseflyt that an organization
// registered for the overview (a tenant table).
type Schedule struct {
	store.TenantRow
	ID             string    `gorm:"primaryKey" json:"id"`
	OrganizationID string    `json:"organization_id"`
	FromSiteID     *string   `json:"from_site_id,omitempty"`
	FromName       string    `json:"from_name"`
	FromLat        float64   `json:"from_lat"`
	FromLon        float64   `json:"from_lon"`
	ToSiteID       *string   `json:"to_site_id,omitempty"`
	ToName         string    `json:"to_name"`
	ToLat          float64   `json:"to_lat"`
	ToLon          float64   `json:"to_lon"`
	Fraction       string    `json:"fraction"`
	Tonnes         float64   `json:"tonnes"`
	DateFrom       time.Time `json:"date_from"`
	DateTo         time.Time `json:"date_to"`
	LoadsPerDay    int       `json:"loads_per_day"`
	Note           string    `json:"note"`
	Status         string    `json:"status"`
	CreatedBy      string    `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	OrganizationName string `gorm:"->" json:"organization_name"`
}

func (Schedule) TableName() string { return "transport_plans" }

// Vehicle is an approved vehicle as a requester sees it.
type Truck struct {
	ID            string  `json:"id"`
	BodyType      string  `json:"body_type"`
	Axles         int     `json:"axles"`
	EuroClass     string  `json:"euro_class"`
	Fuel          string  `json:"fuel"`
	PayloadTonnes float64 `json:"payload_tonnes"`
	PayloadM3     float64 `json:"payload_m3"`
}

// Company is a transport company of the region as a party of an
// agreement sees it when booking: its services, approved vehicles and
// straight-line distance to the pickup site (nil when it has no point).
type Company struct {
	OrganizationID string   `json:"organization_id"`
	Name           string   `json:"name"`
	City           string   `json:"city"`
	Services       []string `json:"services"`
	Vehicles       []Truck  `json:"vehicles"`
	DistanceKm     *float64 `json:"distance_km,omitempty"`
}

// Booking is what a party needs to book transport for an agreement.
type Booking struct {
	AgreementID     string    `json:"agreement_id"`
	AgreementNumber string    `json:"agreement_number"`
	Fraction        string    `json:"fraction"`
	PeriodFrom      string    `json:"period_from"`
	PeriodTo        string    `json:"period_to"`
	Transport       string    `json:"transport"`
	Transporter     string    `json:"transporter,omitempty"`
	PickupSiteID    string    `json:"pickup_site_id"`
	PickupName      string    `json:"pickup_name"`
	DeliverySiteID  string    `json:"delivery_site_id"`
	DeliveryName    string    `json:"delivery_name"`
	Companies       []Company `json:"companies"`
	// DirectOrgIDs are the caller's own party organizations with approved
	// vehicles: they may make an order directly.
	DirectOrgIDs []string `json:"direct_org_ids"`
}
