package transport

import (
	"context"
	"math"
	"strings"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/core/store"
)

// RequestInput is a transport request to one company.
type RequestInput struct {
	TransporterOrgID string `json:"transporter_org_id" doc:"The transport company asked (one with an approved vehicle)"`
	// OrganizationID is the party the caller asks for, when it represents
	// both.
	OrganizationID string `json:"organization_id,omitempty" doc:"The party you ask for, when you represent both"`
	SpecInput
	Message string `json:"message,omitempty" doc:"A message to the company (at most 2 000 characters)"`
}

// AnswerInput is a transport company's answer to a request.
type AnswerInput struct {
	Answer string `json:"answer" doc:"accept, partly (accept part of it: fewer loads or tonnes per day, or a shorter period) or decline"`
	// Reason is required to decline.
	AnswerReason string `json:"answer_reason,omitempty" doc:"Why (required to decline; at most 2 000 characters)"`
	// For a partial acceptance: the part accepted, within the request.
	DateFrom     string  `json:"date_from,omitempty" doc:"Partly: the first day accepted (YYYY-MM-DD), within the request"`
	DateTo       string  `json:"date_to,omitempty" doc:"Partly: the last day accepted, within the request"`
	LoadsPerDay  int     `json:"loads_per_day,omitempty" doc:"Partly: the loads per day accepted, at most the request's"`
	TonnesPerDay float64 `json:"tonnes_per_day,omitempty" doc:"Partly: the tonnes per day accepted, at most the request's"`
}

// OrderInput is an order a party makes directly: its own organization
// drives (it has approved vehicles).
type OrderInput struct {
	TransporterOrgID string `json:"transporter_org_id" doc:"Your own party organization that drives (it needs an approved vehicle)"`
	SpecInput
}

// CancelInput gives the reason of a cancellation.
type CancelInput struct {
	CancelReason string `json:"cancel_reason" doc:"Why the order is cancelled (required; at most 2 000 characters)"`
}

// RequestLink and OrderLink are the pages inside a region.
func RequestLink(id string) string { return "/transport/requests/" + id }
func OrderLink(id string) string   { return "/transport/orders/" + id }

// orgName reads an organization's name.
func orgName(tx *gorm.DB, id string) string {
	var n []string
	tx.Table("organizations").Where("id = ?", id).Pluck("name", &n)
	if len(n) == 0 {
		return ""
	}
	return n[0]
}

// Request sends a transport request from a party of a sealed agreement to
// a transport company with an approved vehicle that meets the
// requirements. The sites are the agreement's; the period lies within the
// agreement's.
func (s *Service) Request(ctx context.Context, agreementID string, in RequestInput) (*Request, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	r := &Request{ID: store.NewID(), Status: RequestPending, CreatedBy: a.UserID()}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		sa, err := agreementTx(tx, agreementID)
		if err != nil {
			return err
		}
		org, err := seeAgreement(a, sa, in.OrganizationID)
		if err != nil {
			return err
		}
		if err := bookable(sa); err != nil {
			return err
		}
		v := &fail.Validation{}
		lo, hi := period(sa.terms)
		r.Spec = spec(v, in.SpecInput, lo, hi)
		r.Message = cleanText(v, "message", in.Message, MaxText, false)
		if !store.ValidID(in.TransporterOrgID) {
			v.Add("transporter_org_id", "required", "ErrFieldRequired")
			return v.Err()
		}
		if !v.OK() {
			return v.Err()
		}
		vs, err := vehiclesTx(tx, []string{in.TransporterOrgID})
		if err != nil {
			return err
		}
		if len(vs[in.TransporterOrgID]) == 0 {
			v.Add("transporter_org_id", "no_vehicle", "ErrTransportNoVehicle")
			return v.Err()
		}
		fit := false
		for _, vh := range vs[in.TransporterOrgID] {
			fit = fit || r.Spec.fits(vh)
		}
		if !fit {
			v.Add("transporter_org_id", "no_fitting_vehicle", "ErrTransportNoFittingVehicle")
			return v.Err()
		}
		r.AgreementID, r.RequesterOrgID, r.TransporterOrgID = sa.ag.ID, org, in.TransporterOrgID
		r.PickupSiteID, r.DeliverySiteID, r.Fraction = sa.terms.Supplier.SiteID, sa.terms.Receiver.SiteID, sa.ag.Fraction
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		if err := notify.Tx(tx, notify.Note{OrganizationID: r.TransporterOrgID, Except: a.UserID(), Kind: "transport.request", Title: "NoteTransportRequested",
			Link: RequestLink(r.ID), Source: "transport-request:" + r.ID, Mail: true,
			Data: map[string]string{"Org": orgName(tx, org), "Number": sa.ag.Number}}); err != nil {
			return err
		}
		return events.Emit(tx, events.TransportRequested{RequestID: r.ID, AgreementID: r.AgreementID, RequesterOrgID: org, TransporterOrgID: r.TransporterOrgID, By: a.UserID()})
	})
	if err != nil {
		return nil, err
	}
	return s.GetRequest(ctx, r.ID)
}

