package agreement_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The agreement domain's tests call the service with contexts carrying the
// actors, on the fixture region (both backends): Kari administers Fornebu
// Anlegg (the supplier), Ola represents Sandvika Bygg (the receiver; an
// admin where a test says so).

func TestMain(m *testing.M) { apitest.Main(m) }

type world struct {
	e          *apitest.Env
	s          *agreement.Service
	kari, ola  context.Context // org admins at AAL2
	olaMember  context.Context // Ola as the member he is
	olaAAL1    context.Context // Ola, admin, without a second factor
	olaToken   context.Context
	supervisor context.Context
	fornebu    string
	sandvika   string
	listing    string // Fornebu's published surplus, ~250 000 t
	need       string // Sandvika's published need, 12 000 t
}

func actor(e *apitest.Env, email string, orgs map[string]string, aal string, roles ...string) context.Context {
	t := e.Tenant("baerum")
	p := &auth.Principal{User: e.User(email), AAL: aal, Orgs: orgs, Roles: append([]string{auth.RoleAnonymous, auth.RoleAuthenticated}, roles...)}
	return access.With(context.Background(), &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb", Principal: p, Rules: e.App.Roles})
}

func newWorld(_ testing.TB, e *apitest.Env) *world {
	w := &world{e: e, s: e.App.Agreements, fornebu: e.OrgID("baerum", "fornebu-anlegg"), sandvika: e.OrgID("baerum", "sandvika-bygg")}
	w.kari = actor(e, apitest.OrgAdmin, map[string]string{w.fornebu: "admin"}, auth.AAL2, auth.RoleMember, auth.RoleOrgAdmin)
	w.ola = actor(e, apitest.Member, map[string]string{w.sandvika: "admin"}, auth.AAL2, auth.RoleMember, auth.RoleOrgAdmin)
	w.olaMember = actor(e, apitest.Member, map[string]string{w.sandvika: "member"}, auth.AAL2, auth.RoleMember)
	w.olaAAL1 = actor(e, apitest.Member, map[string]string{w.sandvika: "admin"}, "aal1", auth.RoleMember, auth.RoleOrgAdmin)
	tok := actor(e, apitest.Member, map[string]string{w.sandvika: "admin"}, auth.AAL2, auth.RoleMember, auth.RoleOrgAdmin)
	access.From(tok).Principal.Token = &auth.Token{Scopes: "read,write"}
	w.olaToken = tok
	w.supervisor = actor(e, apitest.Supervisor, map[string]string{}, auth.AAL2, auth.RoleSupervisor)
	w.listing = e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
	w.need = e.FirstID("baerum", "listings", "title = 'Forsterkningslag til parkeringskjeller'")
	return w
}

func (w *world) input(tonnes float64) *agreement.Input {
	return &agreement.Input{TemplateKey: "delivery", Locale: "nb", Title: "Sprengstein til parkeringskjeller",
		Supplier: agreement.PartyInput{OrganizationID: w.fornebu}, Receiver: agreement.PartyInput{OrganizationID: w.sandvika},
		ListingIDs: []string{w.listing}, Fractions: []string{"sprengstein"}, ConditionClass: 1, QuantityTonnes: tonnes, TolerancePct: 10,
		PriceNOK: 25, PriceUnit: "t", Payer: "receiver_pays", PeriodFrom: apitest.Day(30), PeriodTo: apitest.Day(200),
		DeliveryPoint: "Sandviksveien 16, 1337 Sandvika", OpeningHours: "Man–fre 07–15", Transport: "supplier",
		QualityRequirements: "Ren sprengstein", VisualCheckEachLoad: true, SampleEveryNLoads: 50,
		RejectedLoad: "Avvises med bilde.", InvasiveSpecies: "Fri for fremmede arter."}
}

// accepted makes an agreement Kari proposed and Ola accepted (version 1).
func (w *world) accepted(t *testing.T, tonnes float64) *agreement.Agreement {
	t.Helper()
	ag, err := w.s.Create(w.kari, w.input(tonnes))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Propose(w.kari, ag.ID); err != nil {
		t.Fatal(err)
	}
	ag, err = w.s.Accept(w.ola, ag.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	return ag
}

func failure(t *testing.T, err error, kind fail.Kind, code string) *fail.Error {
	t.Helper()
	var fe *fail.Error
	if !errors.As(err, &fe) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if fe.Kind != kind || fe.Code != code {
		t.Fatalf("want %v %s, got %v %s %s %v", kind, code, fe.Kind, fe.Code, fe.MsgID, fe.Fields)
	}
	return fe
}

func fieldsOf(err error) []string {
	fe, _ := fail.As(err)
	if fe == nil {
		return nil
	}
	var out []string
	for _, f := range fe.Fields {
		out = append(out, f.Pointer+":"+f.MsgID)
	}
	return out
}

func (w *world) count(table string) int64 { return w.e.Count("baerum", table, "") }

func TestAgreementFromProposalToSeal(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		ag, err := w.s.Create(w.kari, w.input(20000))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ag.Number, "AVT-") || ag.Status != agreement.StatusDraft || ag.TemplateVersion != 0 {
			t.Fatalf("draft %+v", ag)
		}
		if _, err := w.s.Propose(w.kari, ag.ID); err != nil {
			t.Fatal(err)
		}
		// Ola counter-proposes less at a lower price: version 2.
		in := w.input(18000)
		in.PriceNOK = 20
		ag, err = w.s.Counter(w.ola, ag.ID, 1, in)
		if err != nil || ag.Version != 2 || ag.ProposedByOrgID != w.sandvika {
			t.Fatalf("counter: %+v %v", ag, err)
		}
		// Kari, Fornebu's admin, is told the counter-proposal awaits her answer.
		if n := e.Count("baerum", "inbox", "user_id = ? AND kind = 'agreement'", e.User(apitest.OrgAdmin).ID); n != 1 {
			t.Fatalf("%d notes to Kari", n)
		}
		diff, err := w.s.Diff(w.kari, ag.ID, 1, 2)
		if err != nil || len(diff) != 3 || diff[0].Term != "quantity_m3" && diff[0].Term != "quantity_tonnes" {
			t.Fatalf("diff %+v %v", diff, err)
		}
		// The proposer cannot accept its own proposal.
		_, err = w.s.Accept(w.ola, ag.ID, 2)
		failure(t, err, fail.Conflict, "conflict")
		if ag, err = w.s.Accept(w.kari, ag.ID, 2); err != nil || ag.Status != agreement.StatusAccepted {
			t.Fatalf("accept: %v %v", ag, err)
		}
		if ag, err = w.s.Sign(w.kari, ag.ID, 2); err != nil || ag.Status != agreement.StatusAccepted {
			t.Fatalf("first signature: %v %v", ag, err)
		}
		_, err = w.s.Sign(w.kari, ag.ID, 2)
		failure(t, err, fail.Conflict, "conflict")
		if ag, err = w.s.Sign(w.ola, ag.ID, 2); err != nil || ag.Status != agreement.StatusSealed || ag.SealHash == "" || ag.SealedVersion != 2 {
			t.Fatalf("second signature: %+v %v", ag, err)
		}
		d, err := w.s.Get(w.supervisor, ag.ID)
		if err != nil || len(d.Signatures) != 2 || d.Sealed == nil || !strings.Contains(d.Text, "18") {
			t.Fatalf("detail %+v %v", d, err)
		}
		var kinds []string
		for _, ev := range d.Timeline {
			kinds = append(kinds, ev.Kind)
		}
		if got := strings.Join(kinds, ","); got != "created,proposed,counter_proposed,accepted,signed,signed,sealed" {
			t.Fatalf("timeline %s", got)
		}
		// The public announcement: fraction, tonnes, distance; no parties.
		if n := e.Count("baerum", "outbox", "type = 'agreement.sealed' AND payload LIKE ? AND payload LIKE ? AND payload NOT LIKE ?", `%"tonnes":18000%`, `%"distance_km":%`, "%Sandvika%"); n != 1 {
			t.Fatalf("%d public seal events", n)
		}
		if n := e.Count("baerum", "outbox", "type LIKE 'agreement.%'"); n != 6 {
			t.Fatalf("%d agreement events in the outbox", n)
		}
		v, err := w.s.Verify(w.ola, ag.ID)
		if err != nil || !v.Valid || len(v.Changed) != 0 {
			t.Fatalf("verify %+v %v", v, err)
		}
		var pdf bytes.Buffer
		if err := w.s.PDF(w.kari, ag.ID, &pdf); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF")) {
			t.Fatalf("pdf %v", err)
		}
		// After sealing nothing changes but by an amendment both sign.
		_, err = w.s.Update(w.kari, ag.ID, w.input(1))
		failure(t, err, fail.Conflict, "conflict")
		am := w.input(19000)
		if ag, err = w.s.Amend(w.kari, ag.ID, am); err != nil || ag.Version != 3 || ag.SealedVersion != 2 || !ag.InForce() {
			t.Fatalf("amend %+v %v", ag, err)
		}
		if _, err = w.s.Accept(w.ola, ag.ID, 3); err != nil {
			t.Fatal(err)
		}
		if _, err = w.s.Sign(w.ola, ag.ID, 3); err != nil {
			t.Fatal(err)
		}
		if ag, err = w.s.Sign(w.kari, ag.ID, 3); err != nil || ag.SealedVersion != 3 || ag.Tonnes != 19000 {
			t.Fatalf("amendment sealed: %+v %v", ag, err)
		}
		if n := e.Count("baerum", "outbox", "type = 'agreement.amended'"); n != 1 {
			t.Fatalf("%d amended events", n)
		}
		// Invoice basis for a month of the period: planned quantities.
		from, _ := timeOf(apitest.Day(31))
		b, err := w.s.InvoiceBasis(w.kari, ag.ID, from, from.AddDate(0, 0, 29))
		if err != nil || !b.Planned || len(b.Lines) != 1 || b.Seller.OrgNumber != "928157040" || b.Lines[0].Tonnes <= 0 || b.Lines[0].UnitPriceOre != 2500 {
			t.Fatalf("basis %+v %v", b, err)
		}
		if _, err := w.s.InvoiceBasis(w.olaMember, ag.ID, from, from.AddDate(0, 0, -1)); err == nil {
			t.Fatal("a period ending before it starts")
		}
		if ag, err = w.s.Complete(w.ola, ag.ID); err != nil || ag.Status != agreement.StatusCompleted {
			t.Fatalf("complete %v %v", ag, err)
		}
	})
}

