package invoice

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
)

// Limits of a basis.
const (
	MaxLines = 1000
	maxText  = 1000
	maxName  = 300
	// maxQuantity bounds every quantity (tonnes, m³, the priced quantity):
	// 100 million is far beyond any agreement. With maxUnitPriceOre it
	// keeps a line's amount in thousandths of øre (10¹¹ × 10⁷) and the sum
	// of MaxLines lines within int64.
	maxQuantity = 1e8
	// maxUnitPriceOre bounds the unit price: 100 000 NOK per t or m³.
	maxUnitPriceOre = 10_000_000
)

// Validate checks a basis before it is written: named parties with valid
// organization numbers, a number and issue date, a period that does not end
// before it starts, currency NOK, a VAT rate that fits the VAT category,
// and at least one line with a known unit and non-negative quantities and
// prices. The error is a fail validation error naming the fields
// ("seller.org_number", "period.to", "lines[0].quantity").
func (b Basis) Validate() error {
	b = b.normalized()
	v := &fail.Validation{}
	text(v, "number", b.Number, maxName, true)
	text(v, "agreement_number", b.AgreementNumber, maxName, true)
	text(v, "description", b.Description, maxText, false)
	text(v, "buyer_reference", b.BuyerReference, maxName, false)
	if b.IssueDate.IsZero() {
		v.Add("issue_date", "required", "ErrFieldRequired")
	}
	if !b.DueDate.IsZero() && b.DueDate.Before(b.IssueDate) {
		v.Add("due_date", "date_order", "ErrDateOrder")
	}
	party(v, b.Seller, "seller")
	party(v, b.Buyer, "buyer")
	if b.Seller.OrgNumber != "" && b.Seller.OrgNumber == b.Buyer.OrgNumber {
		v.Add("buyer.org_number", "same_party", "ErrInvoiceSameParty")
	}
	switch {
	case b.PeriodFrom.IsZero():
		v.Add("period.from", "required", "ErrFieldRequired")
	case b.PeriodTo.IsZero():
		v.Add("period.to", "required", "ErrFieldRequired")
	case b.PeriodTo.Before(b.PeriodFrom):
		v.Add("period.to", "date_order", "ErrDateOrder")
	}
	if b.Currency != "NOK" {
		v.Add("currency", "enum", "ErrFieldEnum", "Allowed", "NOK")
	}
	switch {
	case math.IsNaN(b.VATPercent) || b.VATPercent < 0 || b.VATPercent > 100:
		v.Add("vat_percent", "range", "ErrFieldRange", "Min", 0, "Max", 100)
	case math.Abs(b.VATPercent*100-math.Round(b.VATPercent*100)) > 1e-6:
		v.Add("vat_percent", "invalid", "ErrFieldInvalid") // at most two decimals (25, 15, 12, 11,11)
	case b.VATCategory != "" && b.VATCategory != "S" && b.VATCategory != "Z" && b.VATCategory != "E" && b.VATCategory != "O":
		v.Add("vat_category", "enum", "ErrFieldEnum", "Allowed", "S, Z, E, O")
	case (b.Category() == "S") != (b.VATPercent > 0):
		v.Add("vat_percent", "vat_category", "ErrInvoiceVATCategory")
	}
	text(v, "vat_exemption_reason", b.VATExemptionReason, maxText, false)
	switch {
	case len(b.Lines) == 0:
		v.Add("lines", "required", "ErrFieldRequired")
	case len(b.Lines) > MaxLines:
		v.Add("lines", "too_many", "ErrInvoiceTooManyLines", "Max", MaxLines)
	}
	for i, l := range b.Lines {
		if i >= MaxLines {
			break
		}
		p := "lines[" + strconv.Itoa(i) + "]"
		if strings.TrimSpace(l.Fraction) == "" && strings.TrimSpace(l.FractionName) == "" {
			v.Add(p+".fraction", "required", "ErrFieldRequired")
		}
		text(v, p+".fraction_name", l.FractionName, maxName, false)
		text(v, p+".description", l.Description, maxText, false)
		quantity(v, p+".quantity", l.Quantity)
		quantity(v, p+".tonnes", l.Tonnes)
		quantity(v, p+".cubic_metres", l.CubicMetres)
		if _, ok := Units[l.Unit]; !ok {
			v.Add(p+".unit", "enum", "ErrFieldEnum", "Allowed", "t, m3")
		}
		switch {
		case l.UnitPriceOre < 0:
			v.Add(p+".unit_price_ore", "negative", "ErrFieldNegative")
		case l.UnitPriceOre > maxUnitPriceOre:
			v.Add(p+".unit_price_ore", "range", "ErrFieldRange", "Min", 0, "Max", maxUnitPriceOre/100) // NOK, as people read a price
		}
	}
	return v.Err()
}

// normalized is b with the organization numbers written as nine digits
// ("923 456 783" → "923456783"); the writers write it.
func (b Basis) normalized() Basis {
	b.Seller.OrgNumber = directory.NormalizeOrgNumber(b.Seller.OrgNumber)
	b.Buyer.OrgNumber = directory.NormalizeOrgNumber(b.Buyer.OrgNumber)
	return b
}

// prepare normalizes and validates a basis for writing.
func prepare(b Basis) (Basis, error) {
	b = b.normalized()
	return b, b.Validate()
}

func text(v *fail.Validation, field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "required", "ErrFieldRequired")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "too_long", "ErrFieldTooLong", "Max", max)
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		v.Add(field, "invalid", "ErrFieldInvalid")
	}
}

func party(v *fail.Validation, p Party, side string) {
	text(v, side+".name", p.Name, maxName, true)
	switch directory.OrgNumberProblem(p.OrgNumber) {
	case "":
	case "checksum":
		v.Add(side+".org_number", "checksum", "ErrOrgNumberChecksum", "OrgNumber", p.OrgNumber)
	default:
		v.Add(side+".org_number", "format", "ErrOrgNumberFormat")
	}
	if c := p.CountryCode(); len(c) != 2 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		v.Add(side+".country", "invalid", "ErrFieldInvalid")
	}
	for _, f := range []struct{ name, val string }{{".address", p.Address}, {".postcode", p.PostCode}, {".city", p.City}, {".email", p.Email}, {".contact", p.Contact}} {
		text(v, side+f.name, f.val, maxName, false)
	}
}

func quantity(v *fail.Validation, field string, q float64) {
	switch {
	case math.IsNaN(q) || math.IsInf(q, 0):
		v.Add(field, "invalid", "ErrFieldInvalid")
	case q < 0:
		v.Add(field, "negative", "ErrFieldNegative")
	case q > maxQuantity:
		v.Add(field, "range", "ErrFieldRange", "Min", 0, "Max", maxQuantity)
	}
}