// Answer is the transport company's answer to a pending request: accept
// (an order with the request's plan), accept part of it (fewer loads or
// tonnes per day, or a shorter period: an order with that part), or
// decline with a reason. Only the company's members answer, once: a
// second answer (or two at once) is a conflict.
func (s *Service) Answer(ctx context.Context, requestID string, in AnswerInput) (*Request, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		r, err := requestTx(tx, a, requestID)
		if err != nil {
			return err
		}
		if !orgsOf(a)[r.TransporterOrgID] {
			return fail.New(fail.Forbidden, "not_transporter", "ErrTransportNotTransporter")
		}
		if r.Status != RequestPending {
			return fail.ConflictErr("ErrTransportAnswered")
		}
		v := &fail.Validation{}
		if !oneOf(in.Answer, Answers) {
			v.Add("answer", "enum", "ErrFieldEnum", "Allowed", strings.Join(Answers, ", "))
			return v.Err()
		}
		reason := cleanText(v, "answer_reason", in.AnswerReason, MaxText, in.Answer == AnswerDecline)
		spec := r.Spec
		if in.Answer == AnswerPartly {
			spec = partly(v, r.Spec, in)
		}
		if !v.OK() {
			return v.Err()
		}
		sa, err := agreementTx(tx, r.AgreementID)
		if err != nil {
			return err
		}
		if in.Answer != AnswerDecline {
			if err := bookable(sa); err != nil {
				return err
			}
		}
		status := map[string]string{AnswerAccept: RequestAccepted, AnswerPartly: RequestPartly, AnswerDecline: RequestDeclined}[in.Answer]
		now := s.DB.Now()
		up := map[string]any{"status": status, "answer_reason": reason, "answered_by": a.UserID(), "answered_at": now, "updated_at": now}
		var o *Order
		if in.Answer != AnswerDecline {
			o = &Order{ID: store.NewID(), AgreementID: r.AgreementID, RequestID: &r.ID, TransporterOrgID: r.TransporterOrgID, SupplierOrgID: sa.ag.SupplierOrgID,
				ReceiverOrgID: sa.ag.ReceiverOrgID, PickupSiteID: r.PickupSiteID, DeliverySiteID: r.DeliverySiteID, Fraction: r.Fraction, Status: OrderActive, Spec: spec, CreatedBy: a.UserID()}
			up["order_id"] = o.ID
		}
		// The status in the WHERE is the wall against two answers at once:
		// the second finds no pending request.
		res := tx.Model(&Request{}).Where("id = ? AND status = ?", r.ID, RequestPending).Updates(up)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fail.ConflictErr("ErrTransportAnswered")
		}
		if o != nil {
			if err := s.createOrderTx(tx, o); err != nil {
				return err
			}
		}
		title := map[string]string{AnswerAccept: "NoteTransportAccepted", AnswerPartly: "NoteTransportPartly", AnswerDecline: "NoteTransportDeclined"}[in.Answer]
		if err := notify.Tx(tx, notify.Note{OrganizationID: r.RequesterOrgID, Except: a.UserID(), Kind: "transport.answer", Title: title,
			Link: RequestLink(r.ID), Source: "transport-answer:" + r.ID, Mail: true,
			Data: map[string]string{"Org": r.TransporterName, "Number": r.AgreementNumber, "Reason": reason}}); err != nil {
			return err
		}
		e := events.TransportAnswered{RequestID: r.ID, AgreementID: r.AgreementID, RequesterOrgID: r.RequesterOrgID, TransporterOrgID: r.TransporterOrgID, Decision: status, By: a.UserID()}
		if o != nil {
			e.OrderID = o.ID
		}
		return events.Emit(tx, e)
	})
	if store.IsUniqueViolation(err) { // the order of this request exists: the other answer won
		err = fail.ConflictErr("ErrTransportAnswered")
	}
	if err != nil {
		return nil, err
	}
	return s.GetRequest(ctx, requestID)
}

