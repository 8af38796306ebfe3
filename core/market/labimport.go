package market

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/core/fail"
)

// ImportLimits bound what one lab import may cost (H2): the file, what an
// XLSX unpacks to, the columns and rows read, the samples per import and
// per listing, and the samples written per transaction.
type ImportLimits struct {
	MaxFileBytes         int64 // the uploaded file
	MaxUnpackedBytes     int64 // everything an XLSX unpacks to
	MaxColumns           int   // cells per row (up to the last non-empty one)
	MaxRows              int   // rows read, header included
	MaxSamplesPerImport  int
	MaxSamplesPerListing int
	BatchSize            int // samples per write transaction
}

// DefaultImportLimits are generous for real lab exports (a few hundred
// rows, tens of samples) and small for a server.
var DefaultImportLimits = ImportLimits{
	MaxFileBytes:         4 << 20,
	MaxUnpackedBytes:     32 << 20,
	MaxColumns:           256,
	MaxRows:              20_000,
	MaxSamplesPerImport:  500,
	MaxSamplesPerListing: 2_000,
	BatchSize:            100,
}

// Limits are the service's lab-import limits (Service.ImportLimits, unset
// fields at their defaults).
func (s *Service) Limits() ImportLimits { return s.ImportLimits.withDefaults() }

// withDefaults fills unset limits with the defaults.
func (l ImportLimits) withDefaults() ImportLimits {
	d := DefaultImportLimits
	return ImportLimits{
		MaxFileBytes:         orDefault(l.MaxFileBytes, d.MaxFileBytes),
		MaxUnpackedBytes:     orDefault(l.MaxUnpackedBytes, d.MaxUnpackedBytes),
		MaxColumns:           orDefault(l.MaxColumns, d.MaxColumns),
		MaxRows:              orDefault(l.MaxRows, d.MaxRows),
		MaxSamplesPerImport:  orDefault(l.MaxSamplesPerImport, d.MaxSamplesPerImport),
		MaxSamplesPerListing: orDefault(l.MaxSamplesPerListing, d.MaxSamplesPerListing),
		BatchSize:            orDefault(l.BatchSize, d.BatchSize),
	}
}

// orDefault is v when set (positive), else def.
func orDefault[T int | int64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Column names a lab export may use (Norwegian or English, any case).
var importCols = map[string][]string{
	"sample":    {"prøve", "prove", "prøvenavn", "prøve-id", "prøveid", "prøvenr", "prøvenr.", "prøvenummer", "prøvemerking", "kundens prøvemerking", "prøvepunkt", "sample", "sample id", "sample name", "client sample id", "sample no", "sample no."},
	"parameter": {"parameter", "parameternavn", "analytt", "analyse", "analysevariabel", "komponent", "stoff", "analyte", "analysis", "component", "determinand"},
	"value":     {"verdi", "resultat", "målt verdi", "konsentrasjon", "value", "result", "concentration"},
	"unit":      {"enhet", "enheter", "eining", "benevning", "unit", "units"},
}

// importMeta are columns of a lab export that are neither samples nor
// results (a wide export's other columns are its samples).
var importMeta = []string{"loq", "lod", "mu", "måleusikkerhet", "usikkerhet", "uncertainty", "metode", "method", "analysemetode", "deteksjonsgrense", "rapporteringsgrense", "kvantifiseringsgrense", "cas", "cas-nr", "cas-nr.", "cas no", "kommentar", "comment", "merknad", "akkreditert", "accredited", "akk.", "lab", "laboratorium", "laboratory", "dato", "date", "prøvedato", "prøvetakingsdato", "analysedato", "sampling date", "status", "grenseverdi", "normverdi", "limit", "nr", "nr.", "#", "ref", "referanse"}

func headerKey(h string) string {
	h = strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(h, "\u00a0", " ")), " "))
	h = strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(h, ":")), " *")
	for key, names := range importCols {
		for _, n := range names {
			if h == n {
				return key
			}
		}
	}
	for _, n := range importMeta {
		if h == n || strings.HasPrefix(h, n+" ") {
			return "meta"
		}
	}
	return ""
}

// sampleMarking: a sample column naming the client's marking (preferred to
// the lab's sample number when an export has both).
func sampleMarking(h string) bool {
	switch strings.ToLower(strings.TrimSpace(h)) {
	case "prøvemerking", "kundens prøvemerking", "prøvenavn", "sample name", "client sample id":
		return true
	}
	return false
}

