package agreement

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/invoice"
	"github.com/masseflyt/masseflyt/core/numfmt"
)

// InvoiceBasis builds the invoice basis (K13) of an agreement in force for
// the period from–to (dates, inclusive): the parties as payee (seller) and
// payer (buyer) whatever the sign of the price, the fraction, quantities in
// tonnes and m³, the unit price and amount. Until deliveries are recorded
// (core/haul: the first receipt of a delivery load on the agreement) the
// quantities are the agreed ones spread evenly over the agreement's period
// and marked planned; from then on they are the accepted tonnes of the
// loads received in the period (receivedLines), planned no more. Parties
// read it; supervisors too.
func (s *Service) InvoiceBasis(ctx context.Context, id string, from, to time.Time) (invoice.Basis, error) {
	var b invoice.Basis
	a := access.From(ctx)
	ag, err := s.find(ctx, id)
	if err != nil {
		return b, err
	}
	if a.Principal.Orgs[ag.SupplierOrgID] == "" && a.Principal.Orgs[ag.ReceiverOrgID] == "" && !a.Principal.Has(auth.RoleSupervisor) {
		return b, fail.New(fail.Forbidden, "not_party", "ErrAgreementNotParty")
	}
	v := &fail.Validation{}
	if from.IsZero() {
		v.Add("from", "required", "ErrFieldRequired")
	}
	if to.IsZero() {
		v.Add("to", "required", "ErrFieldRequired")
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		v.Add("to", "date_order", "ErrDateOrder")
	}
	if err := v.Err(); err != nil {
		return b, err
	}
	if ag.SealedVersion == 0 {
		return b, conflict("ErrAgreementNotSealed")
	}
	if ag.Status == StatusCancelled {
		return b, conflict("ErrAgreementBasisCancelled")
	}
	var t Terms
	var loads []receivedLoad
	orgs := map[string]directory.Organization{}
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		var err error
		if t, err = termsTx(tx, id, ag.SealedVersion); err != nil {
			return err
		}
		// The agreement's received delivery loads (core/haul's table; a
		// return of a rejected load is no delivery).
		if err := tx.Table("loads").Select("fraction", "weight_tonnes", "volume_m3", "accepted_tonnes", "received_at").
			Where("agreement_id = ? AND kind = ? AND received_at IS NOT NULL", id, "delivery").Order("received_at").Find(&loads).Error; err != nil {
			return err
		}
		var os []directory.Organization
		if err := tx.Where("id IN ?", []string{ag.SupplierOrgID, ag.ReceiverOrgID}).Find(&os).Error; err != nil {
			return err
		}
		for _, o := range os {
			orgs[o.ID] = o
		}
		return nil
	})
	if err != nil {
		return b, err
	}
	lang := ag.Locale
	party := func(p Party) invoice.Party {
		o := orgs[p.OrganizationID]
		return invoice.Party{Name: p.Name, OrgNumber: p.OrgNumber, Address: o.Address, PostCode: o.Postcode, City: o.City, Country: "NO",
			Email: o.Email, Contact: p.SignatoryName, VATRegistered: true}
	}
	seller, buyer := party(t.Supplier), party(t.Receiver)
	supplierPaid := (t.Payer == "receiver_pays") == (t.PriceNOK >= 0)
	if !supplierPaid {
		seller, buyer = buyer, seller
	}
	period := from.Format("2006-01-02") + "–" + to.Format("2006-01-02")
	if from.Day() == 1 && to.Equal(from.AddDate(0, 1, -1)) {
		period = from.Format("2006-01")
	}
	var names []string
	for _, f := range t.Fractions {
		names = append(names, tr(lang, "Fraction_"+f))
	}
	b = invoice.Basis{
		Number: ag.Number + "/" + period, AgreementID: ag.ID, AgreementNumber: ag.Number,
		IssueDate: numfmt.Local(s.now()), PeriodFrom: from, PeriodTo: to, Currency: "NOK",
		Seller: seller, Buyer: buyer, BuyerReference: ag.Number, VATPercent: 25, Planned: len(loads) == 0,
		Description: t.Title,
	}
	if b.Planned {
		b.Lines = plannedLines(t, from, to, strings.Join(names, ", "))
	} else {
		b.Lines = receivedLines(t, loads, from, to, lang)
	}
	return b, nil
}

// receivedLoad is what the invoice basis reads of a received load.
type receivedLoad struct {
	Fraction       string
	WeightTonnes   float64
	VolumeM3       float64 `gorm:"column:volume_m3"`
	AcceptedTonnes float64
	ReceivedAt     time.Time
}

