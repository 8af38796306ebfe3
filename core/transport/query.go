package transport

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

func requestsWithNames(tx *gorm.DB) *gorm.DB {
	return tx.Model(&Request{}).Select("transport_requests.*, ag.number AS agreement_number, rq.name AS requester_name, tr.name AS transporter_name, ps.name AS pickup_name, ds.name AS delivery_name").
		Joins("JOIN agreements ag ON ag.tenant_id = transport_requests.tenant_id AND ag.id = transport_requests.agreement_id").
		Joins("JOIN organizations rq ON rq.tenant_id = transport_requests.tenant_id AND rq.id = transport_requests.requester_org_id").
		Joins("JOIN organizations tr ON tr.tenant_id = transport_requests.tenant_id AND tr.id = transport_requests.transporter_org_id").
		Joins("JOIN sites ps ON ps.tenant_id = transport_requests.tenant_id AND ps.id = transport_requests.pickup_site_id").
		Joins("JOIN sites ds ON ds.tenant_id = transport_requests.tenant_id AND ds.id = transport_requests.delivery_site_id")
}

func ordersWithNames(tx *gorm.DB) *gorm.DB {
	return tx.Model(&Order{}).Select("transport_orders.*, ag.number AS agreement_number, ag.status AS agreement_status, tr.name AS transporter_name, su.name AS supplier_name, re.name AS receiver_name, ps.name AS pickup_name, ds.name AS delivery_name").
		Joins("JOIN agreements ag ON ag.tenant_id = transport_orders.tenant_id AND ag.id = transport_orders.agreement_id").
		Joins("JOIN organizations tr ON tr.tenant_id = transport_orders.tenant_id AND tr.id = transport_orders.transporter_org_id").
		Joins("JOIN organizations su ON su.tenant_id = transport_orders.tenant_id AND su.id = transport_orders.supplier_org_id").
		Joins("JOIN organizations re ON re.tenant_id = transport_orders.tenant_id AND re.id = transport_orders.receiver_org_id").
		Joins("JOIN sites ps ON ps.tenant_id = transport_orders.tenant_id AND ps.id = transport_orders.pickup_site_id").
		Joins("JOIN sites ds ON ds.tenant_id = transport_orders.tenant_id AND ds.id = transport_orders.delivery_site_id")
}

// requestTx reads a request the actor may see.
func requestTx(tx *gorm.DB, a *access.Actor, id string) (*Request, error) {
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	var r Request
	if err := requestsWithNames(tx).Where("transport_requests.id = ?", id).Take(&r).Error; err != nil {
		return nil, store.NotFoundOr(err)
	}
	orgs := orgsOf(a)
	if !orgs[r.RequesterOrgID] && !orgs[r.TransporterOrgID] && !observer(a) {
		return nil, fail.NotFoundErr()
	}
	r.CanAnswer = orgs[r.TransporterOrgID] && r.Status == RequestPending
	r.CanWithdraw = orgs[r.RequesterOrgID] && r.Status == RequestPending
	return &r, nil
}

// orderTx reads an order the actor may see.
func orderTx(tx *gorm.DB, a *access.Actor, id string) (*Order, error) {
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	var o Order
	if err := ordersWithNames(tx).Where("transport_orders.id = ?", id).Take(&o).Error; err != nil {
		return nil, store.NotFoundOr(err)
	}
	if side(a, &o) == "" && !observer(a) {
		return nil, fail.NotFoundErr()
	}
	o.CanCancel = side(a, &o) != "" && o.Effective() == OrderActive
	return &o, nil
}

// GetRequest reads one request (its two organizations' members,
// supervisors and tenant admins).
func (s *Service) GetRequest(ctx context.Context, id string) (*Request, error) {
	var r *Request
	err := s.DB.Read(ctx, func(tx *gorm.DB) (err error) {
		r, err = requestTx(tx, access.From(ctx), id)
		return err
	})
	return r, err
}

// GetOrder reads one order with its planned loads (its sides' members,
// supervisors and tenant admins).
func (s *Service) GetOrder(ctx context.Context, id string) (*Order, error) {
	var o *Order
	err := s.DB.Read(ctx, func(tx *gorm.DB) (err error) {
		if o, err = orderTx(tx, access.From(ctx), id); err != nil {
			return err
		}
		o.Status = o.Effective()
		o.Loads = []PlannedLoad{}
		return tx.Where("order_id = ?", o.ID).Order("day").Find(&o.Loads).Error
	})
	return o, err
}

