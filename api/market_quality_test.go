package api_test

import (
	"bytes"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

func TestLabResults(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		path := "/api/v1/tenants/baerum/listings/" + id + "/samples"
		r := e.Do(apitest.Request{Method: "POST", Path: path, As: apitest.OrgAdmin, Body: map[string]any{"name": "PR-1", "lab": "Norsk Jordlab", "taken_on": apitest.Day(-56),
			"values": []map[string]any{{"parameter": "pb", "value": 45, "unit": "mg/kg TS"}, {"parameter": "PAH16", "value": 12000, "unit": "µg/kg"}, {"parameter": "zn", "value": 180, "unit": "mg/kg"}}}})
		if r.Status != 201 || !strings.Contains(string(r.Body), `"class":3`) || !strings.Contains(string(r.Body), `"deciding":["pah16"]`) {
			t.Fatalf("sample: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + id, As: apitest.OrgAdmin}); !strings.Contains(string(r.Body), `"contamination_class":3`) {
			t.Fatalf("listing class: %s", r.Body)
		}
		for name, values := range map[string][]map[string]any{
			"negative":      {{"parameter": "pb", "value": -1, "unit": "mg/kg"}},
			"wrong unit":    {{"parameter": "pb", "value": 1, "unit": "mg/l"}},
			"unknown param": {{"parameter": "gold", "value": 1, "unit": "mg/kg"}},
			"none":          {},
		} {
			if r := e.Do(apitest.Request{Method: "POST", Path: path, As: apitest.OrgAdmin, Body: map[string]any{"name": "X", "values": values}}); r.Status != 422 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if n := e.Count("baerum", "lab_samples", "listing_id = ?", id); n != 1 {
			t.Fatalf("%d samples saved", n)
		}
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path, As: apitest.Member, Body: map[string]any{"name": "X", "values": []map[string]any{{"parameter": "pb", "value": 1, "unit": "mg/kg"}}}}), 403, "not_own_organization")
	})
}

