package dialog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// The dialogs' domain tests call the service with a context carrying the
// actor: no HTTP, a database only, on both backends.

func TestMain(m *testing.M) { storetest.Main(m) }

// world: in Bærum, Fornebu Anlegg owns an open surplus with a private
// price, a draft and a closed listing; Sandvika Bygg (Ola, Per) has a need
// that matches; Lysaker (Lars) is a third organization; Nina represents
// nobody; a supervisor and a tenant admin watch. Rogaland has a listing of
// its own.
type world struct {
	db                           *store.DB
	s                            *Service
	m                            *market.Service
	blobs                        *storetest.MemBlobs
	tid                          string
	fornebu, sandvika, lysaker   string
	surplus, draft, closed, need string
	lysakerNeed, rogListing      string
	kari, ola, per, lars, nina   context.Context
	sup, admin, anyone           context.Context
	users                        map[string]*auth.User
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{db: db, blobs: &storetest.MemBlobs{}, users: map[string]*auth.User{}}
	w.m = &market.Service{DB: db, Directory: &directory.Service{DB: db}, Blobs: w.blobs}
	w.s = &Service{DB: db, Market: w.m, Blobs: w.blobs}
	w.m.Disclosures = w.s
	w.tid = storetest.Tenant(t, db, "baerum")
	rog := storetest.Tenant(t, db, "rogaland")
	w.fornebu, w.sandvika, w.lysaker = org(t, db, w.tid, "Fornebu Anlegg"), org(t, db, w.tid, "Sandvika Bygg"), org(t, db, w.tid, "Lysaker Transport")
	price := 120.0
	w.surplus = listing(t, db, w.tid, w.fornebu, "Sprengstein fra Fornebu", "surplus", market.StatusPublished, &price)
	w.draft = listing(t, db, w.tid, w.fornebu, "Utkast", "surplus", market.StatusDraft, nil)
	w.closed = listing(t, db, w.tid, w.fornebu, "Lukket", "surplus", market.StatusClosed, nil)
	w.need = listing(t, db, w.tid, w.sandvika, "Behov for fyllmasse", "need", market.StatusPublished, nil)
	w.lysakerNeed = listing(t, db, w.tid, w.lysaker, "Lysakers behov", "need", market.StatusPublished, nil)
	w.rogListing = listing(t, db, rog, org(t, db, rog, "Forus"), "Rogalands stein", "surplus", market.StatusPublished, nil)
	actor := func(email, name, orgID, role string, roles ...string) context.Context {
		u := storetest.User(t, db, email)
		u.Name = name
		if err := db.Tx(store.System(context.Background(), "test"), func(tx *gorm.DB) error { return tx.Model(u).Update("name", name).Error }); err != nil {
			t.Fatal(err)
		}
		w.users[email] = u
		a := storetest.As(u, roles...)
		if orgID != "" {
			member(t, db, w.tid, u.ID, orgID, role, "approved")
			a.Principal.Orgs[orgID] = role
		}
		return storetest.Ctx(w.tid, a)
	}
	w.kari = actor("kari@fornebu.no", "Kari Fornebu", w.fornebu, "admin", auth.RoleMember, auth.RoleOrgAdmin)
	w.ola = actor("ola@sandvika.no", "Ola Sandvika", w.sandvika, "member", auth.RoleMember)
	w.per = actor("per@sandvika.no", "Per Sandvika", w.sandvika, "member", auth.RoleMember)
	w.lars = actor("lars@lysaker.no", "Lars Lysaker", w.lysaker, "member", auth.RoleMember)
	w.nina = actor("nina@example.no", "Nina", "", "")
	w.sup = actor("tilsyn@example.no", "Tilsyn", "", "", auth.RoleSupervisor)
	w.admin = actor("admin@example.no", "Admin", "", "", auth.RoleTenantAdmin)
	w.anyone = storetest.Ctx(w.tid)
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

func member(t *testing.T, db *store.DB, tid, userID, orgID, role, status string) {
	t.Helper()
	m := &directory.Membership{ID: store.NewID(), UserID: userID, OrganizationID: orgID, Role: role, Status: status}
	if err := db.Tx(storetest.Ctx(tid), func(tx *gorm.DB) error { return tx.Create(m).Error }); err != nil {
		t.Fatal(err)
	}
}

func listing(t *testing.T, db *store.DB, tid, orgID, title, kind string, status market.Status, price *float64) string {
	t.Helper()
	now := db.Now()
	l := &market.Listing{ID: store.NewID(), OrganizationID: orgID, Kind: kind, Title: title, Fractions: directory.List{"sprengstein"},
		QuantityTonnes: 12345, QuantityValue: 12345, QuantityUnit: "t", AvailableFrom: now, AvailableTo: now.AddDate(1, 0, 0), Lat: 59.8955, Lon: 10.629,
		PriceNOKPerTonne: price, Transport: "seller_delivers", Status: status, Visibility: "public", CreatedAt: now, UpdatedAt: now}
	if err := db.Tx(storetest.Ctx(tid), func(tx *gorm.DB) error { return tx.Create(l).Error }); err != nil {
		t.Fatal(err)
	}
	return l.ID
}

// failure asserts err is a fail error of kind with code.
func failure(t *testing.T, err error, kind fail.Kind, code string) *fail.Error {
	t.Helper()
	e, ok := fail.As(err)
	if !ok || e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("got %v, want %v %s", err, kind, code)
	}
	return e
}