func TestAgreementRefusals(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		tables := []string{"agreements", "agreement_versions", "agreement_signatures", "agreement_events"}
		before := map[string]int64{}
		for _, tb := range tables {
			before[tb] = w.count(tb)
		}
		cases := []struct {
			name  string
			tweak func(in *agreement.Input)
			field string
		}{
			{"more than the listing has left", func(in *agreement.Input) { in.ListingIDs = []string{w.need}; in.QuantityTonnes = 14000 }, "/quantity_tonnes:ErrAgreementMoreThanLeft"},
			{"negative quantity", func(in *agreement.Input) { in.QuantityTonnes = -5 }, "/quantity_tonnes:ErrFieldRange"},
			{"period ending before it starts", func(in *agreement.Input) { in.PeriodFrom, in.PeriodTo = apitest.Day(60), apitest.Day(10) }, "/period_to:ErrDateOrder"},
			{"another region's listing", func(in *agreement.Input) { in.ListingIDs = []string{e.FirstID("trondelag", "listings", "")} }, "/listing_ids:ErrAgreementListing"},
			{"same party twice", func(in *agreement.Input) { in.Receiver.OrganizationID = w.fornebu }, "/receiver/organization_id:ErrAgreementSameParty"},
			{"a dialog that does not exist", func(in *agreement.Input) { in.DialogID = store.NewID() }, "/dialog_id:ErrAgreementDialog"},
			{"signatory not an admin", func(in *agreement.Input) { in.Receiver.SignatoryUserID = e.User(apitest.Member).ID }, "/receiver/signatory_user_id:ErrAgreementSignatory"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := w.input(1000)
				c.tweak(in)
				_, err := w.s.Create(w.kari, in)
				failure(t, err, fail.Invalid, "validation")
				if got := fieldsOf(err); len(got) == 0 || got[0] != c.field {
					t.Fatalf("fields %v, want %s", got, c.field)
				}
			})
		}
		// Not a party.
		_, err := w.s.Create(w.supervisor, w.input(1000))
		failure(t, err, fail.Forbidden, "not_party")
		for _, tb := range tables {
			if n := w.count(tb); n != before[tb] {
				t.Fatalf("%s: %d rows, before %d: a refusal wrote", tb, n, before[tb])
			}
		}

		// A template field missing a value stops the proposal and names it.
		in := w.input(1000)
		in.OpeningHours = ""
		ag, err := w.s.Create(w.kari, in)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.s.Propose(w.kari, ag.ID)
		failure(t, err, fail.Invalid, "validation")
		if got := fieldsOf(err); len(got) != 1 || got[0] != "/opening_hours:ErrTemplateFieldMissing" {
			t.Fatalf("missing field: %v", got)
		}

		// Signatures: a member who is no admin, AAL1, a token, an old version.
		ag = w.accepted(t, 1000)
		_, err = w.s.Sign(w.olaMember, ag.ID, 1)
		failure(t, err, fail.Forbidden, "not_signatory")
		_, err = w.s.Sign(w.olaAAL1, ag.ID, 1)
		failure(t, err, fail.Forbidden, "second_factor_required")
		_, err = w.s.Sign(w.olaToken, ag.ID, 1)
		failure(t, err, fail.Forbidden, "token_cannot_sign")
		_, err = w.s.Sign(w.supervisor, ag.ID, 1) // reads, never signs
		failure(t, err, fail.Forbidden, "not_signatory")
		if n := e.Count("baerum", "agreement_signatures", "agreement_id = ?", ag.ID); n != 0 {
			t.Fatalf("%d signatures after refusals", n)
		}

		// A second signature on an old version: Kari signed version 2, Ola
		// counter-proposed meanwhile... here: a proposal answered with a
		// counter-proposal leaves version 1 behind.
		ag, err = w.s.Create(w.kari, w.input(1000))
		if err != nil {
			t.Fatal(err)
		}
		if _, err = w.s.Propose(w.kari, ag.ID); err != nil {
			t.Fatal(err)
		}
		if _, err = w.s.Counter(w.ola, ag.ID, 1, w.input(900)); err != nil {
			t.Fatal(err)
		}
		if _, err = w.s.Accept(w.kari, ag.ID, 2); err != nil {
			t.Fatal(err)
		}
		_, err = w.s.Sign(w.ola, ag.ID, 1)
		fe := failure(t, err, fail.Conflict, "old_version")
		if fe.MsgID != "ErrAgreementOldVersion" {
			t.Fatal(fe.MsgID)
		}
		_, err = w.s.Accept(w.ola, ag.ID, 1)
		failure(t, err, fail.Conflict, "conflict")

		// An amendment to a cancelled agreement.
		if _, err = w.s.Sign(w.ola, ag.ID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err = w.s.Sign(w.kari, ag.ID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err = w.s.Cancel(w.olaMember, ag.ID); err == nil {
			t.Fatal("a member who is no admin cancelled a sealed agreement")
		}
		if _, err = w.s.Cancel(w.kari, ag.ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.s.Amend(w.ola, ag.ID, w.input(800))
		fe = failure(t, err, fail.Conflict, "conflict")
		if fe.MsgID != "ErrAgreementCancelled" {
			t.Fatal(fe.MsgID)
		}
	})
}

