package events

// The agreement events (K6): one per step of an agreement, written in the
// step's transaction. They carry IDs and what the open live view may show
// (AgreementSealed: fraction, tonnes and the distance, never the parties).

// AgreementStep is what every agreement event says: which agreement, which
// version of its terms, and which organization took the step for whom.
type AgreementStep struct {
	AgreementID string `json:"agreement_id"`
	Number      string `json:"number"`
	Version     int    `json:"version"`
	// ByOrgID took the step; ToOrgID is the other party (the one to act
	// next, or to be told).
	ByOrgID string `json:"by_org_id,omitempty"`
	ToOrgID string `json:"to_org_id,omitempty"`
	UserID  string `json:"user_id,omitempty"`
}

type (
	// AgreementProposed: a party proposed a draft to the other.
	AgreementProposed struct{ AgreementStep }
	// AgreementCounterProposed: the other party proposed new terms (a new version).
	AgreementCounterProposed struct{ AgreementStep }
	// AgreementAccepted: the terms of a version were accepted; both sign next.
	AgreementAccepted struct{ AgreementStep }
	// AgreementSigned: one party's signatory signed a version.
	AgreementSigned struct{ AgreementStep }
	// AgreementAmended: an amendment both parties signed is in force.
	AgreementAmended struct{ AgreementStep }
	// AgreementCancelled: a party cancelled the agreement.
	AgreementCancelled struct{ AgreementStep }
	// AgreementCompleted: the agreement was fulfilled.
	AgreementCompleted struct{ AgreementStep }
)

// AgreementSealed: both parties signed; the terms are sealed. The public
// part (fraction, tonnes, distance) is what the live view announces.
type AgreementSealed struct {
	AgreementStep
	Fraction   string  `json:"fraction"`
	Tonnes     float64 `json:"tonnes"`
	DistanceKm float64 `json:"distance_km,omitempty"`
	Hash       string  `json:"hash"`
}

func (AgreementProposed) EventType() string        { return "agreement.proposed" }
func (AgreementCounterProposed) EventType() string { return "agreement.counter_proposed" }
func (AgreementAccepted) EventType() string        { return "agreement.accepted" }
func (AgreementSigned) EventType() string          { return "agreement.signed" }
func (AgreementSealed) EventType() string          { return "agreement.sealed" }
func (AgreementAmended) EventType() string         { return "agreement.amended" }
func (AgreementCancelled) EventType() string       { return "agreement.cancelled" }
func (AgreementCompleted) EventType() string       { return "agreement.completed" }

// EventSubject is the agreement.
func (e AgreementStep) EventSubject() string { return e.AgreementID }

func init() {
	for k, d := range map[string]decoder{
		AgreementProposed{}.EventType():        decodeAs[AgreementProposed],
		AgreementCounterProposed{}.EventType(): decodeAs[AgreementCounterProposed],
		AgreementAccepted{}.EventType():        decodeAs[AgreementAccepted],
		AgreementSigned{}.EventType():          decodeAs[AgreementSigned],
		AgreementSealed{}.EventType():          decodeAs[AgreementSealed],
		AgreementAmended{}.EventType():         decodeAs[AgreementAmended],
		AgreementCancelled{}.EventType():       decodeAs[AgreementCancelled],
		AgreementCompleted{}.EventType():       decodeAs[AgreementCompleted],
	} {
		catalogue[k] = d
	}
}
