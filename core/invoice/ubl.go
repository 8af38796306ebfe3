package invoice

import (
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/masseflyt/masseflyt/core/numfmt"
)

// EHF / PEPPOL BIS Billing 3.0 identifiers.
const (
	UBLNamespace    = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	cacNamespace    = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	cbcNamespace    = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
	CustomizationID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
	ProfileID       = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
	// OrgNumberScheme is the ICD of a Norwegian organization number
	// (EndpointID and CompanyID schemeID).
	OrgNumberScheme = "0192"
	// InvoiceTypeCode 380 is a commercial invoice (UNCL 1001).
	InvoiceTypeCode = "380"
)

// Default VAT exemption texts and codes (VATEX) for the categories that
// need one.
var exemption = map[string]struct{ code, text string }{
	"O": {"VATEX-EU-O", "Ikke merverdiavgiftspliktig: selger er ikke registrert i Merverdiavgiftsregisteret"},
	"E": {"", "Unntatt merverdiavgift"},
}

// WriteUBL writes the basis as an EHF Billing 3.0 (PEPPOL BIS Billing 3.0)
// invoice in UBL 2.1 XML. Elements follow the UBL 2.1 Invoice schema's
// sequence. The seller and buyer are identified by their organization
// numbers (EndpointID and PartyLegalEntity/CompanyID with scheme 0192); the
// seller's VAT number NO{orgnr}MVA is given unless the VAT category is "O",
// the buyer's when the buyer is VAT registered, and «Foretaksregisteret»
// for an AS, ASA or NUF seller (NO-R-002). Line amounts are rounded to
// øre, the totals summed from them and the VAT computed once from the sum
// (EN 16931). A planned basis says so in the document note. Text is
// Norwegian. The basis is validated first; nothing is written when it is
// invalid.
func WriteUBL(w io.Writer, b Basis) error {
	b, err := prepare(b)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	x := &xw{w: bw}
	cat := b.Category()
	t := b.Totals()
	x.raw(xml.Header)
	x.raw(`<Invoice xmlns="` + UBLNamespace + `" xmlns:cac="` + cacNamespace + `" xmlns:cbc="` + cbcNamespace + `">` + "\n")
	x.depth = 1
	x.leaf("cbc:CustomizationID", CustomizationID)
	x.leaf("cbc:ProfileID", ProfileID)
	x.leaf("cbc:ID", b.Number)
	x.leaf("cbc:IssueDate", numfmt.ISODate(b.IssueDate))
	x.leaf("cbc:DueDate", numfmt.ISODate(b.Due()))
	x.leaf("cbc:InvoiceTypeCode", InvoiceTypeCode)
	x.leaf("cbc:Note", ublNote(b)) // PEPPOL-EN16931-R002: at most one note
	x.leaf("cbc:DocumentCurrencyCode", b.Currency)
	ref := b.BuyerReference
	if strings.TrimSpace(ref) == "" {
		ref = b.AgreementNumber // PEPPOL-EN16931-R003: a buyer reference is required
	}
	x.leaf("cbc:BuyerReference", ref)
	x.open("cac:InvoicePeriod")
	x.leaf("cbc:StartDate", numfmt.ISODate(b.PeriodFrom))
	x.leaf("cbc:EndDate", numfmt.ISODate(b.PeriodTo))
	x.close("cac:InvoicePeriod")
	x.open("cac:ContractDocumentReference")
	x.leaf("cbc:ID", b.AgreementNumber)
	x.close("cac:ContractDocumentReference")
	x.open("cac:AccountingSupplierParty")
	ublParty(x, b.Seller, cat != "O", b.Seller.Foretaksregisteret())
	x.close("cac:AccountingSupplierParty")
	x.open("cac:AccountingCustomerParty")
	ublParty(x, b.Buyer, cat != "O" && b.Buyer.VATRegistered, false)
	x.close("cac:AccountingCustomerParty")
	x.open("cac:TaxTotal")
	x.amount("cbc:TaxAmount", b.Currency, t.VATOre)
	x.open("cac:TaxSubtotal")
	x.amount("cbc:TaxableAmount", b.Currency, t.LinesOre)
	x.amount("cbc:TaxAmount", b.Currency, t.VATOre)
	ublTaxCategory(x, "cac:TaxCategory", b, true)
	x.close("cac:TaxSubtotal")
	x.close("cac:TaxTotal")
	x.open("cac:LegalMonetaryTotal")
	x.amount("cbc:LineExtensionAmount", b.Currency, t.LinesOre)
	x.amount("cbc:TaxExclusiveAmount", b.Currency, t.LinesOre)
	x.amount("cbc:TaxInclusiveAmount", b.Currency, t.TotalOre)
	x.amount("cbc:PayableAmount", b.Currency, t.TotalOre)
	x.close("cac:LegalMonetaryTotal")
	for i, ln := range b.Lines {
		id := ln.ID
		if strings.TrimSpace(id) == "" {
			id = strconv.Itoa(i + 1)
		}
		x.open("cac:InvoiceLine")
		x.leaf("cbc:ID", id)
		if ln.Planned && !b.Planned {
			x.leaf("cbc:Note", "Planlagt mengde fra avtalte vilkår")
		}
		x.leaf("cbc:InvoicedQuantity", ublQuantity(ln), "unitCode", Units[ln.Unit])
		x.amount("cbc:LineExtensionAmount", b.Currency, ln.AmountOre())
		x.open("cac:Item")
		x.leaf("cbc:Description", ln.Description)
		x.leaf("cbc:Name", fractionName(ln))
		if ln.Fraction != "" {
			x.open("cac:SellersItemIdentification")
			x.leaf("cbc:ID", ln.Fraction)
			x.close("cac:SellersItemIdentification")
		}
		ublTaxCategory(x, "cac:ClassifiedTaxCategory", b, false)
		for _, p := range []struct {
			name string
			v    float64
		}{{"Tonn", ln.Tonnes}, {"Kubikkmeter", ln.CubicMetres}} {
			if p.v > 0 {
				x.open("cac:AdditionalItemProperty")
				x.leaf("cbc:Name", p.name)
				x.leaf("cbc:Value", strconv.FormatFloat(p.v, 'f', -1, 64))
				x.close("cac:AdditionalItemProperty")
			}
		}
		x.close("cac:Item")
		x.open("cac:Price")
		x.amount("cbc:PriceAmount", b.Currency, ln.UnitPriceOre)
		x.close("cac:Price")
		x.close("cac:InvoiceLine")
	}
	x.depth = 0
	x.raw("</Invoice>\n")
	if x.err != nil {
		return x.err
	}
	return bw.Flush()
}