// TestSimultaneousSigning: both parties sign at the same moment, again and
// again: each time exactly one sealed agreement, one seal event.
func TestSimultaneousSigning(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		for round := 0; round < 5; round++ {
			ag := w.accepted(t, 100)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			start := make(chan struct{})
			for i, ctx := range []context.Context{w.kari, w.ola} {
				wg.Add(1)
				go func(i int, ctx context.Context) {
					defer wg.Done()
					<-start
					_, errs[i] = w.s.Sign(ctx, ag.ID, 1)
				}(i, ctx)
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if n := e.Count("baerum", "agreement_events", "agreement_id = ? AND kind = 'sealed'", ag.ID); n != 1 {
				t.Fatalf("round %d: sealed %d times", round, n)
			}
			if n := e.Count("baerum", "outbox", "type = 'agreement.sealed' AND payload LIKE ?", "%"+ag.ID+"%"); n != 1 {
				t.Fatalf("round %d: %d seal events", round, n)
			}
			d, err := w.s.Get(w.kari, ag.ID)
			if err != nil || d.Agreement.Status != agreement.StatusSealed || len(d.Signatures) != 2 {
				t.Fatalf("round %d: %+v %v", round, d.Agreement, err)
			}
		}
	})
}

// TestVerifyNamesTheChangedTerm: a sealed term edited in the database is
// named by Verify.
func TestVerifyNamesTheChangedTerm(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		ag := w.accepted(t, 500)
		for _, ctx := range []context.Context{w.kari, w.ola} {
			if _, err := w.s.Sign(ctx, ag.ID, 1); err != nil {
				t.Fatal(err)
			}
		}
		err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
			var terms string
			if err := tx.Table("agreement_versions").Where("agreement_id = ? AND version = 1", ag.ID).Pluck("terms", &terms).Error; err != nil {
				return err
			}
			terms = strings.Replace(terms, `"price_nok":25`, `"price_nok":2.5`, 1)
			return tx.Table("agreement_versions").Where("agreement_id = ? AND version = 1", ag.ID).Update("terms", terms).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.s.Verify(w.kari, ag.ID)
		if err != nil || v.Valid || len(v.Changed) != 1 || v.Changed[0] != "price_nok" {
			t.Fatalf("verify %+v %v", v, err)
		}
	})
}