// rowSource yields a table's rows one at a time, with each row's number in
// the file; io.EOF ends it.
type rowSource func() (row int, cells []string, err error)

// ParseLabTable reads a lab table with the default limits.
func ParseLabTable(name string, data []byte) ([]SampleInput, error) {
	return ParseLabTableLimits(name, data, DefaultImportLimits)
}

// ParseLabTableLimits reads a lab export from CSV (comma, semicolon or tab)
// or XLSX (the first sheet), streaming, within lim, and returns one sample
// input per sample name, in order. Two layouts are read: long (columns
// sample, parameter, value, unit: one row per sample and parameter) and
// wide (columns parameter and unit, and one column per sample, as Eurofins
// and ALS reports are laid out). Title lines above the header are skipped.
// Errors name the row and column.
func ParseLabTableLimits(name string, data []byte, lim ImportLimits) ([]SampleInput, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, errImportTooLarge(lim.MaxFileBytes)
	}
	var next rowSource
	switch lower := strings.ToLower(name); {
	case strings.HasSuffix(lower, ".xlsx"):
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
			UnzipSizeLimit:    lim.MaxUnpackedBytes,
			UnzipXMLSizeLimit: min(lim.MaxUnpackedBytes, 8<<20),
		})
		if err != nil {
			if strings.Contains(err.Error(), "unzip size") || strings.Contains(err.Error(), "UnzipSizeLimit") {
				return nil, labErr(0, "", "ErrLabUnpacked", "Max", mb(lim.MaxUnpackedBytes))
			}
			return nil, fail.New(fail.UnsupportedType, "upload_mismatch", "ErrDocumentMismatch", "Name", name)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, labErr(0, "", "ErrLabEmpty")
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			return nil, labErr(0, "", "ErrLabEmpty")
		}
		defer rows.Close()
		n := 0
		next = func() (int, []string, error) {
			if !rows.Next() {
				if err := rows.Error(); err != nil {
					return n + 1, nil, err
				}
				return 0, nil, io.EOF
			}
			n++
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			return n, cells, err
		}
	case strings.HasSuffix(lower, ".csv"):
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		r.Comma = sniffComma(data)
		next = func() (int, []string, error) {
			rec, err := r.Read()
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return pe.StartLine, nil, err
				}
				return 0, nil, err
			}
			line, _ := r.FieldPos(0)
			return line, rec, nil
		}
	default:
		return nil, fail.New(fail.UnsupportedType, "upload_type", "ErrLabFileType")
	}
	return readLabTable(next, lim)
}

// sniffComma picks the separator the first lines use most: semicolon (with
// decimal commas, as Norwegian Excel writes), tab or comma.
func sniffComma(data []byte) rune {
	head := data[:min(len(data), 4096)]
	if i := bytes.IndexByte(head, '\n'); i > 0 {
		// the header line (or the first title line) decides
		for _, line := range bytes.SplitN(head, []byte("\n"), 10) {
			s, t, c := bytes.Count(line, []byte(";")), bytes.Count(line, []byte("\t")), bytes.Count(line, []byte(","))
			if s+t+c >= 2 {
				head = line
				break
			}
		}
	}
	s, t, c := bytes.Count(head, []byte(";")), bytes.Count(head, []byte("\t")), bytes.Count(head, []byte(","))
	switch {
	case s >= t && s >= c && s > 0:
		return ';'
	case t >= c && t > 0:
		return '\t'
	}
	return ','
}

// maxLabErrors is how many rejected cells one answer names.
const maxLabErrors = 20

type labTable struct {
	lim     ImportLimits
	col     map[string]int // long layout: sample, parameter, value, unit
	wide    []int          // wide layout: the sample columns
	header  []string
	out     []SampleInput
	idx     map[string]int
	v       *fail.Validation
	nErrors int
}