func (w *world) count(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := w.db.Read(store.System(context.Background(), "test"), func(tx *gorm.DB) error { return tx.Table(table).Count(&n).Error }); err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *world) open(t *testing.T) *Dialog {
	t.Helper()
	d, created, err := w.s.Open(w.ola, OpenInput{ListingID: w.surplus, MatchListingID: w.need, Text: "Hei! Er steinen ledig i mars?"})
	if err != nil || !created {
		t.Fatalf("open: %v (created %v)", err, created)
	}
	return d
}

// TestOpen: a member of another organization opens a dialog about an open
// listing, tied to the match; opening again returns the same dialog; every
// refusal changes nothing.
func TestOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.open(t)
		if d.OwnerOrgID != w.fornebu || d.CounterpartOrgID != w.sandvika || d.MatchListingID == nil || *d.MatchListingID != w.need ||
			d.Messages != 1 || d.Side != SideCounterpart || d.Unread != 0 || d.ListingTitle != "Sprengstein fra Fornebu" || d.OwnerName != "Fornebu Anlegg" {
			t.Fatalf("opened %+v", d)
		}
		again, created, err := w.s.Open(w.per, OpenInput{ListingID: w.surplus})
		if err != nil || created || again.ID != d.ID {
			t.Fatalf("second open: %v created=%v id=%s want %s", err, created, again.ID, d.ID)
		}
		dialogs, messages := w.count(t, "dialogs"), w.count(t, "dialog_messages")
		cases := []struct {
			name string
			ctx  context.Context
			in   OpenInput
			kind fail.Kind
			code string
		}{
			{"own organization", w.kari, OpenInput{ListingID: w.surplus}, fail.Invalid, "validation"},
			{"another tenant's listing", w.ola, OpenInput{ListingID: w.rogListing}, fail.NotFound, "not_found"},
			{"a draft", w.ola, OpenInput{ListingID: w.draft}, fail.NotFound, "not_found"},
			{"a closed listing", w.ola, OpenInput{ListingID: w.closed}, fail.Conflict, ""},
			{"no such listing", w.ola, OpenInput{ListingID: store.NewID()}, fail.NotFound, "not_found"},
			{"a malformed ID", w.ola, OpenInput{ListingID: "../etc"}, fail.NotFound, "not_found"},
			{"no listing", w.ola, OpenInput{}, fail.Invalid, "validation"},
			{"representing nobody", w.nina, OpenInput{ListingID: w.surplus}, fail.Forbidden, "not_member"},
			{"an organization not represented", w.ola, OpenInput{ListingID: w.surplus, OrganizationID: w.lysaker}, fail.Forbidden, "not_own_organization"},
			{"a match that is not one's own", w.lars, OpenInput{ListingID: w.surplus, MatchListingID: w.need}, fail.Invalid, "validation"},
			{"a huge first message", w.lars, OpenInput{ListingID: w.surplus, Text: strings.Repeat("stein ", 1000)}, fail.Invalid, "validation"},
			{"a control character", w.lars, OpenInput{ListingID: w.surplus, Text: "hei\x00"}, fail.Invalid, "validation"},
			{"a visitor", w.anyone, OpenInput{ListingID: w.surplus}, fail.Unauthorized, "unauthorized"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, _, err := w.s.Open(c.ctx, c.in)
				failure(t, err, c.kind, c.code)
			})
		}
		if got := w.count(t, "dialogs"); got != dialogs {
			t.Errorf("refusals wrote %d dialogs", got-dialogs)
		}
		if got := w.count(t, "dialog_messages"); got != messages {
			t.Errorf("refusals wrote %d messages", got-messages)
		}
		_, _, err = w.s.Open(w.ola, OpenInput{ListingID: w.surplus, Text: strings.Repeat("x", MaxText+1)})
		if e := failure(t, err, fail.Invalid, "validation"); len(e.Fields) != 1 || e.Fields[0].Pointer != "/text" {
			t.Errorf("fields %+v", e.Fields)
		}
		var opened int64
		_ = db.Read(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			return tx.Table("outbox").Where("type = ?", events.DialogOpened{}.EventType()).Count(&opened).Error
		})
		if opened != 1 {
			t.Errorf("%d DialogOpened events, want 1", opened)
		}
	})
}

