package app_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestEveryBlobTableIsSwept: every table with a blob_key column is one the
// orphan sweep asks, so it never removes a file a row still names.
func TestEveryBlobTableIsSwept(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		swept := map[string]bool{}
		for _, tb := range app.BlobTables {
			swept[tb] = true
		}
		found := 0
		err := e.App.DB.Read(store.System(context.Background(), "test: the schema"), func(tx *gorm.DB) error {
			tables, err := tx.Migrator().GetTables()
			if err != nil {
				return err
			}
			for _, tb := range tables {
				if !tx.Migrator().HasColumn(tb, "blob_key") {
					continue
				}
				found++
				if !swept[tb] {
					t.Errorf("%s has a blob_key column but is not in app.BlobTables: the sweep would remove its files", tb)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if found != len(app.BlobTables) {
			t.Errorf("%d tables have blob_key, app.BlobTables names %d: %v", found, len(app.BlobTables), app.BlobTables)
		}
	})
}

// TestOrphanedFilesAreSwept: a file no row names goes once older than the
// grace period; a named one and a young one stay; a listing's document
// whose row was removed without its file (a crash) goes.
func TestOrphanedFilesAreSwept(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		st := e.App.Blobs.Store
		// A document, uploaded as a user would.
		listing := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.WriteField("kind", "analysis_report")
		fw, _ := w.CreateFormFile("file", "analyse.pdf")
		_, _ = fw.Write([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
		_ = w.Close()
		r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + listing + "/documents", As: apitest.OrgAdmin, Body: b.Bytes(), Header: map[string]string{"Content-Type": w.FormDataContentType()}})
		if r.Status != 201 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		var named string
		if err := e.App.DB.Read(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return tx.Table("documents").Where("listing_id = ?", listing).Order("created_at DESC").Limit(1).Pluck("blob_key", &named).Error
		}); err != nil || named == "" {
			t.Fatalf("the document's key: %q %v", named, err)
		}
		// A crash left a file whose row never committed, and a second
		// document lost its row but not its file.
		for _, k := range []string{"t1/orphan-a", "t1/dialogs/orphan-b"} {
			if err := st.Put(ctx, k, strings.NewReader("x")); err != nil {
				t.Fatal(err)
			}
		}
		has := func(k string) bool {
			rc, err := st.Get(ctx, k)
			if err != nil {
				return false
			}
			rc.Close()
			return true
		}
		// Now: every file is younger than the grace period; nothing goes.
		sw := *e.App.Blobs
		n, err := sw.Sweep(ctx)
		if err != nil || n.Removed != 0 || n.Seen < 3 {
			t.Fatalf("young files: %+v %v", n, err)
		}
		// Two hours on: the two orphans go, the named file stays.
		sw.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
		n, err = sw.Sweep(ctx)
		if err != nil || n.Removed != 2 {
			t.Fatalf("sweep: %+v %v", n, err)
		}
		if has("t1/orphan-a") || has("t1/dialogs/orphan-b") || !has(named) {
			t.Fatalf("after the sweep: orphan-a %v, orphan-b %v, the document %v", has("t1/orphan-a"), has("t1/dialogs/orphan-b"), has(named))
		}
		rc, err := st.Get(ctx, named)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.HasPrefix(body, []byte("%PDF")) {
			t.Fatal("the named file changed")
		}
		// A reference query that fails removes nothing.
		if err := st.Put(ctx, "t1/orphan-c", strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
		sw.Tables = append([]string{"no_such_table"}, sw.Tables...)
		if _, err := sw.Sweep(ctx); err == nil || !has("t1/orphan-c") {
			t.Fatalf("a failing reference query: %v, orphan-c kept %v", err, has("t1/orphan-c"))
		}
	})
}