func readLabTable(next rowSource, lim ImportLimits) ([]SampleInput, error) {
	t := &labTable{lim: lim, idx: map[string]int{}, v: &fail.Validation{}}
	read := 0
	for {
		row, cells, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, labErr(row, "", "ErrLabRow")
		}
		read++
		if read > lim.MaxRows {
			return nil, labErr(row, "", "ErrLabTooManyRows", "Max", lim.MaxRows)
		}
		for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) > lim.MaxColumns {
			return nil, labErr(row, "", "ErrLabTooManyColumns", "Count", len(cells), "Max", lim.MaxColumns)
		}
		if len(cells) == 0 {
			continue
		}
		if t.col == nil {
			if !t.findHeader(cells) && read >= 50 {
				return nil, labErr(row, "", "ErrLabColumns")
			}
			continue
		}
		if err := t.row(row, cells); err != nil {
			return nil, err
		}
		if t.nErrors >= maxLabErrors {
			break
		}
	}
	if t.col == nil {
		return nil, labErr(1, "", "ErrLabColumns")
	}
	if err := t.v.Err(); err != nil {
		return nil, err
	}
	for _, s := range t.out {
		if len(s.Values) == 0 {
			return nil, labErr(0, "", "ErrLabSampleEmpty", "Sample", s.Name)
		}
	}
	if len(t.out) == 0 {
		return nil, labErr(0, "", "ErrLabEmpty")
	}
	return t.out, nil
}

// findHeader recognises the header row: parameter and unit columns, and
// either sample and value columns (long) or sample columns (wide).
func (t *labTable) findHeader(cells []string) bool {
	col := map[string]int{}
	var rest []int
	for i, h := range cells {
		k := headerKey(h)
		switch {
		case k == "" && strings.TrimSpace(h) != "":
			rest = append(rest, i)
		case k != "" && k != "meta":
			if _, dup := col[k]; !dup || (k == "sample" && sampleMarking(h)) {
				col[k] = i // the client's marking beats the lab's number
			}
		}
	}
	_, hasP := col["parameter"]
	_, hasU := col["unit"]
	if !hasP || !hasU {
		return false
	}
	_, hasS := col["sample"]
	_, hasV := col["value"]
	switch {
	case hasS && hasV:
	case len(rest) > 0 && !hasV:
		t.wide = rest
	default:
		return false
	}
	t.col, t.header = col, cells
	return true
}

// colName names a column for a message: its letter and its header.
func (t *labTable) colName(i int) string {
	name, _ := excelize.ColumnNumberToName(i + 1)
	if i < len(t.header) && strings.TrimSpace(t.header[i]) != "" {
		return name + " («" + strings.TrimSpace(t.header[i]) + "»)"
	}
	return name
}

func (t *labTable) reject(row, col int, msgID string, data ...any) {
	t.nErrors++
	t.v.Add("file.row_"+strconv.Itoa(row)+"_"+strconv.Itoa(col+1), "lab_row", msgID, append([]any{"Row", row, "Column", t.colName(col)}, data...)...)
}