// pngBytes is a one-pixel PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

// TestMessages: the two organizations' members write and read; others
// cannot; bad text and files are refused without writing anything;
// attachments come back as sent.
func TestMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.open(t)
		m, err := w.s.Post(w.kari, d.ID, PostInput{Text: "  Ja, fra uke 10.\r\nRing gjerne.  "}, nil)
		if err != nil || m.Seq != 2 || m.Text != "Ja, fra uke 10.\nRing gjerne." || m.AuthorOrgID != w.fornebu {
			t.Fatalf("post: %v %+v", err, m)
		}
		withFile, err := w.s.Post(w.ola, d.ID, PostInput{}, []*market.Upload{{Filename: "kart.png", Data: pngBytes}})
		if err != nil || len(withFile.Attachments) != 1 || withFile.Attachments[0].ContentType != "image/png" {
			t.Fatalf("attachment: %v %+v", err, withFile)
		}
		before, blobs := w.count(t, "dialog_messages"), w.blobs.Len()
		cases := []struct {
			name  string
			ctx   context.Context
			in    PostInput
			files []*market.Upload
			kind  fail.Kind
			code  string
		}{
			{"empty", w.ola, PostInput{Text: "   "}, nil, fail.Invalid, "validation"},
			{"huge", w.ola, PostInput{Text: strings.Repeat("æ", MaxText+1)}, nil, fail.Invalid, "validation"},
			{"not UTF-8", w.ola, PostInput{Text: "\xff\xfe"}, nil, fail.Invalid, "validation"},
			{"a PDF named .png", w.ola, PostInput{Text: "se vedlegg"}, []*market.Upload{{Filename: "kart.png", Data: []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n")}}, fail.UnsupportedType, "upload_mismatch"},
			{"an executable", w.ola, PostInput{Text: "se vedlegg"}, []*market.Upload{{Filename: "virus.exe", Data: []byte("MZ\x90\x00")}}, fail.UnsupportedType, "upload_type"},
			{"an empty file", w.ola, PostInput{Text: "se vedlegg"}, []*market.Upload{{Filename: "tom.png"}}, fail.BadRequest, "empty_body"},
			{"a good file after a bad one", w.ola, PostInput{Text: "to"}, []*market.Upload{{Filename: "kart.png", Data: pngBytes}, {Filename: "x.pdf", Data: pngBytes}}, fail.UnsupportedType, "upload_mismatch"},
			{"too many files", w.ola, PostInput{Text: "mange"}, []*market.Upload{{Filename: "1.png", Data: pngBytes}, {Filename: "2.png", Data: pngBytes}, {Filename: "3.png", Data: pngBytes}, {Filename: "4.png", Data: pngBytes}, {Filename: "5.png", Data: pngBytes}, {Filename: "6.png", Data: pngBytes}}, fail.Invalid, "validation"},
			{"a third organization", w.lars, PostInput{Text: "Hei"}, nil, fail.NotFound, "not_found"},
			{"someone representing nobody", w.nina, PostInput{Text: "Hei"}, nil, fail.NotFound, "not_found"},
			{"a supervisor", w.sup, PostInput{Text: "Hei"}, nil, fail.Forbidden, "dialog_content"},
			{"a tenant admin", w.admin, PostInput{Text: "Hei"}, nil, fail.Forbidden, "dialog_content"},
			{"a visitor", w.anyone, PostInput{Text: "Hei"}, nil, fail.Unauthorized, "unauthorized"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := w.s.Post(c.ctx, d.ID, c.in, c.files)
				failure(t, err, c.kind, c.code)
			})
		}
		if got := w.count(t, "dialog_messages"); got != before {
			t.Errorf("refusals wrote %d messages", got-before)
		}
		if w.blobs.Len() != blobs {
			t.Errorf("refusals left %d files", w.blobs.Len()-blobs)
		}
		// Oldest first, with authors, attachments; two pages walk them all.
		p1, err := w.s.Messages(w.kari, d.ID, page.Request{Limit: 2})
		if err != nil || len(p1.Items) != 2 || p1.NextCursor == "" || p1.Items[0].Seq != 1 || p1.Items[0].AuthorName != "Ola Sandvika" || p1.Items[1].AuthorOrgName != "Fornebu Anlegg" {
			t.Fatalf("page 1: %v %+v", err, p1)
		}
		p2, err := w.s.Messages(w.kari, d.ID, page.Request{Limit: 2, Cursor: p1.NextCursor})
		if err != nil || len(p2.Items) != 1 || p2.Items[0].Seq != 3 || len(p2.Items[0].Attachments) != 1 || p2.NextCursor != "" {
			t.Fatalf("page 2: %v %+v", err, p2)
		}
		at := p2.Items[0].Attachments[0]
		got, data, err := w.s.Attachment(w.kari, at.ID)
		if err != nil || !bytes.Equal(data, pngBytes) || got.Filename != "kart.png" {
			t.Fatalf("download: %v", err)
		}
		_, _, err = w.s.Attachment(w.lars, at.ID)
		failure(t, err, fail.NotFound, "not_found")
		_, _, err = w.s.Attachment(w.sup, at.ID)
		failure(t, err, fail.Forbidden, "dialog_content")
		_, err = w.s.Messages(w.lars, d.ID, page.Request{Limit: 10})
		failure(t, err, fail.NotFound, "not_found")
		_, err = w.s.Messages(w.kari, d.ID, page.Request{Limit: 10, Cursor: "garbage"})
		failure(t, err, fail.Invalid, "")
	})
}