func marketMultipart(t *testing.T, kind, name string, data []byte) ([]byte, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if kind != "" {
		_ = w.WriteField("kind", kind)
	}
	if name != "" {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func TestDocuments(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		path := "/api/v1/tenants/baerum/listings/" + id + "/documents"
		up := func(as, kind, name string, data []byte) *apitest.Response {
			body, ct := marketMultipart(t, kind, name, data)
			return e.Do(apitest.Request{Method: "POST", Path: path, As: as, Body: body, Header: map[string]string{"Content-Type": ct}})
		}
		r := up(apitest.OrgAdmin, "analysis_report", "analyse PR-1.pdf", []byte(marketPDF))
		if r.Status != 201 || !strings.Contains(string(r.Body), `"content_type":"application/pdf"`) || !strings.Contains(string(r.Body), `"sha256":"`) {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		var d struct{ ID string }
		r.JSON(t, &d)
		before := e.Count("baerum", "documents", "")
		apitest.Problem(t, up(apitest.OrgAdmin, "photo", "bilde.pdf", []byte(marketPNG)), 415, "upload_mismatch")
		apitest.Problem(t, up(apitest.OrgAdmin, "photo", "bilde.png", []byte(marketPDF)), 415, "upload_mismatch")
		apitest.Problem(t, up(apitest.OrgAdmin, "other", "virus.exe", []byte("MZ\x90\x00")), 415, "upload_type")
		apitest.Problem(t, up(apitest.OrgAdmin, "other", "tabell.xlsx", []byte("PK\x03\x04 not a workbook")), 415, "upload_mismatch")
		apitest.Problem(t, up(apitest.OrgAdmin, "analysis_report", "stor.pdf", append([]byte(marketPDF), make([]byte, 21<<20)...)), 413, "too_large")
		apitest.Problem(t, up(apitest.OrgAdmin, "poem", "a.pdf", []byte(marketPDF)), 422, "validation")
		apitest.Problem(t, up(apitest.OrgAdmin, "other", "", nil), 422, "validation")
		apitest.Problem(t, up(apitest.Member, "analysis_report", "a.pdf", []byte(marketPDF)), 403, "not_own_organization")
		if e.Count("baerum", "documents", "") != before {
			t.Fatal("a refused upload was saved")
		}
		if r := up(apitest.OrgAdmin, "other", "prøver.csv", []byte("parameter;verdi;enhet\npb;45;mg/kg\n")); r.Status != 201 {
			t.Fatalf("csv: %d %s", r.Status, r.Body)
		}
		// Served only to members and the owner, with safe headers.
		apitest.Problem(t, e.Do(apitest.Request{Path: path}), 401, "unauthorized")
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/documents/" + d.ID}), 401, "unauthorized")
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/documents/" + d.ID, As: apitest.Member})
		if r.Status != 200 || string(r.Body) != marketPDF || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("download: %d %v", r.Status, r.Header)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/documents/" + d.ID, As: apitest.RogAdmin}), 404, "not_found")
		apitest.Problem(t, e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/documents/" + d.ID, As: apitest.Member}), 403, "not_own_organization")
		if r := e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/documents/" + d.ID, As: apitest.OrgAdmin}); r.Status != 204 {
			t.Fatalf("delete: %d", r.Status)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/documents/" + d.ID, As: apitest.Member}), 404, "not_found")
	})
}

func TestLabImport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		path := "/api/v1/tenants/baerum/listings/" + id + "/samples/import"
		send := func(name string, data []byte) *apitest.Response {
			body, ct := marketMultipart(t, "", name, data)
			return e.Do(apitest.Request{Method: "POST", Path: path, As: apitest.OrgAdmin, Body: body, Header: map[string]string{"Content-Type": ct}})
		}
		csvData := "Prøve;Parameter;Verdi;Enhet\nPR-1;pb;45;mg/kg TS\nPR-1;as;<2;mg/kg TS\nPR-2;pah16;9,5;mg/kg TS\nPR-2;zn;180;mg/kg TS\n"
		r := send("prøver.csv", []byte(csvData))
		if r.Status != 201 || strings.Count(string(r.Body), `"name":"PR-`) != 2 || !strings.Contains(string(r.Body), `"class":3`) {
			t.Fatalf("csv: %d %s", r.Status, r.Body)
		}
		// XLSX in English.
		x := excelize.NewFile()
		for i, row := range [][]any{{"Sample", "Parameter", "Value", "Unit"}, {"S-9", "cu", 150, "mg/kg"}, {"S-9", "hg", 0.3, "mg/kg"}} {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				_ = x.SetCellValue("Sheet1", cell, v)
			}
		}
		var xb bytes.Buffer
		_ = x.Write(&xb)
		if r := send("lab.xlsx", xb.Bytes()); r.Status != 201 || !strings.Contains(string(r.Body), `"class":2`) {
			t.Fatalf("xlsx: %d %s", r.Status, r.Body)
		}
		n := e.Count("baerum", "lab_samples", "listing_id = ?", id)
		// One bad row refuses the whole file.
		for name, data := range map[string]string{
			"wrong unit":   "sample,parameter,value,unit\nA,pb,4,mg/kg\nB,pb,4,mg/l\n",
			"negative":     "sample,parameter,value,unit\nA,pb,-4,mg/kg\n",
			"not a number": "sample,parameter,value,unit\nA,pb,lots,mg/kg\n",
			"no columns":   "a,b\n1,2\n",
			"empty":        "",
			"unknown":      "sample,parameter,value,unit\nA,gold,4,mg/kg\n",
		} {
			if r := send("x.csv", []byte(data)); r.Status != 422 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if r := send("x.txt", []byte("a")); r.Status != 415 {
			t.Errorf("txt: %d", r.Status)
		}
		if r := send("fake.xlsx", []byte("not a zip")); r.Status != 415 {
			t.Errorf("fake xlsx: %d", r.Status)
		}
		if e.Count("baerum", "lab_samples", "listing_id = ?", id) != n {
			t.Fatal("a refused import saved samples")
		}
	})
}

// Helpers of the market's API tests (named for the market, so other test
// files of the package may keep their own).

const marketPNG = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
