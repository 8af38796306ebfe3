// Package invoice holds the invoice basis (fakturagrunnlag) of an agreement
// for a period, and writes it as CSV, XLSX, PDF and EHF / PEPPOL BIS Billing
// 3.0 UBL XML. It knows nothing of agreements or HTTP: the agreement domain
// builds a Basis, the adapters choose a format.
package invoice

import (
	"math"
	"math/big"
	"strings"
	"time"
)

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

	// Issuer is the platform that makes the document ("Masseflyt" when
	// empty): the PDF names it as the document's issuer, the seller remains
	// the party that invoices.
	Issuer string
	// DueDate is the payment due date of the EHF invoice; zero means 30
	// days after IssueDate.
	DueDate time.Time
	// VATCategory is the EN 16931 VAT category code (UNCL 5305) of every
	// line: "S" (standard rate, VATPercent > 0), "Z" (zero rated), "E"
	// (exempt) or "O" (not subject to VAT: the seller is not registered).
	// Empty means "S" when VATPercent > 0 and "O" otherwise.
	VATCategory string
	// VATExemptionReason explains VAT category "E" or "O" (EHF requires a
	// reason for them, and none for "S" and "Z"); empty gives a standard
	// Norwegian text.
	VATExemptionReason string
}

// Issuer of the documents when Basis.Issuer is empty.
const DefaultIssuer = "Masseflyt"

// DefaultPaymentDays is the payment term when Basis.DueDate is zero.
const DefaultPaymentDays = 30

// IssuerName is the platform that makes the document.
func (b Basis) IssuerName() string {
	if strings.TrimSpace(b.Issuer) == "" {
		return DefaultIssuer
	}
	return b.Issuer
}

// Due is the payment due date: DueDate, or DefaultPaymentDays after the
// issue date.
func (b Basis) Due() time.Time {
	if !b.DueDate.IsZero() {
		return b.DueDate
	}
	return b.IssueDate.AddDate(0, 0, DefaultPaymentDays)
}

// Category is the VAT category code of the lines (see VATCategory).
func (b Basis) Category() string {
	if b.VATCategory != "" {
		return b.VATCategory
	}
	if b.VATPercent > 0 {
		return "S"
	}
	return "O"
}

// Totals are the sums of a basis in øre, computed the EN 16931 way: each
// line's amount is rounded, the lines are summed, and the VAT is computed
// from that sum and rounded once.
type Totals struct {
	LinesOre int64 // sum of the line amounts, excluding VAT
	VATOre   int64
	TotalOre int64 // including VAT
}

// Totals sums the basis.
func (b Basis) Totals() Totals {
	var t Totals
	for _, l := range b.Lines {
		t.LinesOre += l.AmountOre()
	}
	if b.Category() == "S" {
		// VAT = lines × rate / 100, the rate in hundredths of a percent, in
		// big integers: a sum of many large lines times 2500 can pass int64.
		v := new(big.Int).Mul(big.NewInt(t.LinesOre), big.NewInt(int64(math.Round(b.VATPercent*100))))
		neg := v.Sign() < 0
		v.Abs(v).Add(v, big.NewInt(5000)).Quo(v, big.NewInt(10000))
		if neg {
			v.Neg(v)
		}
		t.VATOre = v.Int64()
	}
	t.TotalOre = t.LinesOre + t.VATOre
	return t
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
	// VATRegistered is true when the party is in the VAT register
	// (Merverdiavgiftsregisteret). The EHF invoice gives a buyer's VAT
	// number (NO…MVA) only then; the seller's is given whenever the VAT
	// category is not "O".
	VATRegistered bool
	// LegalForm is the organization form from Enhetsregisteret ("AS",
	// "ASA", "NUF", "ENK", "KF", …). Empty means: read it from the last
	// word of Name. AS, ASA and NUF print "Foretaksregisteret".
	LegalForm string
}

// Foretaksregisteret reports whether the party must state
// «Foretaksregisteret» on its sales documents (foretaksregisterloven
// § 10-2: aksjeselskap, allmennaksjeselskap, norskregistrert utenlandsk
// foretak).
func (p Party) Foretaksregisteret() bool {
	form := strings.ToUpper(strings.TrimSpace(p.LegalForm))
	if form == "" {
		if f := strings.Fields(p.Name); len(f) > 0 {
			form = strings.ToUpper(f[len(f)-1])
		}
	}
	return form == "AS" || form == "ASA" || form == "NUF"
}

// CountryCode is Country, or "NO" when empty.
func (p Party) CountryCode() string {
	if c := strings.ToUpper(strings.TrimSpace(p.Country)); c != "" {
		return c
	}
	return "NO"
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
	Unit         string  // the price unit: "t" or "m3" (Units)
	Quantity     float64 // in Unit; priced and written with three decimals
	// UnitPriceOre is the price per Unit in øre (1/100 NOK), never negative.
	UnitPriceOre int64
	// Planned marks a line whose quantity comes from the agreed terms (a
	// basis may mix planned and received lines).
	Planned bool
}

// QuantityMilli is the quantity in thousandths of Unit: every format
// writes, and prices, the quantity with three decimals (kilograms, litres).
func (l Line) QuantityMilli() int64 { return int64(math.Round(l.Quantity * 1000)) }

// priced is the quantity as priced and written: three decimals.
func (l Line) priced() float64 { return float64(l.QuantityMilli()) / 1000 }

// AmountOre is the line's amount excluding VAT in øre: the quantity
// rounded to three decimals times the unit price, rounded half away from
// zero, in integers (exact within the limits Validate sets).
func (l Line) AmountOre() int64 { return divRound(l.QuantityMilli()*l.UnitPriceOre, 1000) }

// divRound is a/b rounded half away from zero (b > 0).
func divRound(a, b int64) int64 {
	if a < 0 {
		return -divRound(-a, b)
	}
	return (a + b/2) / b
}

// Units are the price units a line may have, with their UN/ECE
// Recommendation 20 codes for EHF.
var Units = map[string]string{"t": "TNE", "m3": "MTQ"}
