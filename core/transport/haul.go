package transport

import (
	"context"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/store"
)

// HaulOrders gives core/haul the transport orders (haul.Orders).
type HaulOrders struct{ S *Service }

var _ haul.Orders = HaulOrders{}

func asHaul(o *Order) haul.Order {
	return haul.Order{ID: o.ID, AgreementID: o.AgreementID, TransporterOrgID: o.TransporterOrgID, SupplierOrgID: o.SupplierOrgID,
		ReceiverOrgID: o.ReceiverOrgID, PickupSiteID: o.PickupSiteID, DeliverySiteID: o.DeliverySiteID, Fraction: o.Fraction,
		Status: o.Effective(), From: o.DateFrom, To: o.DateTo, LoadsPerDay: o.LoadsPerDay, TonnesPerDay: o.TonnesPerDay,
		MinEuroClass: o.MinEuroClass, Fuels: append([]string{}, o.Fuels...), MaxAxles: o.MaxAxles}
}

// Order is one order the actor may see (its sides, supervisors, tenant
// admins); not found otherwise.
func (h HaulOrders) Order(ctx context.Context, id string) (*haul.Order, error) {
	var out haul.Order
	err := h.S.DB.Read(ctx, func(tx *gorm.DB) error {
		a := access.From(ctx)
		if a.Anonymous() && !store.IsSystem(ctx) {
			return fail.NotFoundErr()
		}
		var (
			o   *Order
			err error
		)
		if store.IsSystem(ctx) {
			o = &Order{}
			if !store.ValidID(id) {
				return fail.NotFoundErr()
			}
			if err := ordersWithNames(tx).Where("transport_orders.id = ?", id).Take(o).Error; err != nil {
				return store.NotFoundOr(err)
			}
		} else if o, err = orderTx(tx, a, id); err != nil {
			if fe, ok := fail.As(err); ok && fe.Kind != fail.NotFound {
				return fail.NotFoundErr()
			}
			return err
		}
		out = asHaul(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// OpenOrders are the active orders, on agreements in force, where orgID
// is the transport company, the supplier or the receiver.
func (h HaulOrders) OpenOrders(ctx context.Context, orgID string) ([]haul.Order, error) {
	out := []haul.Order{}
	if !store.ValidID(orgID) {
		return out, nil
	}
	err := h.S.DB.Read(ctx, func(tx *gorm.DB) error {
		var rows []Order
		if err := ordersWithNames(tx).Where("transport_orders.status = ? AND ag.status NOT IN ? AND (transport_orders.transporter_org_id = ? OR transport_orders.supplier_org_id = ? OR transport_orders.receiver_org_id = ?)",
			OrderActive, []string{"cancelled", "completed"}, orgID, orgID, orgID).Order("transport_orders.date_from, transport_orders.id").Find(&rows).Error; err != nil {
			return err
		}
		for i := range rows {
			out = append(out, asHaul(&rows[i]))
		}
		return nil
	})
	return out, err
}

// HaulOrders is the service as core/haul reads it (app/haul.go wires it).
func (s *Service) HaulOrders() haul.Orders { return HaulOrders{S: s} }