// TestListingsKeepScore: signed agreements reduce what a listing has left
// and set its status; a cancellation gives the tonnes back.
func TestListingsKeepScore(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		seal := func(tonnes float64) *agreement.Agreement {
			in := w.input(tonnes)
			in.ListingIDs = []string{w.need}
			in.Fractions = []string{"pukk"}
			ag, err := w.s.Create(w.kari, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err = w.s.Propose(w.kari, ag.ID); err == nil {
				_, err = w.s.Accept(w.ola, ag.ID, 1)
			}
			for _, ctx := range []context.Context{w.kari, w.ola} {
				if err == nil {
					ag, err = w.s.Sign(ctx, ag.ID, 1)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			return ag
		}
		status := func() market.Status {
			l, err := e.App.Market.Find(e.Ctx("baerum"), w.need)
			if err != nil {
				t.Fatal(err)
			}
			return l.Status
		}
		seal(5000)
		if got := status(); got != market.StatusPartlyMatched {
			t.Fatalf("after 5 000 of 12 000 t: %s", got)
		}
		if agreed, _ := e.App.Market.Agreed(e.Ctx("baerum"), w.need); agreed != 5000 {
			t.Fatalf("agreed %v", agreed)
		}
		// 7 500 t is more than the 7 000 t left, but within 10 %.
		second := seal(7500)
		if got := status(); got != market.StatusFullyMatched {
			t.Fatalf("after 12 500 of 12 000 t: %s", got)
		}
		// Nothing is left now: even 1 t is refused.
		in := w.input(1)
		in.ListingIDs = []string{w.need}
		_, err := w.s.Create(w.kari, in)
		failure(t, err, fail.Invalid, "validation")
		// By hand, the status cannot be set.
		if _, err := e.App.Market.SetStatus(w.ola, w.need, market.StatusPublished); err == nil {
			t.Fatal("a fully agreed listing was republished by hand")
		}
		if _, err := w.s.Cancel(w.kari, second.ID); err != nil {
			t.Fatal(err)
		}
		if got := status(); got != market.StatusPartlyMatched {
			t.Fatalf("after the cancellation: %s", got)
		}
	})
}

func TestTemplatesAreVersioned(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		admin := actor(e, apitest.TenantAdmin, map[string]string{}, auth.AAL2, auth.RoleTenantAdmin)
		old, err := w.s.Create(w.kari, w.input(100))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.SaveTemplate(w.kari, "delivery", "nb", &agreement.TemplateInput{Title: "x", Body: "y"}); err == nil {
			t.Fatal("an org admin edited a template")
		}
		_, err = w.s.SaveTemplate(admin, "delivery", "nb", &agreement.TemplateInput{Title: "Egen", Body: "Avtale {{number}} om {{tull}}"})
		if got := fieldsOf(err); len(got) != 1 || got[0] != "/body:ErrTemplateUnknownField" {
			t.Fatalf("unknown field: %v", got)
		}
		tpl, err := w.s.SaveTemplate(admin, "delivery", "nb", &agreement.TemplateInput{Title: "Egen", Body: "Avtale {{number}}: {{quantity_tonnes}} t {{fractions}} til {{delivery_point}}."})
		if err != nil || tpl.Version != 1 {
			t.Fatalf("save %v %v", tpl, err)
		}
		tpl, _ = w.s.SaveTemplate(admin, "delivery", "nb", &agreement.TemplateInput{Title: "Egen 2", Body: tpl.Body + " Signert elektronisk."})
		if tpl.Version != 2 {
			t.Fatalf("version %d", tpl.Version)
		}
		ag, err := w.s.Create(w.kari, w.input(100))
		if err != nil || ag.TemplateVersion != 2 {
			t.Fatalf("new agreement on version %d: %v", ag.TemplateVersion, err)
		}
		d, _ := w.s.Get(w.kari, ag.ID)
		if !strings.Contains(d.Text, "Signert elektronisk") {
			t.Fatalf("text %q", d.Text)
		}
		d, _ = w.s.Get(w.kari, old.ID)
		if old.TemplateVersion != 0 || !strings.Contains(d.Text, "kjøpsloven") {
			t.Fatal("an old agreement changed template")
		}
		ts, err := w.s.Templates(w.kari)
		if err != nil || len(ts) != 9 {
			t.Fatalf("%d templates %v", len(ts), err)
		}
		if p := agreement.Preview(tpl.Body, "nb"); !strings.Contains(p, "20") {
			t.Fatalf("preview %q", p)
		}
		_ = store.NewID
	})
}

