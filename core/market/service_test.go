package market_test

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"strconv"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// The market's domain tests call the service with a context carrying the
// actor: no HTTP, a database only.

func TestMain(m *testing.M) { storetest.Main(m) }

// world is a tenant with two organizations, the owner's member, another
// organization's member, a supervisor and a visitor.
type world struct {
	s                            *market.Service
	db                           *store.DB
	tid, own, other              string
	owner, outsider, sup, anyone context.Context
}

func newWorld(t *testing.T, db *store.DB) *world {
	w := &world{db: db, s: &market.Service{DB: db, Directory: &directory.Service{DB: db}, Blobs: &storetest.MemBlobs{}}}
	w.tid = storetest.Tenant(t, db, "baerum")
	w.own, w.other = org(t, db, w.tid, "Fornebu Anlegg"), org(t, db, w.tid, "Sandvika Bygg")
	kari := storetest.As(storetest.User(t, db, "kari@example.no"), auth.RoleMember)
	kari.Principal.Orgs[w.own] = "admin"
	ola := storetest.As(storetest.User(t, db, "ola@example.no"), auth.RoleMember)
	ola.Principal.Orgs[w.other] = "member"
	sup := storetest.As(storetest.User(t, db, "tilsyn@example.no"), auth.RoleSupervisor)
	w.owner, w.outsider, w.sup, w.anyone = storetest.Ctx(w.tid, kari), storetest.Ctx(w.tid, ola), storetest.Ctx(w.tid, sup), storetest.Ctx(w.tid)
	return w
}

func org(t *testing.T, db *store.DB, tid, name string) string {
	t.Helper()
	o := &directory.Organization{ID: store.NewID(), OrgNumber: strconv.Itoa(900000000 + len(name)), Name: name, Kinds: directory.List{"contractor"}, Services: directory.List{}}
	if err := db.Tx(storetest.Ctx(tid), func(tx *gorm.DB) error { return tx.Create(o).Error }); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func ptr[T any](v T) *T { return &v }

func month(n int) string {
	return storetest.DefaultClock().Now().UTC().AddDate(0, n, 0).Format("2006-01")
}

// surplus is a valid listing input of orgID.
func surplus(orgID, title string, tonnes float64) *market.ListingInput {
	return &market.ListingInput{Kind: ptr("surplus"), Title: ptr(title), OrganizationID: ptr(orgID), Fractions: &[]string{"sprengstein"},
		Quantity: ptr(tonnes), Unit: ptr("t"), AvailableFrom: ptr(month(1)), AvailableTo: ptr(month(12)), Lat: ptr(59.9), Lon: ptr(10.6), Transport: ptr("seller_delivers")}
}

func failure(t *testing.T, err error, kind fail.Kind, code string) *fail.Error {
	t.Helper()
	e, ok := fail.As(err)
	if !ok || e.Kind != kind || e.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	return e
}

func TestCreateAndRowRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		l, err := w.s.Create(w.owner, surplus(w.own, "Sprengstein", 1000))
		if err != nil {
			t.Fatal(err)
		}
		if l.Status != market.StatusDraft || l.QuantityTonnes != 1000 || l.OrganizationName != "Fornebu Anlegg" {
			t.Fatalf("created %+v", l)
		}
		// Another organization's member cannot create for the owner, nor see
		// or change its draft; the supervisor sees it and changes nothing.
		_, err = w.s.Create(w.outsider, surplus(w.own, "Sprengstein", 1000))
		failure(t, err, fail.Forbidden, "not_own_organization")
		_, err = w.s.Get(w.outsider, l.ID)
		failure(t, err, fail.NotFound, "not_found")
		_, err = w.s.Update(w.outsider, l.ID, &market.ListingInput{Title: ptr("Mine")})
		failure(t, err, fail.NotFound, "not_found")
		if got, err := w.s.Get(w.sup, l.ID); err != nil || market.AccessTo(w.sup, got) != market.Full {
			t.Fatalf("supervisor: %v", err)
		}
		_, err = w.s.Update(w.sup, l.ID, &market.ListingInput{Title: ptr("Tilsyn")})
		failure(t, err, fail.Forbidden, "not_own_organization")
		// Invalid input names its fields as JSON pointers; nothing is saved.
		bad := surplus(w.own, "", -1)
		_, err = w.s.Create(w.owner, bad)
		e := failure(t, err, fail.Invalid, "validation")
		ptrs := map[string]bool{}
		for _, f := range e.Fields {
			ptrs[f.Pointer] = true
		}
		if !ptrs["/title"] || !ptrs["/quantity"] {
			t.Fatalf("fields %+v", e.Fields)
		}
		// Published, the public sees the privacy-preserving view.
		if _, err := w.s.Publish(w.owner, l.ID); err != nil {
			t.Fatal(err)
		}
		got, err := w.s.Get(w.anyone, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := market.View(w.anyone, got).(market.PublicView); !ok || v.Area.Exact {
			t.Fatalf("public view %#v", market.View(w.anyone, got))
		}
	})
}

func TestStatusChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		l, err := w.s.Create(w.owner, surplus(w.own, "Morene", 500))
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.s.SetStatus(w.owner, l.ID, market.StatusFullyMatched)
		if e := failure(t, err, fail.Conflict, "conflict"); e.MsgID != "ErrListingAgreedBySigning" {
			t.Fatalf("draft → fully matched: %s", e.MsgID)
		}
		for _, step := range []struct {
			do   func(context.Context, string) (*market.Listing, error)
			want market.Status
		}{{w.s.Publish, market.StatusPublished}, {w.s.Close, market.StatusClosed}} { // partly and fully agreed follow from agreements (core/agreement)
			got, err := step.do(w.owner, l.ID)
			if err != nil || got.Status != step.want {
				t.Fatalf("%s: %v %v", step.want, got, err)
			}
		}
		_, err = w.s.Publish(w.owner, l.ID)
		if e := failure(t, err, fail.Conflict, "conflict"); e.MsgID != "ErrListingClosed" {
			t.Fatalf("closed → published: %s", e.MsgID)
		}
	})
}

// TestListPages walks every sort order a page at a time: each listing once,
// in order, the last page without a cursor.
func TestListPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		const n = 11
		for i := 0; i < n; i++ {
			in := surplus(w.own, "L"+strconv.Itoa(i), float64(100+(i%4)*100)) // equal quantities: the ID breaks ties
			in.AvailableFrom = ptr(month(1 + i%3))
			in.Lat, in.Lon = ptr(59.9+float64(i)*0.001), ptr(10.6)
			in.Publish = true
			if _, err := w.s.Create(w.owner, in); err != nil {
				t.Fatal(err)
			}
		}
		// A draft of another organization stays out of everyone else's pages.
		if _, err := w.s.Create(w.outsider, surplus(w.other, "Utkast", 100)); err != nil {
			t.Fatal(err)
		}
		for _, f := range []market.Filter{{}, {Sort: "quantity"}, {Sort: "distance", Near: &geo.Point{Lat: 59.9, Lon: 10.6}}} {
			t.Run("sort="+f.Sort, func(t *testing.T) {
				var seen []market.Listing
				r := page.Request{Limit: 4}
				for pages := 0; ; pages++ {
					p, err := w.s.List(w.anyone, f, r)
					if err != nil {
						t.Fatal(err)
					}
					seen = append(seen, p.Items...)
					if p.NextCursor == "" {
						break
					}
					if pages > n || len(p.Items) != 4 {
						t.Fatalf("page %d: %d items", pages, len(p.Items))
					}
					r.Cursor = p.NextCursor
				}
				ids := map[string]bool{}
				for _, l := range seen {
					if ids[l.ID] || l.Title == "Utkast" {
						t.Fatalf("listed twice or hidden: %s", l.Title)
					}
					ids[l.ID] = true
				}
				if len(seen) != n {
					t.Fatalf("%d listings walked, want %d", len(seen), n)
				}
				ordered := sort.SliceIsSorted(seen, func(i, j int) bool {
					a, b := seen[i], seen[j]
					switch f.Sort {
					case "quantity":
						return a.QuantityTonnes > b.QuantityTonnes || a.QuantityTonnes == b.QuantityTonnes && a.ID < b.ID
					case "distance":
						return a.Lat < b.Lat
					}
					return a.AvailableFrom.Before(b.AvailableFrom) || a.AvailableFrom.Equal(b.AvailableFrom) && a.ID < b.ID
				})
				if !ordered {
					t.Fatal("pages out of order")
				}
			})
		}
		if _, err := w.s.List(w.anyone, market.Filter{}, page.Request{Limit: 4, Cursor: "!!"}); err == nil {
			t.Fatal("a malformed cursor was accepted")
		}
		if _, err := market.ParseFilter(func(name string) string { return map[string]string{"sort": "distance"}[name] }); err == nil {
			t.Fatal("distance without a point was accepted")
		}
	})
}

func TestDocumentsAndSamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		l, err := w.s.Create(w.owner, surplus(w.own, "Sprengstein", 1000))
		if err != nil {
			t.Fatal(err)
		}
		pdf := []byte("%PDF-1.4\n%%EOF\n")
		_, err = w.s.UploadDocument(w.owner, l.ID, "analysis_report", &market.Upload{Filename: "bilde.png", Data: pdf})
		failure(t, err, fail.UnsupportedType, "upload_mismatch")
		_, err = w.s.UploadDocument(w.owner, l.ID, "analysis_report", nil)
		failure(t, err, fail.Invalid, "validation")
		d, err := w.s.UploadDocument(w.owner, l.ID, "analysis_report", &market.Upload{Filename: "analyse.pdf", ContentType: "image/png", Data: pdf})
		if err != nil || d.ContentType != "application/pdf" {
			t.Fatalf("upload: %+v %v", d, err)
		}
		_, data, err := w.s.OpenDocument(w.owner, d.ID)
		if err != nil || !bytes.Equal(data, pdf) {
			t.Fatalf("open: %v", err)
		}
		_, _, err = w.s.OpenDocument(w.outsider, d.ID) // a draft: not found for others
		failure(t, err, fail.NotFound, "not_found")
		failure(t, w.s.DeleteDocument(w.outsider, d.ID), fail.NotFound, "not_found")
		sm, err := w.s.AddSample(w.owner, l.ID, &market.SampleInput{Name: "PR-1", Values: []market.SampleValue{{Parameter: "pb", Value: 45, Unit: "mg/kg TS"}}})
		if err != nil || sm.Class < 1 {
			t.Fatalf("sample: %+v %v", sm, err)
		}
		ss, err := w.s.ImportSamples(w.owner, l.ID, &market.Upload{Filename: "lab.csv", Data: []byte("sample;parameter;value;unit\nPR-2;zn;180;mg/kg\n")})
		if err != nil || len(ss) != 1 {
			t.Fatalf("import: %v", err)
		}
		p, err := w.s.Samples(w.owner, l.ID, page.Request{Limit: 1})
		if err != nil || len(p.Items) != 1 || p.NextCursor == "" {
			t.Fatalf("first page: %+v %v", p, err)
		}
		p, err = w.s.Samples(w.owner, l.ID, page.Request{Limit: 1, Cursor: p.NextCursor})
		if err != nil || len(p.Items) != 1 || p.Items[0].Name != "PR-2" || p.NextCursor != "" {
			t.Fatalf("second page: %+v %v", p, err)
		}
		if err := w.s.DeleteDocument(w.owner, d.ID); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(func() error { _, _, err := w.s.OpenDocument(w.owner, d.ID); return err }(), fail.ErrNotFound) {
			t.Fatal("a deleted document is still there")
		}
	})
}
