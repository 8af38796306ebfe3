package web_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"os"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

func labUpload(t *testing.T, e *apitest.Env, id, name string, data []byte) *apitest.Response {
	t.Helper()
	tok := e.CSRF("baerum", apitest.OrgAdmin)
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("_csrf", tok)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	return e.Do(apitest.Request{Method: "POST", Path: "/t/baerum/listings/" + id + "/samples/import", Body: b.Bytes(),
		Header: map[string]string{"Content-Type": w.FormDataContentType(), "Cookie": "mf_csrf=" + tok + "; " + apitest.Cookie(apitest.OrgAdmin)}})
}

// TestLabImportPageK5: the listing page's hint says what a lab file may
// contain; a real Eurofins export imports through the UI; a refused file
// shows the listing again with each rejected row and column named in
// Norwegian.
func TestLabImportPageK5(t *testing.T) {
	e := apitest.New(t, "sqlite")
	id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
	page := string(e.Do(apitest.Request{Path: "/t/baerum/listings/" + id, As: apitest.OrgAdmin}).Body)
	for _, s := range []string{"Eurofins", "Arsen (As)", "Sum PAH(16) EPA", "mg/kg TS", "&lt;0,5"} {
		if !strings.Contains(page, s) && !strings.Contains(page, html.EscapeString(s)) {
			t.Errorf("the import hint does not mention %q", s)
		}
	}
	good, err := os.ReadFile("../core/market/testdata/eurofins_long.csv")
	if err != nil {
		t.Fatal(err)
	}
	if r := labUpload(t, e, id, "eurofins.csv", good); r.Status != 303 {
		t.Fatalf("a Eurofins export: %d %s", r.Status, r.Body)
	}
	bad := "Prøve;Parameter;Verdi;Enhet\nA;Arsen (As);3,2;mg/kg TS\nA;Arsn;4;mg/kg TS\nA;Bly (Pb);mye;mg/kg TS\n"
	r := labUpload(t, e, id, "lab.csv", []byte(bad))
	body := html.UnescapeString(string(r.Body))
	if r.Status != 422 || !strings.Contains(body, "Rad 3, kolonne B («Parameter»): parameteren «Arsn» er ikke i TA-2553-tabellen.") ||
		!strings.Contains(body, "Rad 4, kolonne C («Verdi»): «mye» er ikke et tall") {
		t.Fatalf("%d %s", r.Status, body)
	}
}