// ublNote is the document's one note: the description, marked when the
// quantities are planned.
func ublNote(b Basis) string {
	note := strings.TrimSpace(b.Description)
	if b.Planned {
		p := "PLANLAGT – mengder fra avtalte vilkår, ikke mottatte lass"
		if note == "" {
			return p
		}
		return p + ". " + note
	}
	if note == "" {
		return "Fakturagrunnlag for avtale " + b.AgreementNumber
	}
	return note
}

func ublParty(x *xw, p Party, vat, foretak bool) {
	x.open("cac:Party")
	x.leaf("cbc:EndpointID", p.OrgNumber, "schemeID", OrgNumberScheme)
	x.open("cac:PartyName")
	x.leaf("cbc:Name", p.Name)
	x.close("cac:PartyName")
	x.open("cac:PostalAddress")
	x.leaf("cbc:StreetName", p.Address)
	x.leaf("cbc:CityName", p.City)
	x.leaf("cbc:PostalZone", p.PostCode)
	x.open("cac:Country")
	x.leaf("cbc:IdentificationCode", p.CountryCode())
	x.close("cac:Country")
	x.close("cac:PostalAddress")
	if vat {
		x.open("cac:PartyTaxScheme")
		x.leaf("cbc:CompanyID", "NO"+p.OrgNumber+"MVA")
		x.open("cac:TaxScheme")
		x.leaf("cbc:ID", "VAT")
		x.close("cac:TaxScheme")
		x.close("cac:PartyTaxScheme")
	}
	if foretak {
		x.open("cac:PartyTaxScheme")
		x.leaf("cbc:CompanyID", "Foretaksregisteret")
		x.open("cac:TaxScheme")
		x.leaf("cbc:ID", "TAX")
		x.close("cac:TaxScheme")
		x.close("cac:PartyTaxScheme")
	}
	x.open("cac:PartyLegalEntity")
	x.leaf("cbc:RegistrationName", p.Name)
	x.leaf("cbc:CompanyID", p.OrgNumber, "schemeID", OrgNumberScheme)
	x.close("cac:PartyLegalEntity")
	if p.Contact != "" || p.Email != "" {
		x.open("cac:Contact")
		x.leaf("cbc:Name", p.Contact)
		x.leaf("cbc:ElectronicMail", p.Email)
		x.close("cac:Contact")
	}
	x.close("cac:Party")
}