func (t *labTable) row(row int, cells []string) error {
	get := func(i int) string {
		if i >= 0 && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	pc, uc := t.col["parameter"], t.col["unit"]
	param := get(pc)
	if param == "" {
		return nil // a section title or a note
	}
	key, ignored, ok := LabParameter(param)
	if ignored {
		return nil
	}
	type cell struct {
		sample    string
		col       int
		sampleCol int
	}
	var cs []cell
	if t.wide != nil {
		for _, i := range t.wide {
			cs = append(cs, cell{sample: strings.TrimSpace(t.header[i]), col: i, sampleCol: i})
		}
	} else {
		cs = []cell{{sample: get(t.col["sample"]), col: t.col["value"], sampleCol: t.col["sample"]}}
	}
	if !ok {
		// Refused only when the row carries a value: a note is skipped.
		for _, c := range cs {
			if get(c.col) != "" {
				t.reject(row, pc, "ErrLabParameter", "Parameter", param)
				return nil
			}
		}
		return nil
	}
	unit := get(uc)
	for _, c := range cs {
		raw := get(c.col)
		if raw == "" && t.wide != nil {
			continue // not analysed in this sample
		}
		x, below, skip, good := ParseLabValue(raw)
		if skip {
			continue
		}
		if !good {
			t.reject(row, c.col, "ErrLabValue", "Value", clip(raw, 40))
			continue
		}
		if c.sample == "" {
			t.reject(row, c.sampleCol, "ErrLabSampleName")
			continue
		}
		_, err := ToMgPerKg(x, unit)
		if errors.Is(err, ErrMoreThanAll) {
			t.reject(row, c.col, "ErrLabRange", "Value", clip(raw, 40))
			continue
		}
		if err != nil {
			t.reject(row, uc, "ErrLabRowUnit", "Unit", clip(unit, 40))
			break
		}
		i, seen := t.idx[c.sample]
		if !seen {
			if len(t.out) >= t.lim.MaxSamplesPerImport {
				return labErr(row, "", "ErrLabTooManySamples", "Max", t.lim.MaxSamplesPerImport)
			}
			i = len(t.out)
			t.idx[c.sample] = i
			t.out = append(t.out, SampleInput{Name: c.sample})
		}
		t.out[i].Values = append(t.out[i].Values, SampleValue{Parameter: key, Value: x, Unit: unit, BelowLimit: below})
	}
	return nil
}

// ParseLabValue reads a lab value: decimal comma or point, spaces as
// thousands separators, "<" below the detection limit (the limit is
// returned, below set), ">" as the value. "n.d.", "i.p.", "-" and the like
// (not detected without a limit, or not analysed) are skipped.
func ParseLabValue(s string) (x float64, below, skip, ok bool) {
	s = strings.TrimSpace(strings.NewReplacer("\u00a0", "", "\u202f", "", " ", "").Replace(s))
	switch strings.ToLower(strings.Trim(s, ".")) {
	case "", "-", "--", "n.d", "nd", "i.p", "ip", "ia", "i.a", "n/a", "na", "ikke påvist", "ikkepåvist", "ikkeanalysert", "notdetected", "not detected":
		return 0, false, true, true
	}
	switch {
	case strings.HasPrefix(s, "<="), strings.HasPrefix(s, "≤"):
		below, s = true, strings.TrimLeft(s, "<=≤")
	case strings.HasPrefix(s, "<"):
		below, s = true, s[1:]
	case strings.HasPrefix(s, ">="), strings.HasPrefix(s, "≥"), strings.HasPrefix(s, ">"):
		s = strings.TrimLeft(s, ">=≥")
	}
	if strings.Contains(s, ",") && strings.Contains(s, ".") {
		if strings.LastIndexByte(s, ',') > strings.LastIndexByte(s, '.') {
			s = strings.ReplaceAll(s, ".", "") // 1.234,5
		} else {
			s = strings.ReplaceAll(s, ",", "") // 1,234.5
		}
	}
	s = strings.ReplaceAll(s, ",", ".")
	if s == "" || len(s) > 32 || strings.Trim(s, "0123456789.eE+-") != "" || strings.ContainsAny(s[:1], "eE") {
		return 0, false, false, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return 0, false, false, false
	}
	return v, below, false, true
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func mb(n int64) string { return fmt.Sprintf("%d MB", n>>20) }

func errImportTooLarge(max int64) error {
	return fail.New(fail.TooLarge, "too_large", "ErrUploadTooLarge", "Max", mb(max))
}

// labErr is an error about the file, at a row (0: the file as a whole).
func labErr(row int, _ string, msg string, data ...any) error {
	v := &fail.Validation{}
	v.Add("file.row_"+strconv.Itoa(row), "lab_file", msg, append([]any{"Row", row}, data...)...)
	return v.Err()
}

// ImportSamples adds every sample of a lab table (CSV or XLSX, f.Filename
// decides) to a listing the actor may change, all or nothing. Who may
// import is decided before the file is looked at; the file is read and
// every sample classified before anything is written; the samples are then
// written in short transactions (see storeSamples).
func (s *Service) ImportSamples(ctx context.Context, listingID string, f *Upload) ([]*Sample, error) {
	l, err := s.Editable(ctx, listingID)
	if err != nil {
		return nil, err
	}
	if f == nil {
		v := &fail.Validation{}
		v.Add("file", "required", "ErrFieldRequired")
		return nil, v.Err()
	}
	lim := s.Limits()
	if int64(len(f.Data)) > lim.MaxFileBytes {
		return nil, errImportTooLarge(lim.MaxFileBytes)
	}
	ins, err := ParseLabTableLimits(f.Filename, f.Data, lim)
	if err != nil {
		return nil, err
	}
	out := make([]*Sample, 0, len(ins))
	for i := range ins {
		sm, err := prepareSample(l, &ins[i])
		if err != nil {
			return nil, err
		}
		out = append(out, sm)
	}
	return out, s.storeSamples(ctx, l, out)
}
