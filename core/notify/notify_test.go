package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// mailbox is a mailer that keeps what it sends; fail makes the next sends
// fail with the error.
type mailbox struct {
	mu   sync.Mutex
	sent []events.Message
	fail []error
}

func (b *mailbox) Send(_ context.Context, m events.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.fail) > 0 {
		err := b.fail[0]
		b.fail = b.fail[1:]
		return err
	}
	b.sent = append(b.sent, m)
	return nil
}

func (b *mailbox) all() []events.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]events.Message(nil), b.sent...)
}

type permanentErr struct{}

func (permanentErr) Error() string   { return "550 no such mailbox" }
func (permanentErr) Permanent() bool { return true }

// world: a region (default language Bokmål) with an organization of three
// people.
type world struct {
	db               *store.DB
	s                *Service
	box              *mailbox
	clock            *clock.Manual
	tid, org         string
	kari, ola, per   *auth.User
	kariC, olaC, ctx context.Context
}

func newWorld(t *testing.T, db *store.DB, mc *clock.Manual) *world {
	t.Helper()
	w := &world{db: db, box: &mailbox{}, clock: mc}
	w.tid = storetest.Tenant(t, db, "baerum")
	w.s = &Service{DB: db, Mailer: w.box, Regions: func(id string) (Region, bool) {
		return Region{Name: "Bærum ressursbank", Slug: "baerum", Locale: "nb", BaseURL: "https://baerum.masseflyt.test/t/baerum"}, id == w.tid
	}}
	w.ctx = storetest.Ctx(w.tid)
	o := &directory.Organization{ID: store.NewID(), OrgNumber: "987654321", Name: "Sandvika Bygg", Kinds: directory.List{"contractor"}, Services: directory.List{}}
	if err := db.Tx(w.ctx, func(tx *gorm.DB) error { return tx.Create(o).Error }); err != nil {
		t.Fatal(err)
	}
	w.org = o.ID
	for i, p := range []**auth.User{&w.kari, &w.ola, &w.per} {
		*p = storetest.User(t, db, []string{"kari", "ola", "per"}[i]+"@example.no")
		m := &directory.Membership{ID: store.NewID(), UserID: (*p).ID, OrganizationID: w.org, Role: "member", Status: "approved"}
		if err := db.Tx(w.ctx, func(tx *gorm.DB) error { return tx.Create(m).Error }); err != nil {
			t.Fatal(err)
		}
	}
	w.kariC = storetest.Ctx(w.tid, storetest.As(w.kari, auth.RoleMember))
	w.olaC = storetest.Ctx(w.tid, storetest.As(w.ola, auth.RoleMember))
	return w
}

func (w *world) note(t *testing.T, n Note) {
	t.Helper()
	if err := w.s.Notify(w.ctx, n); err != nil {
		t.Fatal(err)
	}
}

