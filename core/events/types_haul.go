package events

// The events of tracked loads (issue 13, K9, K10). They join the catalogue
// here, in a file of their own. Stored names never change.

// LoadReceived: the receiver recorded a receipt of a load (accepted or
// partly accepted; a rejected load carries 0 tonnes). ByOrgID is the
// supplier, ToOrgID the receiver; Tonnes the accepted tonnes. The billing
// meter counts received tonnes from it; haul computes the load's climate
// account from it.
type LoadReceived struct {
	AgreementID string  `json:"agreement_id"`
	LoadID      string  `json:"load_id"`
	ByOrgID     string  `json:"by_org_id"`
	ToOrgID     string  `json:"to_org_id"`
	Tonnes      float64 `json:"tonnes"`
}

func (LoadReceived) EventType() string { return "load.received" }

func (e LoadReceived) EventSubject() string { return e.LoadID }

func init() {
	catalogue[LoadReceived{}.EventType()] = decodeAs[LoadReceived]
}