// ublTaxCategory writes a VAT category: the code, the rate (not for "O":
// BR-O-05), and for the VAT breakdown of a category other than "S" the
// exemption reason of E and O (BR-E-10, BR-O-10; S and Z have none:
// BR-S-10, BR-Z-10).
func ublTaxCategory(x *xw, name string, b Basis, breakdown bool) {
	cat := b.Category()
	x.open(name)
	x.leaf("cbc:ID", cat)
	if cat != "O" {
		x.leaf("cbc:Percent", strconv.FormatFloat(b.VATPercent, 'f', -1, 64))
	}
	if breakdown && (cat == "E" || cat == "O") {
		ex := exemption[cat]
		reason := strings.TrimSpace(b.VATExemptionReason)
		if reason == "" {
			reason = ex.text
		}
		x.leaf("cbc:TaxExemptionReasonCode", ex.code)
		x.leaf("cbc:TaxExemptionReason", reason)
	}
	x.open("cac:TaxScheme")
	x.leaf("cbc:ID", "VAT")
	x.close("cac:TaxScheme")
	x.close(name)
}

// ublQuantity writes a line's quantity as an XML decimal with the three
// decimals it was priced with, so that quantity × price is the line amount
// (PEPPOL-EN16931-R120).
func ublQuantity(l Line) string {
	m := l.QuantityMilli()
	s := strconv.FormatInt(m/1000, 10)
	if f := m % 1000; f != 0 {
		s += strings.TrimRight("."+strconv.FormatInt(1000+f, 10)[1:], "0")
	}
	return s
}

// xw writes indented XML by hand so that the element order is exactly the
// schema's. Empty leaves are left out (PEPPOL-EN16931-R008).
type xw struct {
	w     *bufio.Writer
	depth int
	err   error
}

func (x *xw) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *xw) indent() { x.raw(strings.Repeat("  ", x.depth)) }

func (x *xw) open(name string) {
	x.indent()
	x.raw("<" + name + ">\n")
	x.depth++
}

func (x *xw) close(name string) {
	x.depth--
	x.indent()
	x.raw("</" + name + ">\n")
}

// leaf writes <name attr="v">text</name>, or nothing when text is empty.
func (x *xw) leaf(name, text string, attrs ...string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	x.indent()
	x.raw("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.raw(" " + attrs[i] + `="`)
		x.escape(attrs[i+1])
		x.raw(`"`)
	}
	x.raw(">")
	x.escape(text)
	x.raw("</" + name + ">\n")
}

func (x *xw) amount(name, currency string, ore int64) {
	x.leaf(name, decimalNOK(ore), "currencyID", currency)
}

func (x *xw) escape(s string) {
	if x.err == nil {
		x.err = xml.EscapeText(x.w, []byte(s))
	}
}
