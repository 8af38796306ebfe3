// Package invoice holds the invoice basis (fakturagrunnlag) of an agreement
// for a period, and writes it as CSV, XLSX, PDF and EHF / PEPPOL BIS Billing
// 3.0 UBL XML. It knows nothing of agreements or HTTP: the agreement domain
// builds a Basis, the adapters choose a format.
package invoice

import "time"

// Basis is what one party invoices the other under one agreement for one
// period. Seller is always the party that is paid and Buyer the party that
// pays, whatever the sign of the agreed price: the agreement domain turns a
// negative price (the supplier pays the receiver) into a basis with the
// roles swapped and positive amounts.
type Basis struct {
	// Number identifies this basis: the agreement number and the period
	// ("AVT-2026-0007/2026-12").
	Number          string
	AgreementID     string
	AgreementNumber string
	IssueDate       time.Time // the clock's date when the basis is made
	PeriodFrom      time.Time // first day of the period (Oslo date)
	PeriodTo        time.Time // last day of the period, inclusive (Oslo date)
	Currency        string    // ISO 4217; "NOK"
	Seller, Buyer   Party
	// Description is a short text of what the basis is for
	// ("Levering av sprengstein fra Fornebu til Lia").
	Description string
	// BuyerReference is the buyer's invoice reference ("Deres ref."); EHF
	// requires it or an order reference.
	BuyerReference string
	// VATPercent is the value added tax rate of every line (25 in Norway;
	// 0 when the seller is not registered for VAT).
	VATPercent float64
	Lines      []Line
	// Planned is true when the quantities come from the agreed terms, not
	// from received loads: every output marks the basis "planlagt".
	Planned bool
}

// Party is one side of the basis.
type Party struct {
	Name      string
	OrgNumber string // nine digits, Brønnøysund
	Address   string
	PostCode  string
	City      string
	Country   string // ISO 3166-1 alpha-2; "NO"
	Email     string // invoice e-mail
	Contact   string // the person who signed or handles the agreement
}

// Line is one priced quantity: a fraction delivered or received at a unit
// price.
type Line struct {
	ID           string // line number as text ("1", "2", …)
	Description  string
	Fraction     string // fraction code ("sprengstein")
	FractionName string // in the basis' language
	Tonnes       float64
	CubicMetres  float64
	Unit         string  // the price unit: "t" or "m3"
	Quantity     float64 // in Unit
	// UnitPriceOre is the price per Unit in øre (1/100 NOK), never negative.
	UnitPriceOre int64
	Planned      bool
}

// AmountOre is the line's amount excluding VAT in øre, rounded half away
// from zero.
func (l Line) AmountOre() int64 {
	a := l.Quantity * float64(l.UnitPriceOre)
	if a < 0 {
		return -int64(-a + 0.5)
	}
	return int64(a + 0.5)
}