// ListFilter selects requests or orders.
type ListFilter struct {
	AgreementID string
	Status      string
	Page        page.Request
}

// mine limits a query to rows where one of cols is an organization of the
// actor, unless the actor observes; ok is false when nothing can match.
func mine(q *gorm.DB, a *access.Actor, cols ...string) (*gorm.DB, bool) {
	if observer(a) {
		return q, true
	}
	orgs := sorted(orgsOf(a))
	if len(orgs) == 0 {
		return q, false
	}
	w := ""
	args := []any{}
	for i, c := range cols {
		if i > 0 {
			w += " OR "
		}
		w += c + " IN ?"
		args = append(args, orgs)
	}
	return q.Where("("+w+")", args...), true
}

func keyset(q *gorm.DB, table, cursor string) (*gorm.DB, error) {
	if cursor == "" {
		return q, nil
	}
	k, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, err
	}
	at, err := time.Parse(time.RFC3339Nano, k[0])
	if err != nil || !store.ValidID(k[1]) {
		return nil, page.BadCursor()
	}
	return q.Where("("+table+".created_at < ? OR ("+table+".created_at = ? AND "+table+".id < ?))", at, at, k[1]), nil
}

// Requests lists the requests the caller's organizations sent or got
// (every one for supervisors and tenant admins), newest first.
func (s *Service) Requests(ctx context.Context, f ListFilter) (page.Page[Request], error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return page.Page[Request]{}, fail.UnauthorizedErr()
	}
	if f.Status != "" && !oneOf(f.Status, RequestStatuses) {
		v := &fail.Validation{}
		v.Add("status", "enum", "ErrFieldEnum", "Allowed", joinComma(RequestStatuses))
		return page.Page[Request]{}, v.Err()
	}
	limit := f.Page.Limit
	if limit <= 0 {
		limit = RequestBounds.Default
	}
	rows := []Request{}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q, ok := mine(requestsWithNames(tx), a, "transport_requests.requester_org_id", "transport_requests.transporter_org_id")
		if !ok {
			return nil
		}
		if f.AgreementID != "" {
			q = q.Where("transport_requests.agreement_id = ?", f.AgreementID)
		}
		if f.Status != "" {
			q = q.Where("transport_requests.status = ?", f.Status)
		}
		q, err := keyset(q, "transport_requests", f.Page.Cursor)
		if err != nil {
			return err
		}
		return q.Order("transport_requests.created_at DESC, transport_requests.id DESC").Limit(limit + 1).Find(&rows).Error
	})
	if err != nil {
		return page.Page[Request]{}, err
	}
	orgs := orgsOf(a)
	for i := range rows {
		rows[i].CanAnswer = orgs[rows[i].TransporterOrgID] && rows[i].Status == RequestPending
		rows[i].CanWithdraw = orgs[rows[i].RequesterOrgID] && rows[i].Status == RequestPending
	}
	return page.Cut(rows, limit, func(r Request) page.Key { return page.Key{r.CreatedAt.UTC().Format(time.RFC3339Nano), r.ID} }), nil
}

// Orders lists the orders the caller's organizations are a side of (every
// one for supervisors and tenant admins), newest first.
func (s *Service) Orders(ctx context.Context, f ListFilter) (page.Page[Order], error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return page.Page[Order]{}, fail.UnauthorizedErr()
	}
	limit := f.Page.Limit
	if limit <= 0 {
		limit = OrderBounds.Default
	}
	rows := []Order{}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q, ok := mine(ordersWithNames(tx), a, "transport_orders.transporter_org_id", "transport_orders.supplier_org_id", "transport_orders.receiver_org_id")
		if !ok {
			return nil
		}
		if f.AgreementID != "" {
			q = q.Where("transport_orders.agreement_id = ?", f.AgreementID)
		}
		q, err := keyset(q, "transport_orders", f.Page.Cursor)
		if err != nil {
			return err
		}
		return q.Order("transport_orders.created_at DESC, transport_orders.id DESC").Limit(limit + 1).Find(&rows).Error
	})
	if err != nil {
		return page.Page[Order]{}, err
	}
	for i := range rows {
		rows[i].CanCancel = side(a, &rows[i]) != "" && rows[i].Effective() == OrderActive
		rows[i].Status = rows[i].Effective()
	}
	return page.Cut(rows, limit, func(o Order) page.Key { return page.Key{o.CreatedAt.UTC().Format(time.RFC3339Nano), o.ID} }), nil
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