// partly checks the part of a request accepted: within its period, at most
// its loads and tonnes per day, and less than the whole.
func partly(v *fail.Validation, req Spec, in AnswerInput) Spec {
	out := req
	if in.DateFrom != "" || in.DateTo != "" {
		f, t := in.DateFrom, in.DateTo
		if f == "" {
			f = req.DateFrom.Format("2006-01-02")
		}
		if t == "" {
			t = req.DateTo.Format("2006-01-02")
		}
		out.DateFrom, out.DateTo = dates(v, f, t, req.DateFrom, req.DateTo)
	}
	if in.LoadsPerDay != 0 {
		if in.LoadsPerDay < 0 || (req.LoadsPerDay > 0 && in.LoadsPerDay > req.LoadsPerDay) || (req.LoadsPerDay == 0 && in.LoadsPerDay > MaxLoadsPerDay) {
			v.Add("loads_per_day", "range", "ErrFieldRange", "Min", 1, "Max", max(req.LoadsPerDay, 1))
		}
		out.LoadsPerDay = in.LoadsPerDay
	}
	if in.TonnesPerDay != 0 {
		if !finite(in.TonnesPerDay) || in.TonnesPerDay < 0 || (req.TonnesPerDay > 0 && in.TonnesPerDay > req.TonnesPerDay) || in.TonnesPerDay > MaxTonnesPerDay {
			v.Add("tonnes_per_day", "range", "ErrFieldRange", "Min", 0, "Max", req.TonnesPerDay)
		}
		out.TonnesPerDay = in.TonnesPerDay
	}
	if v.OK() && out.DateFrom.Equal(req.DateFrom) && out.DateTo.Equal(req.DateTo) && out.LoadsPerDay == req.LoadsPerDay && out.TonnesPerDay == req.TonnesPerDay {
		v.Add("answer", "not_partial", "ErrTransportNotPartial")
	}
	return out
}

// createOrderTx stores an order and its planned loads: every weekday of
// its period, its loads per day (or the loads its tonnes need with the
// company's largest approved vehicle) and tonnes (or the loads' payload).
func (s *Service) createOrderTx(tx *gorm.DB, o *Order) error {
	vs, err := vehiclesTx(tx, []string{o.TransporterOrgID})
	if err != nil {
		return err
	}
	payload := 25.0
	for _, v := range vs[o.TransporterOrgID] {
		if o.Spec.fits(v) && v.PayloadTonnes > 0 {
			payload = v.PayloadTonnes // the largest first
			break
		}
	}
	loads, tonnes := o.LoadsPerDay, o.TonnesPerDay
	if loads == 0 {
		loads = int(math.Ceil(tonnes / payload))
	}
	if tonnes == 0 {
		tonnes = float64(loads) * payload
	}
	if err := tx.Omit("Loads").Create(o).Error; err != nil {
		return err
	}
	ds := days(o.DateFrom, o.DateTo)
	pls := make([]PlannedLoad, 0, len(ds))
	for _, d := range ds {
		pls = append(pls, PlannedLoad{ID: store.NewID(), OrderID: o.ID, Day: d, Loads: loads, Tonnes: math.Round(tonnes*10) / 10, CreatedAt: o.CreatedAt})
	}
	if len(pls) > 0 {
		if err := tx.CreateInBatches(pls, 200).Error; err != nil {
			return err
		}
	}
	return events.Emit(tx, events.TransportOrderCreated{OrderID: o.ID, AgreementID: o.AgreementID, TransporterOrgID: o.TransporterOrgID,
		SupplierOrgID: o.SupplierOrgID, ReceiverOrgID: o.ReceiverOrgID, By: o.CreatedBy})
}

// CreateOrder makes a transport order directly: by a party of a sealed
// agreement whose own organization drives (it has an approved vehicle
// that meets the requirements). The other party is notified.
func (s *Service) CreateOrder(ctx context.Context, agreementID string, in OrderInput) (*Order, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	o := &Order{ID: store.NewID(), Status: OrderActive, CreatedBy: a.UserID()}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		sa, err := agreementTx(tx, agreementID)
		if err != nil {
			return err
		}
		if _, err := seeAgreement(a, sa, in.TransporterOrgID); err != nil {
			return err
		}
		if err := bookable(sa); err != nil {
			return err
		}
		v := &fail.Validation{}
		lo, hi := period(sa.terms)
		o.Spec = spec(v, in.SpecInput, lo, hi)
		if !v.OK() {
			return v.Err()
		}
		if (in.TransporterOrgID != sa.ag.SupplierOrgID && in.TransporterOrgID != sa.ag.ReceiverOrgID) || !orgsOf(a)[in.TransporterOrgID] {
			v.Add("transporter_org_id", "not_own_party", "ErrTransportDirectNotParty")
			return v.Err()
		}
		vs, err := vehiclesTx(tx, []string{in.TransporterOrgID})
		if err != nil {
			return err
		}
		fit := false
		for _, vh := range vs[in.TransporterOrgID] {
			fit = fit || o.Spec.fits(vh)
		}
		if !fit {
			v.Add("transporter_org_id", "no_vehicle", "ErrTransportNoVehicle")
			return v.Err()
		}
		o.AgreementID, o.TransporterOrgID, o.SupplierOrgID, o.ReceiverOrgID = sa.ag.ID, in.TransporterOrgID, sa.ag.SupplierOrgID, sa.ag.ReceiverOrgID
		o.PickupSiteID, o.DeliverySiteID, o.Fraction = sa.terms.Supplier.SiteID, sa.terms.Receiver.SiteID, sa.ag.Fraction
		if err := s.createOrderTx(tx, o); err != nil {
			return err
		}
		other := sa.ag.SupplierOrgID
		if other == in.TransporterOrgID {
			other = sa.ag.ReceiverOrgID
		}
		return notify.Tx(tx, notify.Note{OrganizationID: other, Except: a.UserID(), Kind: "transport.order", Title: "NoteTransportOrderCreated",
			Link: OrderLink(o.ID), Source: "transport-order:" + o.ID, Mail: true,
			Data: map[string]string{"Org": orgName(tx, in.TransporterOrgID), "Number": sa.ag.Number}})
	})
	if err != nil {
		return nil, err
	}
	return s.GetOrder(ctx, o.ID)
}

