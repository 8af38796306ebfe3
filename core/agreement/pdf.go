package agreement

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/pdffont"
)

// PDF writes an agreement as a PDF: the text of the sealed version (or,
// before sealing, the current one marked as not signed) and a signature
// page with each signature (name, organization, time, method) and the
// document hash.
func (s *Service) PDF(ctx context.Context, id string, w io.Writer) error {
	d, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	return WritePDF(w, d)
}

// WritePDF renders a detail as a PDF in DejaVu Sans (core/pdffont): every
// Latin letter, Sámi included, æøå, dashes and §; what the font lacks
// (emoji) shows as a visible placeholder.
func WritePDF(w io.Writer, d *Detail) error {
	ag, lang := d.Agreement, d.Agreement.Locale
	text := d.Text
	var sigs []Signature
	version := ag.Version
	if d.Sealed != nil {
		version = ag.SealedVersion
		text, _ = Render(templateBodyFor(d), fieldValues(ag.Number, *d.Sealed, lang))
	}
	for _, sg := range d.Signatures {
		if sg.Version == version {
			sigs = append(sigs, sg)
		}
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdffont.Use(pdf)
	tr := pdffont.Text
	pdf.SetTitle(ag.Number, true)
	pdf.SetCreator("Masseflyt", false)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(true, 18)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(pdffont.Family, "", 8)
		pdf.CellFormat(0, 5, tr(ag.Number+" · "+tr2(lang, "AgreementPDFVersion")+" "+itoa(version)+" · "+itoa(pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	if d.Sealed == nil {
		pdf.SetFont(pdffont.Family, "B", 10)
		pdf.SetTextColor(160, 0, 0)
		pdf.MultiCell(0, 5, tr(tr2(lang, "AgreementPDFNotSealed")), "", "L", false)
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(2)
	}
	for i, para := range strings.Split(text, "\n") {
		switch {
		case i == 0:
			pdf.SetFont(pdffont.Family, "B", 14)
			pdf.MultiCell(0, 7, tr(para), "", "L", false)
		case para == "":
			pdf.Ln(2)
		case len(para) > 2 && para[0] >= '0' && para[0] <= '9' && strings.Contains(para[:3], "."):
			pdf.SetFont(pdffont.Family, "B", 11)
			pdf.MultiCell(0, 6, tr(para), "", "L", false)
		default:
			pdf.SetFont(pdffont.Family, "", 10)
			pdf.MultiCell(0, 5, tr(para), "", "L", false)
		}
	}
	pdf.Ln(6)
	pdf.SetFont(pdffont.Family, "B", 12)
	pdf.MultiCell(0, 7, tr(tr2(lang, "AgreementPDFSignatures")), "", "L", false)
	pdf.SetFont(pdffont.Family, "", 10)
	for _, sg := range sigs {
		line := sg.Name + ", " + sg.OrganizationName + " – " + numfmt.DateTime(sg.SignedAt) + " (" + sg.Method + ", " + sg.AAL + ")"
		pdf.MultiCell(0, 5, tr(line), "", "L", false)
	}
	if len(sigs) == 0 {
		pdf.MultiCell(0, 5, tr(tr2(lang, "AgreementPDFNoSignatures")), "", "L", false)
	}
	if ag.SealHash != "" && d.Sealed != nil {
		pdf.Ln(3)
		pdf.SetFont(pdffont.Family, "", 8)
		pdf.MultiCell(0, 4, tr(tr2(lang, "AgreementPDFHash")+" SHA-256:"), "", "L", false)
		// The hash in a monospaced core font: plain ASCII in the file, so
		// a search of the PDF's text finds it as it is shown on the page.
		pdf.SetFont("Courier", "", 8)
		pdf.MultiCell(0, 4, ag.SealHash, "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fail.New(fail.Internal, "pdf", "ErrInternal")
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// templateBodyFor is the text of the template the detail was rendered
// with: Get rendered d.Text from it for the current terms; the body is
// kept on the detail for the sealed terms.
func templateBodyFor(d *Detail) string { return d.templateBody }

func tr2(lang, id string) string { return tr(lang, id) }

func itoa(n int) string { return strconv.Itoa(n) }