// receivedLines sums the accepted tonnes of the loads received on the
// dates from–to (Oslo), one line per fraction in the order of the terms
// (an agreed fraction with no load in the period is a line of zero, so a
// quiet month still has a basis). The m³ of a load are its measured volume
// scaled to what was accepted, else its tonnes at the agreed density or
// the agreed tonnes-to-m³ ratio.
func receivedLines(t Terms, loads []receivedLoad, from, to time.Time, lang string) []invoice.Line {
	day := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC) }
	lo, hi := day(from), day(to)
	type sum struct{ tonnes, m3 float64 }
	sums := map[string]*sum{}
	codes := append([]string(nil), t.Fractions...)
	for _, c := range codes {
		sums[c] = &sum{}
	}
	for _, l := range loads {
		if d := day(numfmt.Local(l.ReceivedAt)); d.Before(lo) || d.After(hi) {
			continue
		}
		s, ok := sums[l.Fraction]
		if !ok {
			s = &sum{}
			sums[l.Fraction] = s
			codes = append(codes, l.Fraction)
		}
		s.tonnes += l.AcceptedTonnes
		switch {
		case l.VolumeM3 > 0 && l.WeightTonnes > 0:
			s.m3 += l.VolumeM3 * l.AcceptedTonnes / l.WeightTonnes
		case t.Density > 0:
			s.m3 += l.AcceptedTonnes / t.Density
		case t.QuantityTonnes > 0 && t.QuantityM3 > 0:
			s.m3 += l.AcceptedTonnes * t.QuantityM3 / t.QuantityTonnes
		}
	}
	price := int64(math.Round(math.Abs(t.PriceNOK) * 100))
	out := make([]invoice.Line, 0, len(codes))
	for i, c := range codes {
		s := sums[c]
		tonnes, m3 := math.Round(s.tonnes*1000)/1000, math.Round(s.m3*1000)/1000
		qty := tonnes
		if t.PriceUnit == "m3" {
			qty = m3
		}
		out = append(out, invoice.Line{ID: strconv.Itoa(i + 1), Description: t.Title, Fraction: c, FractionName: tr(lang, "Fraction_"+c),
			Tonnes: tonnes, CubicMetres: m3, Unit: t.PriceUnit, Quantity: qty, UnitPriceOre: price})
	}
	return out
}

// plannedLines spreads the agreed quantity evenly over the agreement's
// days and takes the share of the days of from–to within it.
func plannedLines(t Terms, from, to time.Time, fractionName string) []invoice.Line {
	pf, ok1 := parseDate(t.PeriodFrom)
	pt, ok2 := parseDate(t.PeriodTo)
	share := 0.0
	if ok1 && ok2 {
		days := pt.Sub(pf).Hours()/24 + 1
		lo, hi := pf, pt
		if from.After(lo) {
			lo = from
		}
		if to.Before(hi) {
			hi = to
		}
		if !hi.Before(lo) && days > 0 {
			share = (hi.Sub(lo).Hours()/24 + 1) / days
		}
	}
	tonnes := math.Round(t.QuantityTonnes*share*10) / 10
	m3 := math.Round(t.QuantityM3*share*10) / 10
	qty := tonnes
	if t.PriceUnit == "m3" {
		qty = m3
	}
	code := ""
	if len(t.Fractions) > 0 {
		code = t.Fractions[0]
	}
	return []invoice.Line{{ID: "1", Description: t.Title, Fraction: code, FractionName: fractionName, Tonnes: tonnes, CubicMetres: m3,
		Unit: t.PriceUnit, Quantity: qty, UnitPriceOre: int64(math.Round(math.Abs(t.PriceNOK) * 100)), Planned: true}}
}

// Now is the clock's time (the adapters' default period).
func (s *Service) Now() time.Time { return s.now() }

// Month is the calendar month (Oslo) of t: its first and last day.
func Month(t time.Time) (from, to time.Time) {
	l := numfmt.Local(t)
	from = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, 1, -1)
}

// WriteBasis writes an invoice basis in a format (csv, xlsx, pdf or xml:
// EHF) and returns it with its media type and a file name.
func WriteBasis(b invoice.Basis, format, lang string) (data []byte, contentType, filename string, err error) {
	var buf bytes.Buffer
	switch format {
	case "csv":
		contentType, err = "text/csv; charset=utf-8", invoice.WriteCSV(&buf, b, lang)
	case "xlsx":
		contentType, err = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", invoice.WriteXLSX(&buf, b, lang)
	case "pdf":
		contentType, err = "application/pdf", invoice.WritePDF(&buf, b, lang)
	case "xml":
		contentType, err = "application/xml", invoice.WriteUBL(&buf, b)
	default:
		v := &fail.Validation{}
		v.Add("format", "enum", "ErrFieldEnum", "Allowed", "csv, xlsx, pdf, xml")
		return nil, "", "", v.Err()
	}
	name := "fakturagrunnlag-" + b.AgreementNumber + "-" + b.PeriodFrom.Format("2006-01") + "." + format
	return buf.Bytes(), contentType, name, err
}
