package haul

import (
	"context"
	"time"
)

// Order is a transport order under an agreement, as the loads see it: who
// drives for whom, between which sites, in which period, and what the
// vehicles must meet. core/transport keeps the orders; haul only reads them
// through Orders.
type Order struct {
	ID               string    `json:"id"`
	AgreementID      string    `json:"agreement_id"`
	TransporterOrgID string    `json:"transporter_org_id"`
	SupplierOrgID    string    `json:"supplier_org_id"`
	ReceiverOrgID    string    `json:"receiver_org_id"`
	PickupSiteID     string    `json:"pickup_site_id"`
	DeliverySiteID   string    `json:"delivery_site_id"`
	Fraction         string    `json:"fraction"`
	Status           string    `json:"status"`
	From             time.Time `json:"from"`
	To               time.Time `json:"to"`
	LoadsPerDay      int       `json:"loads_per_day"`
	TonnesPerDay     float64   `json:"tonnes_per_day"`
	// MinEuroClass is the lowest Euro class allowed ("" for any; see
	// directory.EuroClasses), Fuels the fuels allowed (none: any), MaxAxles
	// the most axles (0: any).
	MinEuroClass string   `json:"min_euro_class,omitempty"`
	Fuels        []string `json:"fuels,omitempty"`
	MaxAxles     int      `json:"max_axles,omitempty"`
}

// Orders reads transport orders (implemented by core/transport).
type Orders interface {
	// Order is one order; fail.NotFound when the actor may not see it.
	Order(ctx context.Context, id string) (*Order, error)
	// OpenOrders are the active orders where orgID is the transporter,
	// the supplier or the receiver.
	OpenOrders(ctx context.Context, orgID string) ([]Order, error)
}
