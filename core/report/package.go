package report

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/sheet"
	"github.com/masseflyt/masseflyt/locales"
)

// The package's files.
const (
	FileSummary        = "sammendrag.pdf"
	FileAgreementsCSV  = "avtaler.csv"
	FileAgreementsXLSX = "avtaler.xlsx"
	FileLoadsCSV       = "lass.csv"
	FileLoadsXLSX      = "lass.xlsx"
	FileSites          = "steder.geojson"
	FileManifest       = "manifest.json"
	ProofDir           = "bevis/"
	ChainDir           = "bevis/kjeder/"
	DayDir             = "bevis/dager/"
	// Format names the package layout in its manifest.
	Format = "masseflyt-tilsynspakke/v1"
)

// Manifest is manifest.json: every other file's SHA-256, what the package
// covers, the platform's ledger public keys, and an Ed25519 signature with
// the ledger key over SigningMessage.
type Manifest struct {
	Format      string          `json:"format"`
	TenantID    string          `json:"tenant_id"`
	Scope       Scope           `json:"scope"`
	From        string          `json:"from"`
	To          string          `json:"to"`
	GeneratedAt time.Time       `json:"generated_at"`
	Files       []ManifestFile  `json:"files"`
	Keys        []ledger.Key    `json:"keys"`
	Signature   *ManifestSigned `json:"signature,omitempty"`
}

// ManifestFile is one file's hash.
type ManifestFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// ManifestSigned is the manifest's signature.
type ManifestSigned struct {
	KeyID string `json:"key_id"`
	Value string `json:"value" doc:"Ed25519 over SHA-256 of the signing message, base64"`
}

// SigningMessage is what the manifest's signature covers:
// "masseflyt-package/v1\n<tenant>\n<kind> <id>\n<from> <to>\n<generated at>\n"
// and a line "<sha256> <size> <path>" per file, in the manifest's order.
func SigningMessage(m *Manifest) []byte {
	var b strings.Builder
	b.WriteString("masseflyt-package/v1\n" + m.TenantID + "\n" + m.Scope.Kind + " " + m.Scope.ID + "\n" + m.From + " " + m.To + "\n" +
		m.GeneratedAt.UTC().Format(time.RFC3339Nano) + "\n")
	for _, f := range m.Files {
		b.WriteString(f.SHA256 + " " + strconv.FormatInt(f.Size, 10) + " " + f.Path + "\n")
	}
	s := sha256.Sum256([]byte(b.String()))
	return s[:]
}

// hashed is a zip entry being written with its hash.
type hashed struct {
	w    io.Writer
	h    hash.Hash
	size int64
}

func (x *hashed) Write(p []byte) (int, error) {
	n, err := x.w.Write(p)
	x.h.Write(p[:n])
	x.size += int64(n)
	return n, err
}

// zipper writes the package's files and remembers their hashes.
type zipper struct {
	z     *zip.Writer
	at    time.Time
	files []ManifestFile
	cur   *hashed
	name  string
}

func (zp *zipper) create(name string) (io.Writer, error) {
	method := zip.Deflate
	if strings.HasSuffix(name, ".xlsx") {
		method = zip.Store // a workbook is a ZIP already
	}
	if err := zp.close(); err != nil {
		return nil, err
	}
	w, err := zp.z.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: zp.at})
	if err != nil {
		return nil, err
	}
	zp.cur, zp.name = &hashed{w: w, h: sha256.New()}, name
	return zp.cur, nil
}

func (zp *zipper) close() error {
	if zp.cur != nil {
		zp.files = append(zp.files, ManifestFile{Path: zp.name, SHA256: hex.EncodeToString(zp.cur.h.Sum(nil)), Size: zp.cur.size})
		zp.cur = nil
	}
	return nil
}