// CancelOrder cancels an active order, by a member of one of its sides
// (the transport company, the supplier, the receiver), with a reason; the
// other sides are notified. A cancelled or completed order, or one on a
// cancelled or completed agreement, cannot be cancelled.
func (s *Service) CancelOrder(ctx context.Context, orderID string, in CancelInput) (*Order, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		o, err := orderTx(tx, a, orderID)
		if err != nil {
			return err
		}
		by := side(a, o)
		if by == "" {
			return fail.New(fail.Forbidden, "not_side", "ErrTransportNotSide")
		}
		if st := o.Effective(); st != OrderActive {
			return fail.ConflictErr("ErrTransportOrderFinal")
		}
		v := &fail.Validation{}
		reason := cleanText(v, "cancel_reason", in.CancelReason, MaxText, true)
		if !v.OK() {
			return v.Err()
		}
		now := s.DB.Now()
		res := tx.Model(&Order{}).Where("id = ? AND status = ?", o.ID, OrderActive).
			Updates(map[string]any{"status": OrderCancelled, "cancel_reason": reason, "cancelled_by": a.UserID(), "cancelled_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fail.ConflictErr("ErrTransportOrderFinal")
		}
		for _, org := range []string{o.TransporterOrgID, o.SupplierOrgID, o.ReceiverOrgID} {
			if org == by {
				continue
			}
			if err := notify.Tx(tx, notify.Note{OrganizationID: org, Except: a.UserID(), Kind: "transport.order", Title: "NoteTransportOrderCancelled",
				Link: OrderLink(o.ID), Source: "transport-cancel:" + o.ID, Mail: true,
				Data: map[string]string{"Org": orgName(tx, by), "Number": o.AgreementNumber, "Reason": reason}}); err != nil {
				return err
			}
		}
		return events.Emit(tx, events.TransportOrderCancelled{OrderID: o.ID, AgreementID: o.AgreementID, ByOrgID: by, By: a.UserID()})
	})
	if err != nil {
		return nil, err
	}
	return s.GetOrder(ctx, orderID)
}

// side is the order's side the actor acts for: the transport company
// first, then the supplier, then the receiver ("" for none).
func side(a *access.Actor, o *Order) string {
	orgs := orgsOf(a)
	for _, org := range []string{o.TransporterOrgID, o.SupplierOrgID, o.ReceiverOrgID} {
		if orgs[org] {
			return org
		}
	}
	return ""
}

// WithdrawRequest takes back a pending request, by a member of the
// organization that sent it; the transport company is notified. An
// answered request cannot be withdrawn (cancel its order instead).
func (s *Service) WithdrawRequest(ctx context.Context, requestID string) (*Request, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		r, err := requestTx(tx, a, requestID)
		if err != nil {
			return err
		}
		if !orgsOf(a)[r.RequesterOrgID] {
			return fail.New(fail.Forbidden, "not_requester", "ErrTransportNotRequester")
		}
		now := s.DB.Now()
		res := tx.Model(&Request{}).Where("id = ? AND status = ?", r.ID, RequestPending).Updates(map[string]any{"status": RequestWithdrawn, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fail.ConflictErr("ErrTransportAnswered")
		}
		if err := notify.Tx(tx, notify.Note{OrganizationID: r.TransporterOrgID, Except: a.UserID(), Kind: "transport.request", Title: "NoteTransportWithdrawn",
			Link: RequestLink(r.ID), Source: "transport-withdrawn:" + r.ID, Data: map[string]string{"Org": r.RequesterName, "Number": r.AgreementNumber}}); err != nil {
			return err
		}
		return events.Emit(tx, events.TransportAnswered{RequestID: r.ID, AgreementID: r.AgreementID, RequesterOrgID: r.RequesterOrgID, TransporterOrgID: r.TransporterOrgID,
			Decision: RequestWithdrawn, By: a.UserID()})
	})
	if err != nil {
		return nil, err
	}
	return s.GetRequest(ctx, requestID)
}