// TestReadState: what each person has read, who of the other side has seen
// a message, and the list's order (unread first).
func TestReadState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.open(t)
		if _, err := w.s.Post(w.ola, d.ID, PostInput{Text: "Og hvor mye?"}, nil); err != nil {
			t.Fatal(err)
		}
		// A second dialog, about Lysaker's need, where Kari is the counterpart.
		other, _, err := w.s.Open(w.kari, OpenInput{ListingID: w.lysakerNeed})
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.s.Get(w.kari, d.ID)
		if err != nil || got.Unread != 2 || got.Side != SideOwner {
			t.Fatalf("kari before reading: %v %+v", err, got)
		}
		list, err := w.s.List(w.kari, Filter{}, page.Request{Limit: 10})
		if err != nil || len(list.Items) != 2 || list.Items[0].ID != d.ID || list.Items[1].ID != other.ID {
			t.Fatalf("list: unread first: %v %+v", err, list.Items)
		}
		ms, _ := w.s.Messages(w.ola, d.ID, page.Request{Limit: 10})
		if len(ms.Items[1].SeenBy) != 0 {
			t.Fatalf("seen before reading: %v", ms.Items[1].SeenBy)
		}
		if err := w.s.MarkRead(w.kari, d.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.s.Get(w.kari, d.ID); got.Unread != 0 {
			t.Fatalf("unread after reading: %d", got.Unread)
		}
		// Per (Ola's colleague) has read nothing: he sees both as unread.
		if got, _ := w.s.Get(w.per, d.ID); got.Unread != 2 {
			t.Fatalf("per: unread %d, want 2", got.Unread)
		}
		ms, _ = w.s.Messages(w.ola, d.ID, page.Request{Limit: 10})
		if strings.Join(ms.Items[1].SeenBy, ",") != "Kari Fornebu" {
			t.Fatalf("seen by %v, want Kari", ms.Items[1].SeenBy)
		}
		if err := w.s.MarkRead(w.sup, d.ID); err == nil {
			t.Error("a supervisor marked a dialog read")
		}
		if n, _ := w.s.UnreadDialogs(w.kari); n != 0 {
			t.Errorf("kari's unread dialogs %d", n)
		}
		if n, _ := w.s.UnreadDialogs(w.per); n != 1 {
			t.Errorf("per's unread dialogs %d", n)
		}
	})
}