// FileName is the package's download name.
func FileName(sc *Scope) string {
	name := strings.ToLower(sc.Name)
	name = nonName.ReplaceAllString(name, "-")
	name = strings.Trim(name, "-")
	if len(name) > 40 {
		name = strings.Trim(name[:40], "-")
	}
	if name == "" {
		name = sc.Kind
	}
	return "tilsynspakke-" + name + "-" + sc.From + "-" + sc.To + ".zip"
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// WritePackage resolves the query (access, period) and streams the ZIP to
// w. Errors before the first byte are the caller's to answer; the caller
// resolves first (Resolve) when it must choose a status before writing.
func (s *Service) WritePackage(ctx context.Context, q Query, lang string, w io.Writer) error {
	sc, err := s.Resolve(ctx, q)
	if err != nil {
		return err
	}
	return s.Write(ctx, sc, lang, w)
}

// Write streams the package of a resolved scope to w.
func (s *Service) Write(ctx context.Context, sc *Scope, lang string, w io.Writer) error {
	l := localizer(lang)
	lang = l.Lang
	ags, err := s.agreements(ctx, sc)
	if err != nil {
		return err
	}
	names, err := s.allNames(ctx)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	zp := &zipper{z: zip.NewWriter(bw), at: s.DB.Now()}
	// The proofs are written on the other core meanwhile, into a ZIP of
	// their own in a temporary file, copied in (compressed as they are) at
	// the end.
	proofs := make(chan proofZip, 1)
	// The copy is taken here, before the tally below starts counting into
	// ags (the race detector caught the copy made inside the goroutine).
	agsCopy := append([]AgreementRow(nil), ags...)
	go func() { proofs <- s.proofZip(ctx, sc, agsCopy, zp.at) }()
	pz := proofZip{}
	received := false
	defer func() {
		if !received {
			pz = <-proofs
		}
		pz.remove()
	}()
	t := newTally(ags)

	// lass.csv and lass.xlsx in one pass over the loads.
	cw, err := zp.create(FileLoadsCSV)
	if err != nil {
		return err
	}
	lc := newCSV(cw, lang)
	x := excelize.NewFile()
	defer x.Close()
	sheetName := l.T("ReportSheetLoads")
	if err := x.SetSheetName("Sheet1", sheetName); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheetName)
	if err != nil {
		return err
	}
	dateStyle, _ := x.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm:ss")})
	boldStyle, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	head := loadHeader(l)
	lc.row(head)
	hrow := make([]any, len(head))
	for i, h := range head {
		hrow[i] = excelize.Cell{StyleID: boldStyle, Value: h}
	}
	if err := sw.SetRow("A1", hrow); err != nil {
		return err
	}
	_ = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	n := 1
	orgName := func(id string) string { return names.orgs[id] }
	siteName := func(id string) string { return names.sites[id] }
	labels := map[string]string{} // the labels repeat on every row: look each up once
	lab := func(id, fallback string) string {
		if v, ok := labels[id]; ok || fallback == "" {
			return v
		}
		v := label(l, id, fallback)
		labels[id] = v
		return v
	}
	err = s.eachLoad(ctx, sc, func(r *LoadRow) error {
		t.add(r)
		flags := make([]string, len(r.Flags))
		for i, f := range r.Flags {
			flags[i] = lab("LoadFlag_"+f.Kind, f.Kind)
		}
		fl := strings.Join(flags, "; ")
		lc.row([]string{sheet.Text(r.Number), sheet.Text(lab("ReportLoadKind_"+r.Kind, r.Kind)), sheet.Text(r.AgreementNumber), sheet.Text(lab("LoadStatus_"+r.Status, r.Status)),
			sheet.Text(lab("Fraction_"+r.Fraction, r.Fraction)), classText(r.ConditionClass), sheet.Text(orgName(r.SupplierOrgID)), sheet.Text(orgName(r.ReceiverOrgID)), sheet.Text(orgName(r.TransporterID)),
			sheet.Text(siteName(r.PickupSiteID)), sheet.Text(siteName(r.DeliverySiteID)), sheet.Text(r.Registration), sheet.Text(lab("Euro_"+r.EuroClass, r.EuroClass)),
			sheet.Text(lab("Fuel_"+r.Fuel, r.Fuel)), stamp(&r.DepartedAt), stamp(r.ReleasedAt), stamp(r.ReceivedAt), plain(lang, r.EstTonnes, 2),
			plain(lang, r.WeightTonnes, 2), sheet.Text(r.WeightMethod), plain(lang, r.AcceptedTonnes, 2), sheet.Text(lab("LoadResult_"+r.Result, r.Result)), sheet.Text(r.Reason), sheet.Text(fl),
			plainPtr(lang, r.RoadKm, 1), plainPtr(lang, r.KgCO2e, 1), sheet.Text(r.FactorSet), r.ID})
		n++
		dep := r.DepartedAt
		row := []any{r.Number, lab("ReportLoadKind_"+r.Kind, r.Kind), r.AgreementNumber, lab("LoadStatus_"+r.Status, r.Status), lab("Fraction_"+r.Fraction, r.Fraction),
			classCell(r.ConditionClass), orgName(r.SupplierOrgID), orgName(r.ReceiverOrgID), orgName(r.TransporterID), siteName(r.PickupSiteID), siteName(r.DeliverySiteID),
			r.Registration, lab("Euro_"+r.EuroClass, r.EuroClass), lab("Fuel_"+r.Fuel, r.Fuel),
			excelize.Cell{StyleID: dateStyle, Value: wall(&dep)}, timeCell(dateStyle, r.ReleasedAt), timeCell(dateStyle, r.ReceivedAt),
			r.EstTonnes, r.WeightTonnes, r.WeightMethod, r.AcceptedTonnes, lab("LoadResult_"+r.Result, r.Result), r.Reason, fl,
			floatCell(r.RoadKm), floatCell(r.KgCO2e), r.FactorSet, r.ID}
		c, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(c, row)
	})
	if err != nil {
		return err
	}
	if err := lc.flush(); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	xw, err := zp.create(FileLoadsXLSX)
	if err != nil {
		return err
	}
	if err := x.Write(xw); err != nil {
		return err
	}
	sm, err := s.finish(ctx, sc, ags, t)
	if err != nil {
		return err
	}
	// avtaler.csv and avtaler.xlsx.
	if err := writeAgreements(zp, l, sm.Agreements); err != nil {
		return err
	}
	gw, err := zp.create(FileSites)
	if err != nil {
		return err
	}
	if err := writeGeoJSON(gw, sm); err != nil {
		return err
	}
	pw, err := zp.create(FileSummary)
	if err != nil {
		return err
	}
	if err := writePDF(pw, sm, lang); err != nil {
		return err
	}
	// bevis/: each agreement's chain, and each day's signed root with the
	// inclusion proofs of the chains' entries.
	if err := zp.close(); err != nil {
		return err
	}
	pz, received = <-proofs, true
	if err := pz.copyInto(zp); err != nil {
		return err
	}
	m := &Manifest{Format: Format, TenantID: sc.TenantID, Scope: *sc, From: sc.From, To: sc.To, GeneratedAt: sm.GeneratedAt, Files: zp.files}
	if s.Ledger != nil {
		if m.Keys, err = ledger.PublicKeys(ctx, s.DB); err != nil {
			return err
		}
		if k := s.Ledger.Keys; k != nil && k.ID() != "" { // PublicOnly keys have no ID and cannot sign
			m.Signature = &ManifestSigned{KeyID: k.ID(), Value: k.Sign(SigningMessage(m))}
		}
	}
	if m.Keys == nil {
		m.Keys = []ledger.Key{}
	}
	mw, err := zp.z.CreateHeader(&zip.FileHeader{Name: FileManifest, Method: zip.Deflate, Modified: zp.at})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(mw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return err
	}
	if err := zp.z.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

func ptr[T any](v T) *T { return &v }

func timeCell(style int, t *time.Time) any {
	if t == nil {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: wall(t)}
}

func floatCell(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func classText(c int) string {
	if c <= 0 {
		return ""
	}
	return strconv.Itoa(c)
}

func classCell(c int) any {
	if c <= 0 {
		return nil
	}
	return c
}

func fractionName(l *locales.Localizer, code string) string { return label(l, "Fraction_"+code, code) }

func loadHeader(l *locales.Localizer) []string {
	ids := []string{"ReportColLoad", "ReportColKind", "ReportColAgreement", "ReportColStatus", "ReportColFraction", "ReportColClass", "ReportColSupplier",
		"ReportColReceiver", "ReportColTransporter", "ReportColPickup", "ReportColDelivery", "ReportColRegistration", "ReportColEuroClass", "ReportColFuel",
		"ReportColDeparted", "ReportColReleased", "ReportColReceived", "ReportColEstTonnes", "ReportColWeightTonnes", "ReportColWeightMethod",
		"ReportColAcceptedTonnes", "ReportColResult", "ReportColReason", "ReportColFlags", "ReportColRoadKm", "ReportColKgCO2e", "ReportColFactorSet", "ReportColLoadID"}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = l.T(id)
	}
	return out
}

// csvOut writes CSV as core/invoice does: UTF-8 with a byte order mark,
// ";" and a decimal comma in Norwegian, "," and a point in English, CRLF.
type csvOut struct {
	cw  *csv.Writer
	err error
}

func newCSV(w io.Writer, lang string) *csvOut {
	_, err := io.WriteString(w, "\ufeff")
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if lang != "en" {
		cw.Comma = ';'
	}
	return &csvOut{cw: cw, err: err}
}

func (c *csvOut) row(r []string) {
	if c.err == nil {
		c.err = c.cw.Write(r)
	}
}

func (c *csvOut) flush() error {
	c.cw.Flush()
	if c.err != nil {
		return c.err
	}
	return c.cw.Error()
}

func writeAgreements(zp *zipper, l *locales.Localizer, ags []AgreementRow) error {
	lang := l.Lang
	ids := []string{"ReportColAgreement", "ReportColTitle", "ReportColStatus", "ReportColSupplier", "ReportColReceiver", "ReportColFraction", "ReportColClass",
		"ReportColAgreedTonnes", "ReportColPeriodFrom", "ReportColPeriodTo", "ReportColPickup", "ReportColDelivery", "ReportColSealedAt", "ReportColSealHash",
		"ReportColLoads", "ReportColReceivedLoads", "ReportColAcceptedTonnes", "ReportColKgCO2e", "ReportColAgreementID"}
	head := make([]string, len(ids))
	for i, id := range ids {
		head[i] = l.T(id)
	}
	status := func(s string) string { return label(l, "AgreementStatus_"+s, s) }
	w, err := zp.create(FileAgreementsCSV)
	if err != nil {
		return err
	}
	c := newCSV(w, lang)
	c.row(head)
	for _, a := range ags {
		c.row([]string{sheet.Text(a.Number), sheet.Text(a.Title), sheet.Text(status(a.Status)), sheet.Text(a.SupplierName), sheet.Text(a.ReceiverName), sheet.Text(fractionName(l, a.Fraction)),
			classText(a.ConditionClass), plain(lang, a.Tonnes, 1), a.PeriodFrom, a.PeriodTo, sheet.Text(a.PickupSite), sheet.Text(a.DeliverySite), stamp(a.SealedAt), a.SealHash,
			strconv.Itoa(a.Loads), strconv.Itoa(a.Received), plain(lang, a.AcceptedTonnes, 2), plain(lang, a.KgCO2e, 1), a.ID})
	}
	if err := c.flush(); err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := l.T("ReportSheetAgreements")
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	date, _ := x.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm:ss")})
	hrow := make([]any, len(head))
	for i, h := range head {
		hrow[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", hrow); err != nil {
		return err
	}
	for i, a := range ags {
		c, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(c, []any{a.Number, a.Title, status(a.Status), a.SupplierName, a.ReceiverName, fractionName(l, a.Fraction), classCell(a.ConditionClass),
			a.Tonnes, a.PeriodFrom, a.PeriodTo, a.PickupSite, a.DeliverySite, timeCell(date, a.SealedAt), a.SealHash, a.Loads, a.Received, a.AcceptedTonnes, a.KgCO2e, a.ID}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	xw, err := zp.create(FileAgreementsXLSX)
	if err != nil {
		return err
	}
	return x.Write(xw)
}

// writeGeoJSON writes the sites (points) and each agreement's transport
// line (pickup to delivery) with its loads and accepted tonnes.
func writeGeoJSON(w io.Writer, sm *Summary) error {
	type geometry struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}
	type feature struct {
		Type       string         `json:"type"`
		Geometry   geometry       `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fs := []feature{}
	ids := make([]string, 0, len(sm.sites))
	for id := range sm.sites {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		si := sm.sites[id]
		if si.Lat == 0 && si.Lon == 0 {
			continue
		}
		fs = append(fs, feature{Type: "Feature", Geometry: geometry{Type: "Point", Coordinates: []float64{si.Lon, si.Lat}},
			Properties: map[string]any{"kind": "site", "id": si.ID, "name": si.Name, "site_kind": si.Kind, "facility_type": si.FacilityType,
				"destination": Destination(si.Kind, si.FacilityType), "address": si.Address, "city": si.City, "municipality_no": si.MunicipalityNo}})
	}
	for _, ln := range sm.lines {
		a, b := sm.sites[ln.From], sm.sites[ln.To]
		if a == nil || b == nil {
			continue
		}
		fs = append(fs, feature{Type: "Feature", Geometry: geometry{Type: "LineString", Coordinates: [][]float64{{a.Lon, a.Lat}, {b.Lon, b.Lat}}},
			Properties: map[string]any{"kind": "transport", "agreement_id": ln.AgreementID, "agreement_number": ln.Number, "from_site_id": ln.From,
				"to_site_id": ln.To, "loads": ln.Loads, "tonnes": round2(ln.Tonnes)}})
	}
	enc := json.NewEncoder(w)
	return enc.Encode(map[string]any{"type": "FeatureCollection", "features": fs})
}

func round2(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 2, 64), 64)
	return v
}

// names are every organization's and site's name in the region (a few
// thousand rows), so the load rows need no joins for them.
type names struct{ orgs, sites map[string]string }

func (s *Service) allNames(ctx context.Context) (*names, error) {
	n := &names{orgs: map[string]string{}, sites: map[string]string{}}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		var os []directory.Organization
		if err := tx.Select("id, name").Find(&os).Error; err != nil {
			return err
		}
		for _, o := range os {
			n.orgs[o.ID] = o.Name
		}
		var ss []directory.Site
		if err := tx.Select("id, name").Find(&ss).Error; err != nil {
			return err
		}
		for _, st := range ss {
			n.sites[st.ID] = st.Name
		}
		return nil
	})
	return n, err
}

// ErrNoPackage: the file is not a supervision package.
var ErrNoPackage = errors.New("not a supervision package (no manifest.json)")

var _ = fmt.Sprint
var _ = numfmt.Oslo
