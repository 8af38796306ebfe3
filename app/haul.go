package app

import (
	"github.com/masseflyt/masseflyt/core/haul"
)

// provisionHaul sets up tracked loads (issue 13): they read transport
// orders from core/transport, append every step to the ledger, keep photos
// in the blob store and measure road distances with the routing plugin.
func (a *App) provisionHaul() {
	a.Haul = &haul.Service{DB: a.DB, Ledger: a.Ledger, Blobs: a.Directory.Blobs, Market: a.Market, Agreements: a.Agreements}
	if a.Matching != nil {
		a.Haul.Router = a.Matching.Road
	}
	switch o := any(a.Transport).(type) {
	case haul.Orders:
		a.Haul.Orders = o
	case interface{ HaulOrders() haul.Orders }:
		a.Haul.Orders = o.HaulOrders()
	}
	a.Haul.Subscribe(a.Events)
	// A site or an organization with tracked loads is not deleted.
	a.Directory.RemoveGuards = append(a.Directory.RemoveGuards, a.Haul.RemoveGuard)
}