// TestLeaving: messages stay, with their author, when the author leaves the
// organization; the author can then neither write nor read there.
func TestLeaving(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.open(t)
		if _, err := w.s.Post(w.per, d.ID, PostInput{Text: "Jeg slutter snart, Ola tar over."}, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			return tx.Model(&directory.Membership{}).Where("user_id = ?", w.users["per@sandvika.no"].ID).Updates(map[string]any{"status": "ended", "ended_at": db.Now()}).Error
		}); err != nil {
			t.Fatal(err)
		}
		_, err := w.s.Post(w.per, d.ID, PostInput{Text: "En siste ting"}, nil)
		failure(t, err, fail.Forbidden, "former_member")
		_, err = w.s.Messages(w.per, d.ID, page.Request{Limit: 10})
		failure(t, err, fail.Forbidden, "former_member")
		ms, err := w.s.Messages(w.kari, d.ID, page.Request{Limit: 10})
		if err != nil || len(ms.Items) != 2 || ms.Items[1].AuthorName != "Per Sandvika" || ms.Items[1].AuthorOrgName != "Sandvika Bygg" {
			t.Fatalf("messages after leaving: %v %+v", err, ms.Items)
		}
	})
}

// TestObserver: supervisors and tenant admins see that a dialog exists,
// never its content.
func TestObserver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.open(t)
		for _, ctx := range []context.Context{w.sup, w.admin} {
			list, err := w.s.List(ctx, Filter{}, page.Request{Limit: 10})
			if err != nil || len(list.Items) != 1 || list.Items[0].ID != d.ID || list.Items[0].Side != "" || list.Items[0].Messages != 1 {
				t.Fatalf("observer list: %v %+v", err, list.Items)
			}
			got, err := w.s.Get(ctx, d.ID)
			if err != nil || got.OwnerName != "Fornebu Anlegg" || got.CounterpartName != "Sandvika Bygg" || got.Side != "" {
				t.Fatalf("observer get: %v %+v", err, got)
			}
			_, err = w.s.Messages(ctx, d.ID, page.Request{Limit: 10})
			failure(t, err, fail.Forbidden, "dialog_content")
			_, err = w.s.Recent(ctx, d.ID, 10, 0)
			failure(t, err, fail.Forbidden, "dialog_content")
			_, err = w.s.History(ctx, d.ID)
			failure(t, err, fail.Forbidden, "dialog_content")
			_, err = w.s.SetDisclosure(ctx, d.ID, true)
			failure(t, err, fail.Forbidden, "dialog_content")
		}
		// The observer's list pages through every dialog, once each.
		if _, _, err := w.s.Open(w.kari, OpenInput{ListingID: w.lysakerNeed}); err != nil {
			t.Fatal(err)
		}
		seen, cursor := map[string]bool{}, ""
		for i := 0; i < 5; i++ {
			p, err := w.s.List(w.sup, Filter{}, page.Request{Limit: 1, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range p.Items {
				if seen[x.ID] {
					t.Fatalf("dialog %s listed twice", x.ID)
				}
				seen[x.ID] = true
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != 2 {
			t.Fatalf("the observer's pages hold %d dialogs, want 2", len(seen))
		}
		// Others do not find it at all; a third organization lists only its own.
		_, err := w.s.Get(w.lars, d.ID)
		failure(t, err, fail.NotFound, "not_found")
		if list, err := w.s.List(w.lars, Filter{}, page.Request{Limit: 10}); err != nil || len(list.Items) != 1 || list.Items[0].ID == d.ID {
			t.Fatalf("lars sees %v %v, want only the dialog about his own listing", list.Items, err)
		}
		if list, err := w.s.List(w.nina, Filter{}, page.Request{Limit: 10}); err != nil || len(list.Items) != 0 {
			t.Fatalf("nina sees %v %v", list.Items, err)
		}
		_, err = w.s.List(w.anyone, Filter{}, page.Request{Limit: 10})
		failure(t, err, fail.Unauthorized, "unauthorized")
		// Another tenant's context does not find it.
		rogCtx := storetest.Ctx(storetest.Tenant(t, db, "agder"), storetest.As(w.users["tilsyn@example.no"], auth.RoleSupervisor))
		_, err = w.s.Get(rogCtx, d.ID)
		failure(t, err, fail.NotFound, "not_found")
	})
}

func price(t *testing.T, w *world, ctx context.Context) *float64 {
	t.Helper()
	l, err := w.m.Get(ctx, w.surplus)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.m.ViewFor(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	switch x := v.(type) {
	case *market.Listing:
		return x.PriceNOKPerTonne
	case market.PublicView:
		return x.PriceNOKPerTonne
	}
	t.Fatalf("view %T", v)
	return nil
}

// TestDisclosure (B6): the owner reveals the exact values and the price to
// one counterpart, and takes it back; a third organization never sees the
// price; each change is recorded and announced.
func TestDisclosure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.open(t)
		if p := price(t, w, w.ola); p != nil {
			t.Fatalf("counterpart sees the private price %v before disclosure", *p)
		}
		_, err := w.s.SetDisclosure(w.ola, d.ID, true)
		failure(t, err, fail.Forbidden, "not_owner")
		got, err := w.s.SetDisclosure(w.kari, d.ID, true)
		if err != nil || !got.Disclosed || got.DisclosedAt == nil {
			t.Fatalf("grant: %v %+v", err, got)
		}
		if p := price(t, w, w.ola); p == nil || *p != 120 {
			t.Fatalf("counterpart price after disclosure %v, want 120", p)
		}
		if p := price(t, w, w.per); p == nil || *p != 120 {
			t.Fatalf("counterpart's colleague price %v, want 120", p)
		}
		if p := price(t, w, w.lars); p != nil {
			t.Fatalf("a third organization sees the price %v", *p)
		}
		if p := price(t, w, w.anyone); p != nil {
			t.Fatalf("the public sees the price %v", *p)
		}
		if _, err := w.s.SetDisclosure(w.kari, d.ID, true); err != nil { // again: no new record
			t.Fatal(err)
		}
		if _, err := w.s.SetDisclosure(w.kari, d.ID, false); err != nil {
			t.Fatal(err)
		}
		if p := price(t, w, w.ola); p != nil {
			t.Fatalf("counterpart sees the price %v after it was taken back", *p)
		}
		h, err := w.s.History(w.ola, d.ID)
		if err != nil || len(h) != 2 || !h[0].Disclosed || h[1].Disclosed || h[0].ByName != "Kari Fornebu" {
			t.Fatalf("history: %v %+v", err, h)
		}
		var changed int64
		_ = db.Read(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			return tx.Table("outbox").Where("type = ?", events.DisclosureChanged{}.EventType()).Count(&changed).Error
		})
		if changed != 2 {
			t.Errorf("%d DisclosureChanged events, want 2", changed)
		}
	})
}

