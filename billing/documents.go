package billing

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/invoice"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/pdffont"
	"github.com/masseflyt/masseflyt/core/store"
)

// Document is a stored invoice as written to PDF or EHF: who sells, who
// buys, the lines in Norwegian and the totals.
type Document struct {
	Number               string
	IssueDate, DueDate   time.Time
	PeriodStart          time.Time
	Seller, Buyer        invoice.Party
	Reference            string
	Description          string
	Lines                []Line
	NetOre, VATOre, Tot  int64
	Status               string
	HostedURL, Agreement string
	// Account is the seller's bank account for the payment (11 digits).
	Account string
	// Platform: the platform's invoice to a region (the platform sells).
	Platform bool
}

// MemberDocument is the region's invoice to a member as a document: the
// region sells (its organization number from its platform subscription),
// the organization buys, with its billing e-mail and reference.
func (s *Service) MemberDocument(ctx context.Context, inv *Invoice, regionName string) (*Document, error) {
	var org struct{ Name, OrgNumber, Address, Postcode, City, Email string }
	var sub Subscription
	var rs RegionSubscription
	var st RegionSettings
	tid, _ := store.TenantID(ctx)
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Limit(1).Find(&st).Error; err != nil {
			return err
		}
		if err := tx.Table("organizations").Select("name, org_number, address, postcode, city, email").Where("id = ?", inv.OrgID).Scan(&org).Error; err != nil {
			return err
		}
		if err := tx.Where("org_id = ?", inv.OrgID).Limit(1).Find(&sub).Error; err != nil {
			return err
		}
		return tx.Where("region_id = ?", tid).Limit(1).Find(&rs).Error
	}); err != nil {
		return nil, err
	}
	email := sub.BillingEmail
	if email == "" {
		email = org.Email
	}
	d := docOf(inv.Number, inv.CreatedAt, inv.DueAt, inv.PeriodStart, inv.Lines, inv.NetOre, inv.VATOre, inv.TotalOre, inv.Status, inv.HostedURL)
	d.Seller = invoice.Party{Name: regionName, OrgNumber: rs.OrgNumber, Country: "NO", Email: rs.BillingEmail, VATRegistered: true}
	d.Buyer = invoice.Party{Name: org.Name, OrgNumber: org.OrgNumber, Address: org.Address, PostCode: org.Postcode, City: org.City, Country: "NO", Email: email}
	d.Reference = sub.InvoiceReference
	d.Description = "Medlemskap i " + regionName + ", " + MonthName(inv.PeriodStart)
	d.Agreement = "ABO-" + shortID(sub.ID)
	d.Account = st.AccountNumber
	return d, nil
}

// RegionDocument is the platform's invoice to a region as a document.
func (s *Service) RegionDocument(ctx context.Context, inv *RegionInvoice, regionName string) (*Document, error) {
	seller := s.Seller
	var rs RegionSubscription
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Where("region_id = ?", inv.RegionID).Limit(1).Find(&rs).Error
	}); err != nil {
		return nil, err
	}
	d := docOf(inv.Number, inv.CreatedAt, inv.DueAt, inv.PeriodStart, inv.Lines, inv.NetOre, inv.VATOre, inv.TotalOre, inv.Status, inv.HostedURL)
	d.Seller = invoice.Party{Name: seller.Name, OrgNumber: seller.OrgNumber, Address: seller.Address, PostCode: seller.PostCode, City: seller.City, Country: "NO", Email: seller.Email, VATRegistered: true}
	d.Buyer = invoice.Party{Name: regionName, OrgNumber: rs.OrgNumber, Country: "NO", Email: rs.BillingEmail}
	d.Reference = rs.BuyerReference
	d.Description = "Drift av Masseflyt-regionen " + regionName + ", " + MonthName(inv.PeriodStart)
	d.Agreement = "ABO-" + shortID(inv.RegionID)
	d.Account = seller.Account
	d.Platform = true
	return d, nil
}

func docOf(number string, issued time.Time, due *time.Time, start time.Time, lines []Line, net, vat, total int64, status, hosted string) *Document {
	d := &Document{Number: number, IssueDate: issued, PeriodStart: start, Lines: lines, NetOre: net, VATOre: vat, Tot: total, Status: status, HostedURL: hosted}
	if due != nil {
		d.DueDate = *due
	} else {
		d.DueDate = issued.AddDate(0, 0, PaymentDays)
	}
	return d
}

// stored refuses a document without lines: the payment provider's
// invoice (from its webhooks, with totals only), whose own document is
// its hosted page. Billing writes no second invoice of it.
func (d *Document) stored() error {
	if len(d.Lines) == 0 {
		return fail.ConflictErr("ErrBillingProviderDocument")
	}
	return nil
}

var statusText = map[string]string{InvoiceOpen: "Ubetalt", InvoicePaid: "Betalt", InvoicePastDue: "Forfalt", InvoiceVoid: "Annullert"}

