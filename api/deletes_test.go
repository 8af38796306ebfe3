package api_test

import (
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

const tinyPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// filesOnDisk counts the stored files (the blob store's directory).
func filesOnDisk(t *testing.T, e *apitest.Env) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(e.App.Config.DataDir, "uploads"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDeleteSiteL5: deleting a site with listings or documents needs an
// organization admin, says what goes (409 with the counts unless
// ?confirm=1; a confirmation page in the UI), and removes the documents'
// files through the cascade; so does deleting an organization. No file is
// left on disk without its document.
func TestDeleteSiteL5(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		T := "/api/v1/tenants/baerum"
		same := map[string]string{"Sec-Fetch-Site": "same-origin"}
		do := func(method, path, as string, body any) *apitest.Response {
			return e.Do(apitest.Request{Method: method, Path: path, As: as, Body: body, Header: same})
		}
		upload := func(listing, as, name string) {
			t.Helper()
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			_ = w.WriteField("kind", "analysis_report")
			fw, _ := w.CreateFormFile("file", name)
			_, _ = fw.Write([]byte(tinyPDF))
			_ = w.Close()
			r := e.Do(apitest.Request{Method: "POST", Path: T + "/listings/" + listing + "/documents", As: as, Body: b.Bytes(), Header: map[string]string{"Content-Type": w.FormDataContentType(), "Sec-Fetch-Site": "same-origin"}})
			if r.Status != 201 {
				t.Fatalf("upload: %d %s", r.Status, r.Body)
			}
		}
		noOrphans := func(when string) {
			t.Helper()
			if files, docs := filesOnDisk(t, e), int(e.Count("baerum", "documents", "")); files != docs {
				t.Fatalf("%s: %d files on disk for %d documents", when, files, docs)
			}
		}

		// A member (not an admin) of Sandvika Bygg makes a site with a
		// listing and a document.
		sandvika := e.OrgID("baerum", "sandvika-bygg")
		r := do("POST", T+"/organizations/"+sandvika+"/sites", apitest.Member, map[string]any{"kind": "project", "name": "Slettetomta", "phase": "idea", "lat": 59.9, "lon": 10.6})
		if r.Status != 201 {
			t.Fatalf("site: %d %s", r.Status, r.Body)
		}
		var site struct{ ID string }
		r.JSON(t, &site)
		r = do("POST", T+"/listings", apitest.Member, map[string]any{"kind": "surplus", "title": "Leire fra slettetomta", "organization_id": sandvika, "site_id": site.ID, "fractions": []string{"sand"}, "quantity": 100, "unit": "t", "available_from": apitest.Month(2), "available_to": apitest.Month(7), "lat": 59.9, "lon": 10.6, "transport": "buyer_collects"})
		if r.Status != 201 {
			t.Fatalf("listing: %d %s", r.Status, r.Body)
		}
		var listing struct{ ID string }
		r.JSON(t, &listing)
		upload(listing.ID, apitest.Member, "prøvesvar.pdf")
		before := filesOnDisk(t, e)
		if before == 0 {
			t.Fatal("no file stored")
		}
		noOrphans("after upload")

		// The member may not delete it, confirmed or not.
		apitest.Problem(t, do("DELETE", T+"/sites/"+site.ID, apitest.Member, nil), 403, "org_admin_required")
		apitest.Problem(t, do("DELETE", T+"/sites/"+site.ID+"?confirm=1", apitest.Member, nil), 403, "org_admin_required")
		// An admin is told what goes.
		p := apitest.Problem(t, do("DELETE", T+"/sites/"+site.ID, apitest.TenantAdmin, nil), 409, "confirm_delete")
		if !strings.Contains(p.Title, "1 annonse") || !strings.Contains(p.Title, "1 dokument") {
			t.Fatalf("the 409 does not count what goes: %q", p.Title)
		}
		page := e.Do(apitest.Request{Path: "/t/baerum/sites/" + site.ID + "/delete", As: apitest.TenantAdmin})
		if page.Status != 200 || !strings.Contains(string(page.Body), "Leire fra slettetomta") || !strings.Contains(string(page.Body), "prøvesvar.pdf") || !strings.Contains(string(page.Body), `name="confirm" value="1"`) {
			t.Fatalf("confirmation page: %d", page.Status)
		}
		memberPage := e.Do(apitest.Request{Path: "/t/baerum/sites/" + site.ID + "/delete", As: apitest.Member})
		if memberPage.Status != 200 || strings.Contains(string(memberPage.Body), `name="confirm"`) {
			t.Fatalf("a member is offered the delete: %d", memberPage.Status)
		}
		if filesOnDisk(t, e) != before || e.Count("baerum", "listings", "id = ?", listing.ID) != 1 {
			t.Fatal("an unconfirmed delete removed something")
		}
		// Confirmed in the UI: the site, its listing, its document and the file go.
		if r := e.PostForm("/t/baerum/sites/"+site.ID+"/delete", apitest.TenantAdmin, url.Values{"confirm": {"1"}}); r.Status != 303 {
			t.Fatalf("confirmed delete: %d %s", r.Status, r.Body)
		}
		if e.Count("baerum", "sites", "id = ?", site.ID) != 0 || e.Count("baerum", "listings", "id = ?", listing.ID) != 0 || e.Count("baerum", "documents", "listing_id = ?", listing.ID) != 0 {
			t.Fatal("the site or what it had is still there")
		}
		if got := filesOnDisk(t, e); got != before-1 {
			t.Fatalf("files on disk: %d, want %d", got, before-1)
		}
		noOrphans("after the site's delete")

		// An empty site: a member may delete it, no confirmation needed.
		r = do("POST", T+"/organizations/"+sandvika+"/sites", apitest.Member, map[string]any{"kind": "project", "name": "Tom tomt", "phase": "idea", "lat": 59.9, "lon": 10.6})
		r.JSON(t, &site)
		if r := do("DELETE", T+"/sites/"+site.ID, apitest.Member, nil); r.Status != 204 {
			t.Fatalf("empty site: %d %s", r.Status, r.Body)
		}

		// An organization: its listings' files go with it.
		fornebu := e.OrgID("baerum", "fornebu-anlegg")
		fl := e.FirstID("baerum", "listings", "organization_id = ?", fornebu)
		upload(fl, apitest.OrgAdmin, "analyse.pdf")
		upload(fl, apitest.OrgAdmin, "analyse2.pdf")
		docs := int(e.Count("baerum", "documents", "listing_id IN (SELECT id FROM listings WHERE organization_id = ?)", fornebu))
		before = filesOnDisk(t, e)
		apitest.Problem(t, do("DELETE", T+"/organizations/"+fornebu, apitest.OrgAdmin, nil), 409, "confirm_delete")
		if r := do("DELETE", T+"/organizations/"+fornebu+"?confirm=1", apitest.OrgAdmin, nil); r.Status != 204 {
			t.Fatalf("organization: %d %s", r.Status, r.Body)
		}
		if got := filesOnDisk(t, e); got != before-docs || docs < 2 {
			t.Fatalf("files on disk after the organization's delete: %d, want %d (%d documents)", got, before-docs, docs)
		}
		noOrphans("after the organization's delete")
	})
}
