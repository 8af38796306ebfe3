package events

// The events of transport booking and planned transports (K7, K8). Stored
// names never change.

// TransportRequested: a party of an agreement asked a transport company
// for transport.
type TransportRequested struct {
	RequestID        string `json:"request_id"`
	AgreementID      string `json:"agreement_id"`
	RequesterOrgID   string `json:"requester_org_id"`
	TransporterOrgID string `json:"transporter_org_id"`
	By               string `json:"by"`
}

// TransportAnswered: the transport company accepted, accepted part of or
// declined a request (OrderID is set when it accepted).
type TransportAnswered struct {
	RequestID        string `json:"request_id"`
	AgreementID      string `json:"agreement_id"`
	RequesterOrgID   string `json:"requester_org_id"`
	TransporterOrgID string `json:"transporter_org_id"`
	Decision         string `json:"decision"` // accepted, partly_accepted, declined; withdrawn by the requester
	OrderID          string `json:"order_id,omitempty"`
	By               string `json:"by"`
}

// TransportOrderCreated: a transport order under an agreement was made,
// from an accepted request or directly by a party that drives itself.
type TransportOrderCreated struct {
	OrderID          string `json:"order_id"`
	AgreementID      string `json:"agreement_id"`
	TransporterOrgID string `json:"transporter_org_id"`
	SupplierOrgID    string `json:"supplier_org_id"`
	ReceiverOrgID    string `json:"receiver_org_id"`
	By               string `json:"by"`
}

// TransportOrderCancelled: a side cancelled a transport order.
type TransportOrderCancelled struct {
	OrderID     string `json:"order_id"`
	AgreementID string `json:"agreement_id"`
	ByOrgID     string `json:"by_org_id"`
	By          string `json:"by"`
}

// TransportPlanChanged: an organization registered or withdrew a planned
// transport agreed outside Masseflyt.
type TransportPlanChanged struct {
	PlanID         string `json:"plan_id"`
	OrganizationID string `json:"organization_id"`
	Status         string `json:"status"`
}

func (TransportRequested) EventType() string      { return "transport.requested" }
func (TransportAnswered) EventType() string       { return "transport.answered" }
func (TransportOrderCreated) EventType() string   { return "transport.order_created" }
func (TransportOrderCancelled) EventType() string { return "transport.order_cancelled" }
func (TransportPlanChanged) EventType() string    { return "transport.plan_changed" }

func (e TransportRequested) EventSubject() string      { return e.RequestID }
func (e TransportAnswered) EventSubject() string       { return e.RequestID }
func (e TransportOrderCreated) EventSubject() string   { return e.OrderID }
func (e TransportOrderCancelled) EventSubject() string { return e.OrderID }
func (e TransportPlanChanged) EventSubject() string    { return e.PlanID }

func init() {
	catalogue[TransportRequested{}.EventType()] = decodeAs[TransportRequested]
	catalogue[TransportAnswered{}.EventType()] = decodeAs[TransportAnswered]
	catalogue[TransportOrderCreated{}.EventType()] = decodeAs[TransportOrderCreated]
	catalogue[TransportOrderCancelled{}.EventType()] = decodeAs[TransportOrderCancelled]
	catalogue[TransportPlanChanged{}.EventType()] = decodeAs[TransportPlanChanged]
}