// TestTwoAtOnce: two people posting at the same moment each get their own
// number; none is lost.
func TestTwoAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.open(t)
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := 0; i < 10; i++ {
			for _, ctx := range []context.Context{w.kari, w.ola} {
				wg.Add(1)
				go func(ctx context.Context, i int) {
					defer wg.Done()
					_, err := w.s.Post(ctx, d.ID, PostInput{Text: fmt.Sprintf("melding %d", i)}, nil)
					errs <- err
				}(ctx, i)
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil && !errors.Is(err, context.Canceled) {
				if fe, ok := fail.As(err); !ok || fe.Kind != fail.Unavailable {
					t.Errorf("post: %v", err)
				}
			}
		}
		ms, err := w.s.Messages(w.kari, d.ID, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := w.s.Get(w.kari, d.ID)
		if got.Messages != len(ms.Items) {
			t.Fatalf("dialog counts %d messages, %d stored", got.Messages, len(ms.Items))
		}
		for i, m := range ms.Items {
			if m.Seq != i+1 {
				t.Fatalf("message %d has number %d", i, m.Seq)
			}
		}
		if len(ms.Items) != 21 {
			t.Errorf("%d of 21 messages stored", len(ms.Items))
		}
	})
}

// TestNotifyOnPost: a message notifies the other organization's members,
// never its author's side, once however often the event is delivered; the
// recipients' notifications of a dialog are read when they read it.
func TestNotifyOnPost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.open(t)
		m, err := w.s.Post(w.kari, d.ID, PostInput{Text: "Ja, fra uke 10."}, nil)
		if err != nil {
			t.Fatal(err)
		}
		e := events.MessagePosted{DialogID: d.ID, MessageID: m.ID, AuthorID: w.users["kari@fornebu.no"].ID, AuthorOrgID: w.fornebu, ToOrgID: w.sandvika}
		env := events.Envelope{TenantID: w.tid, At: time.Now(), Event: e}
		for i := 0; i < 2; i++ {
			if err := w.s.onPosted(storetest.Ctx(w.tid), env, e); err != nil {
				t.Fatal(err)
			}
		}
		var notes []notify.Entry
		_ = db.Read(storetest.Ctx(w.tid), func(tx *gorm.DB) error { return tx.Order("user_id").Find(&notes).Error })
		if len(notes) != 2 {
			t.Fatalf("%d notes, want 2 (Ola and Per)", len(notes))
		}
		for _, n := range notes {
			if n.UserID != w.users["ola@sandvika.no"].ID && n.UserID != w.users["per@sandvika.no"].ID {
				t.Errorf("note to %s", n.UserID)
			}
			v := n.Values()
			if n.Link != Link(d.ID) || v["Author"] != "Kari Fornebu" || v["Listing"] != "Sprengstein fra Fornebu" || v["Excerpt"] != "Ja, fra uke 10." {
				t.Errorf("note %+v %v", n, v)
			}
		}
		if err := w.s.MarkRead(w.ola, d.ID); err != nil {
			t.Fatal(err)
		}
		var unread int64
		_ = db.Read(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			return tx.Model(&notify.Entry{}).Where("user_id = ? AND read_at IS NULL", w.users["ola@sandvika.no"].ID).Count(&unread).Error
		})
		if unread != 0 {
			t.Errorf("ola has %d unread notes after reading the dialog", unread)
		}
	})
}

// TestFirstReadTwiceAtOnce: two tabs opening a dialog for the first time
// mark it read at the same moment; both succeed and one read mark exists
// (on Postgres the second insert used to fail with a unique violation).
func TestFirstReadTwiceAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.open(t)
		errs := make(chan error, 8)
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); errs <- w.s.MarkRead(w.kari, d.ID) }()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil && !store.IsBusy(err) {
				t.Errorf("a first read: %v", err)
			}
		}
		var marks int64
		if err := db.Read(store.System(context.Background(), "test"), func(tx *gorm.DB) error {
			return tx.Table("dialog_reads").Where("dialog_id = ? AND user_id = ?", d.ID, w.users["kari@fornebu.no"].ID).Count(&marks).Error
		}); err != nil || marks != 1 {
			t.Fatalf("kari's read marks: %d %v", marks, err)
		}
	})
}