// Attachment is the document as a file: "pdf" (the default) or "ehf"
// (UBL XML), named faktura-<number>.pdf or .xml: what the invoice pages
// download and the invoice notice carries.
func (d *Document) Attachment(format string) (events.Attachment, error) {
	var buf bytes.Buffer
	name := "faktura-" + strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' {
			return r
		}
		return '_'
	}, d.Number)
	if format == "ehf" {
		if err := d.WriteEHF(&buf); err != nil {
			return events.Attachment{}, err
		}
		return events.Attachment{Filename: name + ".xml", ContentType: "application/xml", Data: buf.Bytes()}, nil
	}
	if err := d.WritePDF(&buf); err != nil {
		return events.Attachment{}, err
	}
	return events.Attachment{Filename: name + ".pdf", ContentType: "application/pdf", Data: buf.Bytes()}, nil
}

// kroner is øre as "1 234,50".
func kroner(ore int64) string { return numfmt.Number("nb", float64(ore)/100, 2) }

// WritePDF writes the document as an A4 PDF in Norwegian: "Faktura", its
// number, dates and state, seller and buyer, the lines, net, VAT 25 % and
// total in NOK.
func (d *Document) WritePDF(w io.Writer) error {
	if err := d.stored(); err != nil {
		return err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdffont.Use(pdf)
	tr := pdffont.Text
	pdf.SetCreationDate(d.IssueDate)
	pdf.SetModificationDate(d.IssueDate)
	pdf.SetTitle("Faktura "+d.Number, true)
	pdf.SetAuthor(d.Seller.Name, true)
	pdf.SetCreator("Masseflyt", true)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AddPage()
	const width = 180.0
	pdf.SetFont(pdffont.Family, "B", 18)
	pdf.CellFormat(width*0.5, 9, tr("Faktura"), "", 0, "L", false, 0, "")
	pdf.SetFont(pdffont.Family, "B", 11)
	pdf.CellFormat(width*0.5, 9, tr(d.Number), "", 1, "R", false, 0, "")
	pdf.SetFont(pdffont.Family, "", 9)
	pdf.CellFormat(width, 5, tr(fmt.Sprintf("Fakturadato %s · Forfallsdato %s · Periode %s · %s", numfmt.Date(d.IssueDate), numfmt.Date(d.DueDate), MonthName(d.PeriodStart), statusText[d.Status])), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	top := pdf.GetY()
	for i, p := range []struct {
		head string
		p    invoice.Party
	}{{"Selger", d.Seller}, {"Kjøper", d.Buyer}} {
		x := 15 + float64(i)*92
		pdf.SetXY(x, top)
		pdf.SetFont(pdffont.Family, "B", 8)
		pdf.CellFormat(86, 5, tr(p.head), "B", 2, "L", false, 0, "")
		pdf.SetFont(pdffont.Family, "B", 10)
		pdf.CellFormat(86, 5, tr(p.p.Name), "", 2, "L", false, 0, "")
		pdf.SetFont(pdffont.Family, "", 9)
		for _, l := range []string{orgLine(p.p.OrgNumber, i == 0), p.p.Address, strings.TrimSpace(p.p.PostCode + " " + p.p.City), p.p.Email} {
			if l != "" {
				pdf.CellFormat(86, 4.5, tr(l), "", 2, "L", false, 0, "")
			}
		}
	}
	pdf.SetXY(15, pdf.GetY()+2)
	if d.Reference != "" {
		pdf.CellFormat(width, 5, tr("Deres ref.: "+d.Reference), "", 1, "L", false, 0, "")
	}
	if d.Description != "" {
		pdf.CellFormat(width, 5, tr(d.Description), "", 1, "L", false, 0, "")
	}
	pdf.Ln(3)
	cols := []float64{92, 26, 31, 31}
	pdf.SetFont(pdffont.Family, "B", 9)
	for i, h := range []string{"Beskrivelse", "Antall", "Pris (NOK)", "Beløp (NOK)"} {
		align := "R"
		if i == 0 {
			align = "L"
		}
		pdf.CellFormat(cols[i], 6, tr(h), "B", 0, align, false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont(pdffont.Family, "", 9)
	for _, l := range d.Lines {
		pdf.CellFormat(cols[0], 6, tr(truncate(l.Text, 70)), "", 0, "L", false, 0, "")
		pdf.CellFormat(cols[1], 6, tr(numfmt.Auto("nb", l.Quantity, 3)+" "+l.Unit), "", 0, "R", false, 0, "")
		pdf.CellFormat(cols[2], 6, tr(kroner(l.UnitOre)), "", 0, "R", false, 0, "")
		pdf.CellFormat(cols[3], 6, tr(kroner(l.AmountOre)), "", 1, "R", false, 0, "")
	}
	pdf.Ln(2)
	for i, t := range []struct {
		label string
		ore   int64
	}{{"Sum eks. mva.", d.NetOre}, {fmt.Sprintf("Merverdiavgift %d %%", VATPercent), d.VATOre}, {"Å betale (NOK)", d.Tot}} {
		if i == 2 {
			pdf.SetFont(pdffont.Family, "B", 10)
		}
		pdf.CellFormat(cols[0]+cols[1]+cols[2], 6, tr(t.label), "", 0, "R", false, 0, "")
		pdf.CellFormat(cols[3], 6, tr(kroner(t.ore)), "T", 1, "R", false, 0, "")
	}
	if d.Account != "" && d.HostedURL == "" {
		pdf.Ln(4)
		pdf.SetFont(pdffont.Family, "B", 10)
		pdf.CellFormat(width, 6, tr(fmt.Sprintf("Betales til konto %s innen %s", accountText(d.Account), numfmt.Date(d.DueDate))), "", 1, "L", false, 0, "")
		pdf.SetFont(pdffont.Family, "", 9)
		pdf.CellFormat(width, 5, tr("Merk betalingen med fakturanummer "+d.Number+"."), "", 1, "L", false, 0, "")
	}
	if d.HostedURL != "" {
		pdf.Ln(4)
		pdf.SetFont(pdffont.Family, "", 8)
		pdf.CellFormat(width, 5, tr("Betal på "+d.HostedURL), "", 1, "L", false, 0, "")
	}
	return pdf.Output(w)
}

// accountText is an account number as people write it: "1234.56.78903".
func accountText(a string) string {
	if len(a) != 11 {
		return a
	}
	return a[:4] + "." + a[4:6] + "." + a[6:]
}

func orgLine(n string, seller bool) string {
	if n == "" {
		return ""
	}
	s := "Org.nr. " + n
	if seller {
		s += " MVA"
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

var invoicedQuantity = regexp.MustCompile(`<cbc:InvoicedQuantity unitCode="[A-Z0-9]+"`)

// WriteEHF writes the document as EHF (PEPPOL BIS Billing 3.0 UBL) with
// the buyer's organization number and reference. A line of months or
// agreements is written as pieces (UN/ECE C62), tonnes as TNE; a prorated
// licence as one piece at its amount, so the totals are the stored ones.
func (d *Document) WriteEHF(w io.Writer) error {
	if err := d.stored(); err != nil {
		return err
	}
	switch {
	case d.Seller.OrgNumber == "" && d.Platform:
		return fail.ConflictErr("ErrBillingNoPlatformNumber")
	case d.Seller.OrgNumber == "":
		return fail.ConflictErr("ErrBillingNoSellerNumber")
	case d.Buyer.OrgNumber == "":
		return fail.ConflictErr("ErrBillingNoBuyerNumber") // EHF is addressed by it
	}
	b := invoice.Basis{Number: d.Number, IssueDate: d.IssueDate, DueDate: d.DueDate, PeriodFrom: d.PeriodStart.In(oslo), PeriodTo: PeriodEnd(d.PeriodStart).Add(-time.Hour).In(oslo),
		Currency: Currency, Seller: d.Seller, Buyer: d.Buyer, Description: d.Description, BuyerReference: d.Reference, VATPercent: VATPercent,
		Issuer: d.Seller.Name, AgreementNumber: d.Agreement}
	if b.BuyerReference == "" {
		b.BuyerReference = d.Agreement // EHF requires a reference
	}
	codes := make([]string, 0, len(d.Lines))
	for i, l := range d.Lines {
		ln := invoice.Line{ID: fmt.Sprint(i + 1), Description: l.Text, Fraction: "lisens", FractionName: l.Text, Unit: "t", Quantity: l.Quantity, UnitPriceOre: l.UnitOre}
		code := "C62"
		switch l.Unit {
		case "tonn":
			ln.Fraction, code = "tonn", "TNE"
		case "stk":
			ln.Fraction = "avtaler"
		default:
			if ln.AmountOre() != l.AmountOre {
				ln.Quantity, ln.UnitPriceOre = 1, l.AmountOre
			}
		}
		codes = append(codes, code)
		b.Lines = append(b.Lines, ln)
	}
	if b.Totals().TotalOre != d.Tot {
		return fmt.Errorf("billing: EHF totals %d differ from the invoice's %d", b.Totals().TotalOre, d.Tot)
	}
	var buf bytes.Buffer
	if err := invoice.WriteUBL(&buf, b); err != nil {
		return err
	}
	i := 0
	xml := buf.Bytes()
	if d.Account != "" && d.HostedURL == "" {
		// The payment: a credit transfer to the seller's account (UBL puts
		// PaymentMeans before TaxTotal).
		if at := bytes.Index(xml, []byte("  <cac:TaxTotal>")); at > 0 {
			pm := "  <cac:PaymentMeans>\n    <cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>\n    <cbc:PaymentID>" + d.Number +
				"</cbc:PaymentID>\n    <cac:PayeeFinancialAccount>\n      <cbc:ID>" + d.Account + "</cbc:ID>\n    </cac:PayeeFinancialAccount>\n  </cac:PaymentMeans>\n"
			xml = append(xml[:at:at], append([]byte(pm), xml[at:]...)...)
		}
	}
	out := invoicedQuantity.ReplaceAllFunc(xml, func(m []byte) []byte {
		code := "C62"
		if i < len(codes) {
			code = codes[i]
		}
		i++
		return []byte(`<cbc:InvoicedQuantity unitCode="` + code + `"`)
	})
	_, err := w.Write(out)
	return err
}