func timeOf(day string) (time.Time, error) { return time.Parse("2006-01-02", day) }

// TestNumbersAreUniqueUnderConcurrency: drafts made at once get distinct,
// consecutive numbers.
func TestNumbersAreUniqueUnderConcurrency(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		const n = 6
		var wg sync.WaitGroup
		nums := make([]string, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ag, err := w.s.Create(w.kari, w.input(10))
				if err == nil {
					nums[i] = ag.Number
				}
				errs[i] = err
			}(i)
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range nums {
			if errs[i] != nil || seen[nums[i]] {
				t.Fatalf("%v %v", nums, errs)
			}
			seen[nums[i]] = true
		}
		if !seen[nums[0][:9]+"0001"] || !seen[nums[0][:9]+"0006"] {
			t.Fatalf("numbers %v", nums)
		}
	})
}

// redirectSigner is a BankID-like method: Begin sends the signatory away,
// Complete comes back with the request it signed.
type redirectSigner struct {
	mu      sync.Mutex
	pending map[string]agreement.SignRequest
}

func (r *redirectSigner) Method() string { return "esign.test-redirect" }

func (r *redirectSigner) Begin(_ context.Context, req agreement.SignRequest) (*agreement.Step, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	state := "s-" + req.OrganizationID
	r.pending[state] = req
	return &agreement.Step{RedirectURL: "https://sign.example/" + state, State: state}, nil
}

