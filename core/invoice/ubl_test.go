package invoice

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/directory"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// node is a parsed XML element.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []*node    `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n *node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// all returns the descendants at a path of local names ("cac:Party/cbc:Name"
// or "Party/Name"; prefixes are checked against the namespaces).
func (n *node) all(path string) []*node {
	cur := []*node{n}
	for _, step := range strings.Split(path, "/") {
		prefix, local, ok := strings.Cut(step, ":")
		if !ok {
			prefix, local = "", step
		}
		var next []*node
		for _, c := range cur {
			for _, k := range c.Nodes {
				if k.XMLName.Local == local && (prefix == "" || k.XMLName.Space == map[string]string{"cac": cacNamespace, "cbc": cbcNamespace}[prefix]) {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	return cur
}

func (n *node) one(path string) *node {
	if all := n.all(path); len(all) == 1 {
		return all[0]
	}
	return nil
}

func (n *node) text(path string) string {
	if k := n.one(path); k != nil {
		return strings.TrimSpace(k.Text)
	}
	return ""
}

// sequences are the UBL 2.1 schema's child orders (xsd:sequence) of the
// elements WriteUBL writes, restricted to the elements EN 16931 uses.
var sequences = map[string][]string{
	"Invoice": {"UBLExtensions", "UBLVersionID", "CustomizationID", "ProfileID", "ProfileExecutionID", "ID", "CopyIndicator", "UUID", "IssueDate", "IssueTime",
		"DueDate", "InvoiceTypeCode", "Note", "TaxPointDate", "DocumentCurrencyCode", "TaxCurrencyCode", "PricingCurrencyCode", "PaymentCurrencyCode",
		"PaymentAlternativeCurrencyCode", "AccountingCostCode", "AccountingCost", "LineCountNumeric", "BuyerReference", "InvoicePeriod", "OrderReference",
		"BillingReference", "DespatchDocumentReference", "ReceiptDocumentReference", "StatementDocumentReference", "OriginatorDocumentReference",
		"ContractDocumentReference", "AdditionalDocumentReference", "ProjectReference", "Signature", "AccountingSupplierParty", "AccountingCustomerParty",
		"PayeeParty", "BuyerCustomerParty", "SellerSupplierParty", "TaxRepresentativeParty", "Delivery", "DeliveryTerms", "PaymentMeans", "PaymentTerms",
		"PrepaidPayment", "AllowanceCharge", "TaxExchangeRate", "PricingExchangeRate", "PaymentExchangeRate", "PaymentAlternativeExchangeRate", "TaxTotal",
		"WithholdingTaxTotal", "LegalMonetaryTotal", "InvoiceLine"},
	"Party": {"MarkCareIndicator", "MarkAttentionIndicator", "WebsiteURI", "LogoReferenceID", "EndpointID", "IndustryClassificationCode", "PartyIdentification",
		"PartyName", "Language", "PostalAddress", "PhysicalLocation", "PartyTaxScheme", "PartyLegalEntity", "Contact", "Person", "AgentParty",
		"ServiceProviderParty", "PowerOfAttorney", "FinancialAccount"},
	"PostalAddress": {"ID", "AddressTypeCode", "AddressFormatCode", "Postbox", "Floor", "Room", "StreetName", "AdditionalStreetName", "BlockName",
		"BuildingName", "BuildingNumber", "InhouseMail", "Department", "MarkAttention", "MarkCare", "PlotIdentification", "CitySubdivisionName", "CityName",
		"PostalZone", "CountrySubentity", "CountrySubentityCode", "Region", "District", "TimezoneOffset", "AddressLine", "Country", "LocationCoordinate"},
	"PartyTaxScheme":     {"RegistrationName", "CompanyID", "TaxLevelCode", "ExemptionReasonCode", "ExemptionReason", "RegistrationAddress", "TaxScheme"},
	"PartyLegalEntity":   {"RegistrationName", "CompanyID", "RegistrationDate", "RegistrationExpirationDate", "CompanyLegalFormCode", "CompanyLegalForm"},
	"Contact":            {"ID", "Name", "Telephone", "Telefax", "ElectronicMail", "Note", "OtherCommunication"},
	"InvoicePeriod":      {"StartDate", "StartTime", "EndDate", "EndTime", "DurationMeasure", "DescriptionCode", "Description"},
	"TaxTotal":           {"TaxAmount", "RoundingAmount", "TaxEvidenceIndicator", "TaxIncludedIndicator", "TaxSubtotal"},
	"TaxSubtotal":        {"TaxableAmount", "TaxAmount", "CalculationSequenceNumeric", "TransactionCurrencyTaxAmount", "Percent", "BaseUnitMeasure", "PerUnitAmount", "TierRange", "TierRatePercent", "TaxCategory"},
	"TaxCategory":        {"ID", "Name", "Percent", "BaseUnitMeasure", "PerUnitAmount", "TaxExemptionReasonCode", "TaxExemptionReason", "TierRange", "TierRatePercent", "TaxScheme"},
	"LegalMonetaryTotal": {"LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount", "PayableAmount", "PayableAlternativeAmount"},
	"InvoiceLine": {"UBLExtensions", "ID", "UUID", "Note", "InvoicedQuantity", "LineExtensionAmount", "TaxPointDate", "AccountingCostCode", "AccountingCost",
		"PaymentPurposeCode", "FreeOfChargeIndicator", "InvoicePeriod", "OrderLineReference", "DespatchLineReference", "ReceiptLineReference",
		"BillingReference", "DocumentReference", "PricingReference", "OriginatorParty", "Delivery", "PaymentTerms", "AllowanceCharge", "TaxTotal",
		"WithholdingTaxTotal", "Item", "Price", "DeliveryTerms", "SubInvoiceLine", "ItemPriceExtension"},
	"Item": {"Description", "PackQuantity", "PackSizeNumeric", "CatalogueIndicator", "Name", "HazardousRiskIndicator", "AdditionalInformation", "Keyword",
		"BrandName", "ModelName", "BuyersItemIdentification", "SellersItemIdentification", "ManufacturersItemIdentification", "StandardItemIdentification",
		"CatalogueItemIdentification", "AdditionalItemIdentification", "CatalogueDocumentReference", "ItemSpecificationDocumentReference", "OriginCountry",
		"CommodityClassification", "TransactionConditions", "HazardousItem", "ClassifiedTaxCategory", "AdditionalItemProperty"},
	"Price":                  {"PriceAmount", "BaseQuantity", "PriceChangeReason", "PriceTypeCode", "PriceType", "OrderableUnitFactorRate", "ValidityPeriod", "PriceList", "AllowanceCharge"},
	"AdditionalItemProperty": {"ID", "Name", "NameCode", "TestMethod", "Value", "ValueQuantity", "ValueQualifier"},
}

// aliases: elements whose type has the sequence of another.
var aliases = map[string]string{"ClassifiedTaxCategory": "TaxCategory"}

// checkOrder reports children out of the schema's order, and children the
// sequence does not know, below n.
func checkOrder(n *node, report func(string, ...any)) {
	name := n.XMLName.Local
	if a, ok := aliases[name]; ok {
		name = a
	}
	if seq, ok := sequences[name]; ok {
		pos := map[string]int{}
		for i, s := range seq {
			pos[s] = i
		}
		last := -1
		for _, c := range n.Nodes {
			p, ok := pos[c.XMLName.Local]
			switch {
			case !ok:
				report("order: %s has child %s, which its schema sequence lacks", n.XMLName.Local, c.XMLName.Local)
			case p < last:
				report("order: %s/%s comes after %s", n.XMLName.Local, c.XMLName.Local, seq[last])
			default:
				last = p
			}
		}
	}
	for _, c := range n.Nodes {
		checkOrder(c, report)
	}
}

var twoDecimals = regexp.MustCompile(`^-?[0-9]+\.[0-9]{2}$`)

// ore reads an amount written with exactly two decimals.
func ore(report func(string, ...any), what, s string) int64 {
	if !twoDecimals.MatchString(s) {
		report("BR-DEC: %s = %q is not an amount with two decimals", what, s)
		return 0
	}
	f, _ := strconv.ParseFloat(s, 64)
	return int64(math.Round(f * 100))
}

// ehfProblems parses an EHF invoice and checks the rules of EN 16931,
// PEPPOL BIS Billing 3.0 and EHF that can be checked offline and concern
// what WriteUBL writes. It returns the broken rules.
func ehfProblems(data []byte) (doc *node, problems []string) {
	report := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	doc = &node{}
	if err := xml.Unmarshal(data, doc); err != nil {
		report("parse: %v", err)
		return nil, problems
	}
	if doc.XMLName.Space != UBLNamespace || doc.XMLName.Local != "Invoice" {
		report("root is %v, want Invoice in %s", doc.XMLName, UBLNamespace)
	}
	for _, c := range doc.Nodes {
		if c.XMLName.Space != cbcNamespace && c.XMLName.Space != cacNamespace {
			report("root child %s in namespace %q", c.XMLName.Local, c.XMLName.Space)
		}
	}
	checkOrder(doc, report)
	// PEPPOL-EN16931-R008: no empty elements.
	var empty func(n *node)
	empty = func(n *node) {
		if len(n.Nodes) == 0 && strings.TrimSpace(n.Text) == "" {
			report("PEPPOL-EN16931-R008: empty %s", n.XMLName.Local)
		}
		for _, c := range n.Nodes {
			empty(c)
		}
	}
	empty(doc)
	// BR-01..BR-05, PEPPOL-EN16931-R001, R004, R007.
	for path, want := range map[string]string{"cbc:CustomizationID": CustomizationID, "cbc:ProfileID": ProfileID, "cbc:InvoiceTypeCode": "380", "cbc:DocumentCurrencyCode": "NOK"} {
		if got := doc.text(path); got != want {
			report("%s = %q, want %q", path, got, want)
		}
	}
	for _, path := range []string{"cbc:ID", "cbc:IssueDate", "cbc:DueDate", "cac:InvoicePeriod/cbc:StartDate", "cac:InvoicePeriod/cbc:EndDate", "cac:ContractDocumentReference/cbc:ID"} {
		if doc.text(path) == "" {
			report("BR: %s missing", path)
		}
	}
	for _, path := range []string{"cbc:IssueDate", "cbc:DueDate", "cac:InvoicePeriod/cbc:StartDate", "cac:InvoicePeriod/cbc:EndDate"} {
		if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(doc.text(path)) {
			report("%s = %q is not a date", path, doc.text(path))
		}
	}
	if doc.text("cac:InvoicePeriod/cbc:EndDate") < doc.text("cac:InvoicePeriod/cbc:StartDate") {
		report("BR-29: the period ends before it starts")
	}
	if n := len(doc.all("cbc:Note")); n > 1 {
		report("PEPPOL-EN16931-R002: %d notes", n)
	}
	if doc.text("cbc:BuyerReference") == "" && doc.text("cac:OrderReference/cbc:ID") == "" {
		report("PEPPOL-EN16931-R003: no buyer reference or order reference")
	}
	// Parties: BR-06..BR-11, PEPPOL-EN16931-R010, R020, PEPPOL-COMMON-R041.
	cat := doc.text("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID")
	for _, side := range []string{"cac:AccountingSupplierParty", "cac:AccountingCustomerParty"} {
		p := doc.one(side + "/cac:Party")
		if p == nil {
			report("%s/Party missing", side)
			continue
		}
		ep := p.one("cbc:EndpointID")
		if ep == nil || ep.attr("schemeID") != OrgNumberScheme || !directory.ValidOrgNumber(strings.TrimSpace(ep.Text)) {
			report("PEPPOL-EN16931-R010/R020, PEPPOL-COMMON-R041: %s EndpointID %+v is not an organization number with scheme 0192", side, ep)
		}
		le := p.one("cac:PartyLegalEntity/cbc:CompanyID")
		if le == nil || le.attr("schemeID") != OrgNumberScheme || !directory.ValidOrgNumber(strings.TrimSpace(le.Text)) {
			report("%s PartyLegalEntity/CompanyID is not an organization number with scheme 0192", side)
		}
		if p.text("cac:PartyLegalEntity/cbc:RegistrationName") == "" || p.text("cac:PartyName/cbc:Name") == "" {
			report("BR-06/BR-07: %s has no name", side)
		}
		if p.text("cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "" {
			report("BR-09/BR-11: %s has no country", side)
		}
		var vat []string
		for _, ts := range p.all("cac:PartyTaxScheme") {
			if ts.text("cac:TaxScheme/cbc:ID") == "VAT" {
				vat = append(vat, ts.text("cbc:CompanyID"))
			}
		}
		org := strings.TrimSpace(p.text("cbc:EndpointID"))
		for _, v := range vat {
			if v != "NO"+org+"MVA" {
				report("NO-R-001: %s VAT number %q, want NO%sMVA", side, v, org)
			}
		}
		if cat == "O" && len(vat) > 0 {
			report("BR-O-02: %s has a VAT number on an invoice not subject to VAT", side)
		}
		if side == "cac:AccountingSupplierParty" && cat != "O" && len(vat) == 0 {
			report("BR-%s-02: the seller has no VAT number", cat)
		}
	}
	// Totals: BR-CO-10, 13, 14, 15, 16, 17, PEPPOL-EN16931-R053, R051.
	taxTotals := doc.all("cac:TaxTotal")
	if len(taxTotals) != 1 || len(taxTotals[0].all("cac:TaxSubtotal")) != 1 {
		report("PEPPOL-EN16931-R053: want one TaxTotal with one TaxSubtotal (one VAT category)")
		return doc, problems
	}
	var walk func(n *node)
	walk = func(n *node) {
		if strings.HasSuffix(n.XMLName.Local, "Amount") && n.attr("currencyID") != "NOK" {
			report("PEPPOL-EN16931-R051: %s in %q", n.XMLName.Local, n.attr("currencyID"))
		}
		for _, c := range n.Nodes {
			walk(c)
		}
	}
	walk(doc)
	tt := taxTotals[0]
	sub := tt.one("cac:TaxSubtotal")
	taxAmount := ore(report, "TaxTotal/TaxAmount", tt.text("cbc:TaxAmount"))
	subTax := ore(report, "TaxSubtotal/TaxAmount", sub.text("cbc:TaxAmount"))
	taxable := ore(report, "TaxableAmount", sub.text("cbc:TaxableAmount"))
	lmt := doc.one("cac:LegalMonetaryTotal")
	if lmt == nil {
		report("BR-12..15: LegalMonetaryTotal missing")
		return doc, problems
	}
	lineExt := ore(report, "LineExtensionAmount", lmt.text("cbc:LineExtensionAmount"))
	taxExcl := ore(report, "TaxExclusiveAmount", lmt.text("cbc:TaxExclusiveAmount"))
	taxIncl := ore(report, "TaxInclusiveAmount", lmt.text("cbc:TaxInclusiveAmount"))
	payable := ore(report, "PayableAmount", lmt.text("cbc:PayableAmount"))
	if taxAmount != subTax {
		report("BR-CO-14: TaxAmount %d ≠ Σ subtotals %d", taxAmount, subTax)
	}
	if taxExcl != lineExt {
		report("BR-CO-13: TaxExclusiveAmount %d ≠ LineExtensionAmount %d (no allowances or charges)", taxExcl, lineExt)
	}
	if taxIncl != taxExcl+taxAmount {
		report("BR-CO-15: TaxInclusiveAmount %d ≠ %d + %d", taxIncl, taxExcl, taxAmount)
	}
	if payable != taxIncl {
		report("BR-CO-16: PayableAmount %d ≠ TaxInclusiveAmount %d", payable, taxIncl)
	}
	if taxable != lineExt {
		report("BR-S-08/BR-O-08: TaxableAmount %d ≠ Σ lines %d", taxable, lineExt)
	}
	tc := sub.one("cac:TaxCategory")
	switch cat {
	case "S":
		pct, err := strconv.ParseFloat(tc.text("cbc:Percent"), 64)
		if err != nil || pct <= 0 {
			report("BR-S-05: standard rate %q", tc.text("cbc:Percent"))
		}
		if want := int64(math.Round(float64(taxable) * pct / 100)); subTax != want {
			report("BR-CO-17: VAT %d, want %d (taxable × rate, rounded)", subTax, want)
		}
		if tc.one("cbc:TaxExemptionReason") != nil || tc.one("cbc:TaxExemptionReasonCode") != nil {
			report("BR-S-10: an exemption reason for standard rate")
		}
	case "Z":
		if pct := tc.text("cbc:Percent"); pct != "0" || subTax != 0 {
			report("BR-Z-05/BR-Z-09: rate %q and VAT %d, want 0", pct, subTax)
		}
		if tc.one("cbc:TaxExemptionReason") != nil || tc.one("cbc:TaxExemptionReasonCode") != nil {
			report("BR-Z-10: an exemption reason for zero rate")
		}
	case "O", "E":
		if subTax != 0 {
			report("BR-%s-09: VAT %d, want 0", cat, subTax)
		}
		if tc.text("cbc:TaxExemptionReason") == "" && tc.text("cbc:TaxExemptionReasonCode") == "" {
			report("BR-%s-10: no exemption reason", cat)
		}
		if cat == "E" && tc.text("cbc:Percent") != "0" {
			report("BR-E-05: rate %q, want 0", tc.text("cbc:Percent"))
		}
		if cat == "O" && tc.one("cbc:Percent") != nil {
			report("BR-O: the breakdown has a rate")
		}
	default:
		report("VAT category %q", cat)
	}
	if tc.text("cac:TaxScheme/cbc:ID") != "VAT" {
		report("TaxCategory/TaxScheme/ID is not VAT")
	}
	// Lines: BR-16, BR-21..BR-27, PEPPOL-EN16931-R120, BR-CO-10.
	lines := doc.all("cac:InvoiceLine")
	if len(lines) == 0 {
		report("BR-16: no lines")
	}
	var sum int64
	for i, ln := range lines {
		if ln.text("cbc:ID") == "" || ln.text("cac:Item/cbc:Name") == "" {
			report("BR-21/BR-25: line %d has no ID or item name", i+1)
		}
		q := ln.one("cbc:InvoicedQuantity")
		if q == nil || (q.attr("unitCode") != "TNE" && q.attr("unitCode") != "MTQ") {
			report("BR-22/BR-23: line %d quantity %+v: want unitCode TNE or MTQ", i+1, q)
			continue
		}
		qty, err := strconv.ParseFloat(strings.TrimSpace(q.Text), 64)
		if err != nil || strings.ContainsAny(q.Text, "eE") {
			report("line %d quantity %q is not a decimal", i+1, q.Text)
		}
		amount := ore(report, "line LineExtensionAmount", ln.text("cbc:LineExtensionAmount"))
		price := ore(report, "PriceAmount", ln.text("cac:Price/cbc:PriceAmount"))
		if price < 0 {
			report("BR-27: line %d has a negative price", i+1)
		}
		if math.Abs(float64(amount)-qty*float64(price)) > 2 {
			report("PEPPOL-EN16931-R120: line %d amount %d ≠ %v × %d", i+1, amount, qty, price)
		}
		sum += amount
		ctc := ln.one("cac:Item/cac:ClassifiedTaxCategory")
		if ctc == nil || ctc.text("cbc:ID") != cat {
			report("BR-CO-18/BR-%s-01: line %d VAT category differs from the breakdown", cat, i+1)
		} else if (cat == "O") != (ctc.one("cbc:Percent") == nil) {
			report("BR-O-05/BR-S-05: line %d VAT rate presence wrong for category %s", i+1, cat)
		}
	}
	if sum != lineExt {
		report("BR-CO-10: LineExtensionAmount %d ≠ Σ lines %d", lineExt, sum)
	}
	return doc, problems
}

func writeUBL(t *testing.T, b Basis) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteUBL(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUBL(t *testing.T) {
	zeroRated := fixture()
	zeroRated.VATPercent, zeroRated.VATCategory = 0, "Z"
	exempt := fixture()
	exempt.VATPercent, exempt.VATCategory, exempt.VATExemptionReason = 0, "E", "Unntatt etter merverdiavgiftsloven § 3-11"
	noRef := fixture()
	noRef.BuyerReference, noRef.Description = "", ""
	noRef.Seller.Name = "Hansen Graving"
	onePlanned := fixture()
	onePlanned.Lines[1].Planned = true
	cases := []struct {
		name     string
		b        Basis
		cat      string
		payable  string
		note     string
		foretak  bool
		buyerVAT bool
	}{
		{"standard rate", fixture(), "S", "1654266.49", "Levering av sprengstein og leire fra Fornebu til Lia, desember 2026", true, true},
		{"planned", planned(), "S", "1654266.49", "PLANLAGT – mengder fra avtalte vilkår, ikke mottatte lass. Levering av sprengstein og leire fra Fornebu til Lia, desember 2026", true, true},
		{"seller not registered for VAT", zeroVAT(), "O", "1323413.19", "Levering av sprengstein og leire fra Fornebu til Lia, desember 2026", true, false},
		{"zero rated", zeroRated, "Z", "1323413.19", "Levering av sprengstein og leire fra Fornebu til Lia, desember 2026", true, true},
		{"exempt", exempt, "E", "1323413.19", "Levering av sprengstein og leire fra Fornebu til Lia, desember 2026", true, true},
		{"no reference, no description, not an AS", noRef, "S", "1654266.49", "Fakturagrunnlag for avtale AVT-2026-0007", false, true},
		{"one planned line", onePlanned, "S", "1654266.49", "Levering av sprengstein og leire fra Fornebu til Lia, desember 2026", true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := writeUBL(t, c.b)
			doc, problems := ehfProblems(data)
			for _, p := range problems {
				t.Error(p)
			}
			if doc == nil {
				return
			}
			if got := doc.text("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID"); got != c.cat {
				t.Errorf("VAT category %q, want %q", got, c.cat)
			}
			if got := doc.text("cac:LegalMonetaryTotal/cbc:PayableAmount"); got != c.payable {
				t.Errorf("PayableAmount %s, want %s", got, c.payable)
			}
			if got := doc.text("cac:LegalMonetaryTotal/cbc:LineExtensionAmount"); got != "1323413.19" {
				t.Errorf("LineExtensionAmount %s", got)
			}
			if got := doc.text("cbc:Note"); got != c.note {
				t.Errorf("note %q, want %q", got, c.note)
			}
			for path, want := range map[string]string{
				"cbc:ID": "AVT-2026-0007/2026-12", "cbc:IssueDate": "2027-01-02", "cbc:DueDate": "2027-02-01",
				"cac:InvoicePeriod/cbc:StartDate": "2026-12-01", "cac:InvoicePeriod/cbc:EndDate": "2026-12-31",
				"cac:ContractDocumentReference/cbc:ID":                                   "AVT-2026-0007",
				"cac:AccountingSupplierParty/cac:Party/cbc:EndpointID":                   "923456783",
				"cac:AccountingCustomerParty/cac:Party/cbc:EndpointID":                   "998877660",
				"cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:Name":             "Ola Sæther",
				"cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:StreetName": "Snarøyveien 30",
			} {
				if got := doc.text(path); got != want {
					t.Errorf("%s = %q, want %q", path, got, want)
				}
			}
			wantRef := c.b.BuyerReference
			if wantRef == "" {
				wantRef = "AVT-2026-0007"
			}
			if got := doc.text("cbc:BuyerReference"); got != wantRef {
				t.Errorf("BuyerReference %q, want %q", got, wantRef)
			}
			foretak := false
			for _, ts := range doc.all("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme") {
				if ts.text("cac:TaxScheme/cbc:ID") == "TAX" && ts.text("cbc:CompanyID") == "Foretaksregisteret" {
					foretak = true
				}
			}
			if foretak != c.foretak {
				t.Errorf("NO-R-002: Foretaksregisteret %v, want %v", foretak, c.foretak)
			}
			buyerVAT := doc.one("cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme") != nil
			if buyerVAT != c.buyerVAT {
				t.Errorf("buyer VAT number %v, want %v", buyerVAT, c.buyerVAT)
			}
			lines := doc.all("cac:InvoiceLine")
			if len(lines) != 2 {
				t.Fatalf("%d lines", len(lines))
			}
			for i, want := range []struct{ qty, unit, amount, price, name string }{
				{"20000", "TNE", "900000.00", "45.00", "Sprengstein"}, {"3512.345", "MTQ", "423413.19", "120.55", "Leire"},
			} {
				ln := lines[i]
				q := ln.one("cbc:InvoicedQuantity")
				if q.Text != want.qty || q.attr("unitCode") != want.unit || ln.text("cbc:LineExtensionAmount") != want.amount ||
					ln.text("cac:Price/cbc:PriceAmount") != want.price || ln.text("cac:Item/cbc:Name") != want.name {
					t.Errorf("line %d: %s %s %s %s %s, want %+v", i+1, q.Text, q.attr("unitCode"), ln.text("cbc:LineExtensionAmount"),
						ln.text("cac:Price/cbc:PriceAmount"), ln.text("cac:Item/cbc:Name"), want)
				}
			}
			if c.name == "one planned line" && lines[1].text("cbc:Note") == "" {
				t.Error("the planned line has no note")
			}
		})
	}
}

// TestUBLRoundingPerLine: many lines with amounts of half an øre, the sums
// from rounded lines and the VAT from the sum.
func TestUBLRoundingPerLine(t *testing.T) {
	b := fixture()
	b.Lines = nil
	for i := 1; i <= 7; i++ {
		b.Lines = append(b.Lines, Line{ID: strconv.Itoa(i), Fraction: "jord", FractionName: "Jord", Unit: "t", Quantity: 0.5, Tonnes: 0.5, UnitPriceOre: 333})
	}
	// Each line: 0,5 × 3,33 = 1,665 → 1,67; sum 11,69; VAT 2,9225 → 2,92.
	_, problems := ehfProblems(writeUBL(t, b))
	for _, p := range problems {
		t.Error(p)
	}
	if got := b.Totals(); got != (Totals{1169, 292, 1461}) {
		t.Errorf("Totals() = %+v", got)
	}
}

// TestEHFCheckCatchesBreaks proves the offline checker: each broken
// document must be refused with the rule it breaks.
func TestEHFCheckCatchesBreaks(t *testing.T) {
	good := string(writeUBL(t, fixture()))
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(good, "\n"), "\n") // the last line is </Invoice>
	find := func(s string) int {
		for i, l := range lines {
			if strings.Contains(l, s) {
				return i
			}
		}
		t.Fatalf("fixture lacks %q", s)
		return -1
	}
	// swap swaps the lines holding a and b.
	swap := func(a, b string) string {
		ls := append([]string(nil), lines...)
		i, j := find(a), find(b)
		ls[i], ls[j] = ls[j], ls[i]
		return strings.Join(ls, "")
	}
	// moveToEnd moves the element block starting at the line holding open
	// to just before the root's end tag.
	moveToEnd := func(open, close string) string {
		i, j := find(open), find(close)
		block := append([]string(nil), lines[i:j+1]...)
		rest := append(append([]string(nil), lines[:i]...), lines[j+1:len(lines)-1]...)
		return strings.Join(append(append(rest, block...), lines[len(lines)-1]), "")
	}
	cases := []struct {
		name, doc, rule string
	}{
		{"payable differs", replace("<cbc:PayableAmount currencyID=\"NOK\">1654266.49", "<cbc:PayableAmount currencyID=\"NOK\">1654266.50"), "BR-CO-16"},
		{"tax inclusive differs", replace("<cbc:TaxInclusiveAmount currencyID=\"NOK\">1654266.49", "<cbc:TaxInclusiveAmount currencyID=\"NOK\">1654266.48"), "BR-CO-15"},
		{"a line amount differs", replace("<cbc:LineExtensionAmount currencyID=\"NOK\">900000.00", "<cbc:LineExtensionAmount currencyID=\"NOK\">900000.01"), "BR-CO-10"},
		{"three decimals", replace(">330853.30</cbc:TaxAmount>", ">330853.300</cbc:TaxAmount>"), "BR-DEC"},
		{"wrong scheme", replace(`<cbc:EndpointID schemeID="0192">998877660`, `<cbc:EndpointID schemeID="9908">998877660`), "PEPPOL-EN16931-R010"},
		{"invalid org number", replace(`<cbc:EndpointID schemeID="0192">998877660`, `<cbc:EndpointID schemeID="0192">998877661`), "PEPPOL-COMMON-R041"},
		{"due date before issue date in the root", swap("<cbc:IssueDate>", "<cbc:DueDate>"), "order"},
		{"item name before description", swap("<cbc:Description>Sprengt fjell", "<cbc:Name>Sprengstein</cbc:Name>"), "order"},
		{"totals after the lines", moveToEnd("<cac:LegalMonetaryTotal>", "</cac:LegalMonetaryTotal>"), "order"},
		{"seller after buyer", moveToEnd("<cac:AccountingSupplierParty>", "</cac:AccountingSupplierParty>"), "order"},
		{"empty element", replace("<cbc:Name>Kari Nordmann</cbc:Name>", "<cbc:Name></cbc:Name>"), "R008"},
		{"two notes", replace("<cbc:DocumentCurrencyCode>", "<cbc:Note>x</cbc:Note><cbc:DocumentCurrencyCode>"), "R002"},
		{"VAT number without MVA", replace("<cbc:CompanyID>NO923456783MVA", "<cbc:CompanyID>NO923456783"), "NO-R-001"},
		{"wrong unit code", replace(`unitCode="TNE"`, `unitCode="KGM"`), "BR-23"},
		{"VAT not taxable × rate", strings.ReplaceAll(strings.ReplaceAll(good, "330853.30", "330853.31"), "1654266.49", "1654266.50"), "BR-CO-17"},
		{"wrong price", replace(">120.55</cbc:PriceAmount>", ">120.56</cbc:PriceAmount>"), "R120"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, problems := ehfProblems([]byte(c.doc))
			for _, p := range problems {
				if strings.Contains(p, c.rule) {
					return
				}
			}
			t.Errorf("not refused for %s: %q", c.rule, problems)
		})
	}
	if _, problems := ehfProblems([]byte(good)); len(problems) > 0 {
		t.Errorf("the good document is refused: %q", problems)
	}
}

// TestUBLGolden compares the fixture's invoice with testdata (go test
// -run TestUBLGolden -update rewrites it), so a change to the document is
// seen in review.
func TestUBLGolden(t *testing.T) {
	got := writeUBL(t, planned())
	path := filepath.Join("testdata", "ehf-planned-fornebu-lia.xml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("WriteUBL differs from %s (rerun with -update and review the diff)", path)
	}
}

// TestHostileText: markup, control characters, characters outside cp1252
// and very long text go through every writer: the XML stays well-formed
// with the text intact (control characters replaced), the PDF is written.
func TestHostileText(t *testing.T) {
	b := fixture()
	b.Description = `<Note>&amp; "sitat" 'apostrof' ]]> ` + "\x07bjelle 🚚 北京 עברית"
	b.Seller.Name = "Ørsta <Grus> & Sand AS"
	b.Buyer.Contact = "Åse \x1b[31mØye"
	b.Lines[0].FractionName = "Sprengstein – «ren» ≤ 500 mm"
	b.Lines[1].Description = strings.Repeat("Lang beskrivelse æøå ", 47)
	for name, write := range writers {
		var buf bytes.Buffer
		if err := write(&buf, b, "nb"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if buf.Len() == 0 {
			t.Errorf("%s wrote nothing", name)
		}
	}
	doc, problems := ehfProblems(writeUBL(t, b))
	for _, p := range problems {
		t.Error(p)
	}
	if doc == nil {
		return
	}
	if got := doc.text("cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name"); got != "Ørsta <Grus> & Sand AS" {
		t.Errorf("seller name %q", got)
	}
	if got := doc.text("cbc:Note"); !strings.HasPrefix(got, `<Note>&amp; "sitat" 'apostrof' ]]> `) || !strings.HasSuffix(got, "bjelle 🚚 北京 עברית") {
		t.Errorf("note %q", got)
	}
	var pdf bytes.Buffer
	if err := WritePDF(&pdf, b, "nb"); err != nil {
		t.Fatal(err)
	}
	if !has(pdfCells(t, pdf.Bytes()), "Ørsta <Grus> & Sand AS") {
		t.Error("the PDF lost the seller's name")
	}
}

// FuzzWriteUBL: any basis that validates gives an EHF document that
// parses and keeps the offline rules (sums, rounding, decimals, order,
// no empty elements), and a CSV that parses.
func FuzzWriteUBL(f *testing.F) {
	f.Add(20000.0, int64(4500), 3512.345, int64(12055), uint8(25), true, "Levering av sprengstein")
	f.Add(0.5, int64(333), 0.0005, int64(1), uint8(15), false, "=1+1 <x> & \x07")
	f.Add(1e8, int64(10_000_000), 0.0, int64(0), uint8(0), true, "")
	f.Add(12.3456789, int64(99), 7.77, int64(1234567), uint8(12), false, "Åsmund Øye 🚚")
	f.Fuzz(func(t *testing.T, q1 float64, p1 int64, q2 float64, p2 int64, vat uint8, tonnes bool, text string) {
		b := fixture()
		b.Description = text
		b.VATPercent = float64(vat)
		b.Lines[0].Quantity, b.Lines[0].UnitPriceOre = q1, p1
		b.Lines[1].Quantity, b.Lines[1].UnitPriceOre = q2, p2
		if tonnes {
			b.Lines[1].Unit = "t"
		}
		if b.Validate() != nil {
			return
		}
		_, problems := ehfProblems(writeUBL(t, b))
		for _, p := range problems {
			t.Error(p)
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, b, "nb"); err != nil {
			t.Fatal(err)
		}
		readCSV(t, buf.Bytes(), ';')
	})
}