func (w *world) entries(t *testing.T, userID string) []Entry {
	t.Helper()
	var out []Entry
	if err := w.db.Read(w.ctx, func(tx *gorm.DB) error {
		return tx.Where("user_id = ?", userID).Order("created_at, id").Find(&out).Error
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// deliver hands every NoteCreated and DigestDue in the outbox to the
// subscribers, as the dispatcher would (twice: at least once means maybe
// twice).
func (w *world) deliver(t *testing.T) {
	t.Helper()
	type row struct{ Type, Payload string }
	var rows []row
	if err := w.db.Read(w.ctx, func(tx *gorm.DB) error {
		return tx.Table("outbox").Select("type, payload").Where("type IN ?", []string{"notify.note_created", "notify.digest_due"}).Order("created_at").Scan(&rows).Error
	}); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 2; round++ {
		for _, r := range rows {
			env := events.Envelope{TenantID: w.tid}
			var err error
			switch r.Type {
			case "notify.note_created":
				err = w.s.onNote(w.ctx, env, decode[events.NoteCreated](t, r.Payload))
			case "notify.digest_due":
				err = w.s.onDigest(w.ctx, env, decode[events.DigestDue](t, r.Payload))
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

func decode[T any](t *testing.T, payload string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(payload), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

var osloMorning = time.Date(2030, 1, 15, 5, 0, 0, 0, time.UTC) // 06:00 in Oslo

// TestNotifyAndMail: a note reaches the organization's members but the
// author, once per source; each is mailed by its person's preference and in
// their language; a second delivery sends nothing twice.
func TestNotifyAndMail(t *testing.T) {
	mc := clock.NewManual(osloMorning)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, mc)
		if _, err := w.s.SetPreferences(w.olaC, Preferences{Mail: MailEach, Locale: "nn"}); err != nil {
			t.Fatal(err)
		}
		perC := storetest.Ctx(w.tid, storetest.As(w.per, auth.RoleMember))
		if _, err := w.s.SetPreferences(perC, Preferences{Mail: MailNone}); err != nil {
			t.Fatal(err)
		}
		n := Note{OrganizationID: w.org, Except: w.kari.ID, Kind: "dialog.message", Title: "NoteDialogMessage", Body: "MailDialogMessage", Link: "/dialogs/x",
			Source: "dialog-message:1", Mail: true, Data: map[string]string{"Author": "Kari", "Org": "Fornebu Anlegg", "Listing": "Sprengstein", "Excerpt": "Hei på deg"}}
		w.note(t, n)
		w.note(t, n) // the same source again: nothing new
		if got := len(w.entries(t, w.kari.ID)); got != 0 {
			t.Fatalf("the author got %d notes", got)
		}
		if got := len(w.entries(t, w.ola.ID)); got != 1 {
			t.Fatalf("ola got %d notes, want 1", got)
		}
		w.deliver(t)
		sent := w.box.all()
		if len(sent) != 1 {
			t.Fatalf("%d mails, want 1 (Per chose none)", len(sent))
		}
		if sent[0].To != w.ola.Email || sent[0].Subject != "Ny melding frå Kari (Fornebu Anlegg) om «Sprengstein»" ||
			!strings.Contains(sent[0].Text, "Hei på deg") || !strings.Contains(sent[0].Text, "https://baerum.masseflyt.test/t/baerum/dialogs/x") {
			t.Fatalf("mail %+v", sent[0])
		}
		if e := w.entries(t, w.per.ID); len(e) != 1 || e[0].MailState != "skipped" {
			t.Fatalf("per's note %+v", e)
		}
		// The inbox: titled in the reader's language, unread first.
		a := storetest.As(w.ola, auth.RoleMember)
		a.Locale = "en"
		enC := storetest.Ctx(w.tid, a)
		p, err := w.s.Inbox(enC, page.Request{Limit: 10})
		if err != nil || len(p.Items) != 1 || p.Items[0].Title != "New message from Kari (Fornebu Anlegg) about “Sprengstein”" {
			t.Fatalf("inbox %v %+v", err, p.Items)
		}
		if n, _ := w.s.Unread(enC); n != 1 {
			t.Fatalf("unread %d", n)
		}
		if err := w.s.MarkRead(w.kariC, p.Items[0].ID); err == nil {
			t.Fatal("kari marked ola's note read")
		}
		if err := w.s.MarkRead(enC, p.Items[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.s.Unread(enC); n != 0 {
			t.Fatalf("unread after reading %d", n)
		}
		// A bad note is a programming error.
		if err := w.s.Notify(w.ctx, Note{UserIDs: []string{w.ola.ID}, Kind: "x", Title: "T", Link: "https://evil.example"}); err == nil {
			t.Error("a note with an absolute link was stored")
		}
	}, storetest.Clock(mc))
}

// TestMailFailures: a temporary failure is returned (the outbox retries);
// a permanent one is recorded and not retried.
func TestMailFailures(t *testing.T) {
	mc := clock.NewManual(osloMorning)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, mc)
		w.note(t, Note{UserIDs: []string{w.ola.ID, w.per.ID}, Kind: "test", Title: "NoteDialogMessage", Mail: true})
		notes := append(w.entries(t, w.ola.ID), w.entries(t, w.per.ID)...)
		env := events.Envelope{TenantID: w.tid}
		w.box.fail = []error{errors.New("connection refused")}
		if err := w.s.onNote(w.ctx, env, events.NoteCreated{NoteID: notes[0].ID}); err == nil {
			t.Fatal("a temporary failure was swallowed")
		}
		if e := w.entries(t, w.ola.ID); e[0].MailState != "" {
			t.Fatalf("state after a temporary failure %q", e[0].MailState)
		}
		if err := w.s.onNote(w.ctx, env, events.NoteCreated{NoteID: notes[0].ID}); err != nil {
			t.Fatal(err)
		}
		w.box.fail = []error{permanentErr{}}
		if err := w.s.onNote(w.ctx, env, events.NoteCreated{NoteID: notes[1].ID}); err != nil {
			t.Fatalf("a permanent failure is not retried: %v", err)
		}
		if e := w.entries(t, w.per.ID); e[0].MailState != "failed" {
			t.Fatalf("state after a permanent failure %q", e[0].MailState)
		}
		if e := w.entries(t, w.ola.ID); e[0].MailState != "sent" || e[0].MailedAt == nil {
			t.Fatalf("ola's note %+v", e[0])
		}
	}, storetest.Clock(mc))
}

// TestRetryThroughOutbox: with the real dispatcher, a mail that fails once
// is delivered by the retry, once.
func TestRetryThroughOutbox(t *testing.T) {
	mc := clock.NewManual(osloMorning)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, mc)
		d, err := events.NewDispatcher(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		d.Poll = 50 * time.Millisecond
		w.s.Subscribe(d)
		w.box.fail = []error{errors.New("451 try again later")}
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		w.note(t, Note{UserIDs: []string{w.ola.ID}, Kind: "test", Title: "NoteDialogMessage", Mail: true})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := d.Settle(ctx); err != nil {
			t.Fatal(err)
		}
		if got := len(w.box.all()); got != 1 {
			t.Fatalf("%d mails after the retry, want 1", got)
		}
	}, storetest.Clock(mc))
}

// TestDigest: a person who chose the daily digest gets one mail a day with
// what waited, from the digest hour on, once, whatever the number of
// instances claiming it.
func TestDigest(t *testing.T) {
	mc := clock.NewManual(osloMorning)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mc.Set(osloMorning)
		w := newWorld(t, db, mc)
		if _, err := w.s.SetPreferences(w.olaC, Preferences{Mail: MailDigest}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			w.note(t, Note{UserIDs: []string{w.ola.ID}, Kind: "test", Title: "NoteDialogMessage", Link: "/dialogs/x", Mail: true,
				Data: map[string]string{"Author": "Kari", "Org": "Fornebu", "Listing": "Stein"}})
		}
		w.deliver(t)
		if n := len(w.box.all()); n != 0 {
			t.Fatalf("%d mails before the digest", n)
		}
		if n, err := w.s.DueDigests(context.Background()); err != nil || n != 0 {
			t.Fatalf("claimed %d before the digest hour (%v)", n, err)
		}
		mc.Advance(2 * time.Hour) // 08:00 in Oslo
		// Two instances at once claim one digest between them.
		other := &Service{DB: db, Mailer: w.box, Regions: w.s.Regions}
		var wg sync.WaitGroup
		claims := make([]int, 2)
		for i, s := range []*Service{w.s, other} {
			wg.Add(1)
			go func(i int, s *Service) {
				defer wg.Done()
				n, err := s.DueDigests(context.Background())
				if err != nil && !store.IsBusy(err) {
					t.Error(err)
				}
				claims[i] = n
			}(i, s)
		}
		wg.Wait()
		if claims[0]+claims[1] != 1 {
			t.Fatalf("claims %v, want one in all", claims)
		}
		if n, _ := w.s.DueDigests(context.Background()); n != 0 {
			t.Fatalf("claimed again the same day: %d", n)
		}
		w.deliver(t) // twice: the digest goes out once
		sent := w.box.all()
		if len(sent) != 1 || sent[0].Subject != "3 nye varsler fra Bærum ressursbank" || strings.Count(sent[0].Text, "/dialogs/x") != 3 {
			t.Fatalf("digest mails %+v", sent)
		}
		var g Digest
		_ = db.Read(w.ctx, func(tx *gorm.DB) error { return tx.Take(&g).Error })
		if g.SentAt == nil || g.Count != 3 {
			t.Fatalf("digest record %+v", g)
		}
		// A new note waits for tomorrow's digest.
		w.note(t, Note{UserIDs: []string{w.ola.ID}, Kind: "test", Title: "NoteDialogMessage", Mail: true})
		w.deliver(t)
		if n, _ := w.s.DueDigests(context.Background()); n != 0 {
			t.Fatalf("a second digest the same day: %d", n)
		}
		mc.Advance(24 * time.Hour)
		if n, _ := w.s.DueDigests(context.Background()); n != 1 {
			t.Fatalf("tomorrow's digest: %d", n)
		}
		w.deliver(t)
		if n := len(w.box.all()); n != 2 {
			t.Fatalf("%d mails after two days, want 2", n)
		}
	}, storetest.Clock(mc))
}