func (r *redirectSigner) Complete(_ context.Context, state string, _ map[string]string) (*agreement.SignRequest, *agreement.Evidence, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	req, ok := r.pending[state]
	if !ok {
		return nil, nil, fail.NotFoundErr()
	}
	return &req, &agreement.Evidence{Method: r.Method(), Data: `{"pades":"…"}`}, nil
}

// TestRedirectSigningMethod: a redirect-based method (the BankID shape)
// signs through Begin and CompleteSignature; the second completion seals.
func TestRedirectSigningMethod(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		ag := w.accepted(t, 100)
		rs := &redirectSigner{pending: map[string]agreement.SignRequest{}}
		s := *w.s
		s.Signer = rs
		for _, ctx := range []context.Context{w.kari, w.ola} {
			_, err := s.Sign(ctx, ag.ID, 1)
			if fe, _ := fail.As(err); fe == nil || fe.MsgID != "ErrAgreementSignRedirect" {
				t.Fatalf("begin: %v", err)
			}
		}
		if _, err := s.CompleteSignature(w.ola, "s-"+w.fornebu, nil); err == nil {
			t.Fatal("Ola completed Kari's signature")
		}
		if _, err := s.CompleteSignature(w.kari, "s-"+w.fornebu, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.CompleteSignature(w.ola, "s-"+w.sandvika, nil)
		if err != nil || got.Status != agreement.StatusSealed {
			t.Fatalf("%+v %v", got, err)
		}
	})
}
