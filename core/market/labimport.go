package market

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/core/fail"
)

// Column names a lab export may use (Norwegian or English, any case).
var importCols = map[string][]string{
	"sample":    {"prøve", "prove", "sample", "prøvenavn", "sample id"},
	"parameter": {"parameter", "analytt", "analyte", "stoff"},
	"value":     {"verdi", "value", "resultat", "result"},
	"unit":      {"enhet", "unit"},
}

// ParseLabTable reads a long-format lab table (one row per sample and
// parameter) from CSV (comma or semicolon) or XLSX and returns one sample
// input per sample name, in order. Errors name the row.
func ParseLabTable(name string, data []byte) ([]SampleInput, error) {
	var rows [][]string
	switch {
	case strings.HasSuffix(strings.ToLower(name), ".xlsx"):
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, fail.New(fail.UnsupportedType, "upload_mismatch", "ErrDocumentMismatch", "Name", name)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, labErr(0, "ErrLabEmpty")
		}
		if rows, err = f.GetRows(sheets[0]); err != nil {
			return nil, err
		}
	case strings.HasSuffix(strings.ToLower(name), ".csv"):
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		if bytes.Count(data, []byte(";")) > bytes.Count(data, []byte(",")) {
			r.Comma = ';'
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, labErr(len(rows)+1, "ErrLabRow")
			}
			rows = append(rows, rec)
		}
	default:
		return nil, fail.New(fail.UnsupportedType, "upload_type", "ErrLabFileType")
	}
	if len(rows) < 2 {
		return nil, labErr(0, "ErrLabEmpty")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		for key, names := range importCols {
			for _, n := range names {
				if h == n {
					col[key] = i
				}
			}
		}
	}
	for _, key := range []string{"sample", "parameter", "value", "unit"} {
		if _, ok := col[key]; !ok {
			return nil, labErr(1, "ErrLabColumns")
		}
	}
	var out []SampleInput
	idx := map[string]int{}
	for n, rec := range rows[1:] {
		get := func(k string) string {
			if col[k] < len(rec) {
				return strings.TrimSpace(rec[col[k]])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		sample, param, unit := get("sample"), get("parameter"), get("unit")
		raw := strings.ReplaceAll(strings.TrimPrefix(get("value"), "<"), ",", ".") // "<0.01" below detection counts as the limit
		value, err := strconv.ParseFloat(raw, 64)
		if err != nil || sample == "" || param == "" {
			return nil, labErr(n+2, "ErrLabRow")
		}
		i, ok := idx[sample]
		if !ok {
			i = len(out)
			idx[sample] = i
			out = append(out, SampleInput{Name: sample})
		}
		out[i].Values = append(out[i].Values, SampleValue{param, value, unit})
	}
	if len(out) == 0 {
		return nil, labErr(0, "ErrLabEmpty")
	}
	return out, nil
}

func labErr(row int, msg string) error {
	v := &fail.Validation{}
	v.Add("file", "row_"+strconv.Itoa(row), msg, "Row", row)
	return v.Err()
}

// ImportSamples adds every sample of a lab table (CSV or XLSX, f.Filename
// decides) to a listing the actor may change, all or nothing. Who may
// import is decided before the file is looked at.
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
	if len(f.Data) > MaxDocument {
		return nil, errTooLarge()
	}
	ins, err := ParseLabTable(f.Filename, f.Data)
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