// TestPreferences: the default, and bad values refused with their fields.
func TestPreferences(t *testing.T) {
	mc := clock.NewManual(osloMorning)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, mc)
		if p, err := w.s.Preferences(w.olaC); err != nil || p.Mail != MailEach || p.Locale != "" {
			t.Fatalf("default %+v %v", p, err)
		}
		_, err := w.s.SetPreferences(w.olaC, Preferences{Mail: "hourly", Locale: "sv"})
		e, ok := fail.As(err)
		if !ok || len(e.Fields) != 2 || e.Fields[0].Pointer != "/mail" || e.Fields[1].Pointer != "/locale" {
			t.Fatalf("bad values: %v", err)
		}
		if p, _ := w.s.Preferences(w.olaC); p.Mail != MailEach {
			t.Fatalf("a refused change was stored: %+v", p)
		}
		if _, err := w.s.Preferences(storetest.Ctx(w.tid)); err == nil {
			t.Fatal("a visitor has preferences")
		}
		for _, in := range []Preferences{{Mail: MailDigest, Locale: "en"}, {Mail: MailNone}} {
			if _, err := w.s.SetPreferences(w.olaC, in); err != nil {
				t.Fatal(err)
			}
			if p, _ := w.s.Preferences(w.olaC); p != in {
				t.Fatalf("stored %+v, want %+v", p, in)
			}
		}
	}, storetest.Clock(mc))
}

// TestFirstPreferencesTwiceAtOnce: two first saves of one person's mail
// preferences at once both succeed and leave one row.
func TestFirstPreferencesTwiceAtOnce(t *testing.T) {
	mc := clock.NewManual(osloMorning)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, mc)
		errs := make(chan error, 8)
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			mode := []string{MailEach, MailDigest}[i%2]
			go func() {
				defer wg.Done()
				_, err := w.s.SetPreferences(w.olaC, Preferences{Mail: mode})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil && !store.IsBusy(err) {
				t.Errorf("a first save: %v", err)
			}
		}
		var n int64
		if err := db.Read(w.ctx, func(tx *gorm.DB) error {
			return tx.Model(&Preference{}).Where("user_id = ?", w.ola.ID).Count(&n).Error
		}); err != nil || n != 1 {
			t.Fatalf("%d preference rows, %v", n, err)
		}
	})
}
