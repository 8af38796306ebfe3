package agreement_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/dialog"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// Regression tests for the security review of the agreements feature, one
// per finding.

// sealed makes an agreement Kari proposed, Ola accepted and both signed.
func (w *world) sealed(t *testing.T, in *agreement.Input) *agreement.Agreement {
	t.Helper()
	ag, err := w.s.Create(w.kari, in)
	if err == nil {
		_, err = w.s.Propose(w.kari, ag.ID)
	}
	if err == nil {
		_, err = w.s.Accept(w.ola, ag.ID, 1)
	}
	for _, ctx := range []context.Context{w.kari, w.ola} {
		if err == nil {
			ag, err = w.s.Sign(ctx, ag.ID, ag.Version)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return ag
}

func listingStatus(t *testing.T, e *apitest.Env, id string) market.Status {
	t.Helper()
	l, err := e.App.Market.Find(e.Ctx("baerum"), id)
	if err != nil {
		t.Fatal(err)
	}
	return l.Status
}

// TestConcurrentSealsDoNotOverAllocate (finding 1): two agreements of
// 200 000 t each on a listing of ~250 000 t, both sealed at once: exactly
// one seals, the other is refused with a conflict naming what is left.
func TestConcurrentSealsDoNotOverAllocate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		// The race is narrow: several rounds, each cancelling its seal.
		for round := 0; round < 8; round++ {
			var ids []string
			for i := 0; i < 2; i++ {
				in := w.input(200000)
				in.TolerancePct = 0
				ag, err := w.s.Create(w.kari, in)
				if err == nil {
					_, err = w.s.Propose(w.kari, ag.ID)
				}
				if err == nil {
					_, err = w.s.Accept(w.ola, ag.ID, 1)
				}
				if err == nil {
					_, err = w.s.Sign(w.kari, ag.ID, 1)
				}
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, ag.ID)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			start := make(chan struct{})
			for i, id := range ids {
				wg.Add(1)
				go func(i int, id string) {
					defer wg.Done()
					<-start
					_, errs[i] = w.s.Sign(w.ola, id, 1)
				}(i, id)
			}
			close(start)
			wg.Wait()
			sealed := ""
			for i, err := range errs {
				if err == nil {
					if sealed != "" {
						t.Fatalf("round %d: both sealed: the listing is over-allocated", round)
					}
					sealed = ids[i]
					continue
				}
				fe := failure(t, err, fail.Conflict, "more_than_left")
				if fe.MsgID != "ErrAgreementSealMoreThanLeft" || len(fe.Data) != 2 || fe.Data[0] != "Left" {
					t.Fatalf("round %d: refusal %+v", round, fe)
				}
				if left, _ := fe.Data[1].(float64); left < 49000 || left > 51000 {
					t.Fatalf("round %d: left named %v, want ~50 000", round, fe.Data[1])
				}
			}
			if sealed == "" {
				t.Fatalf("round %d: neither sealed: %v", round, errs)
			}
			if n := e.Count("baerum", "agreements", "listing_id = ? AND status = 'sealed'", w.listing); n != 1 {
				t.Fatalf("round %d: %d sealed agreements on the listing", round, n)
			}
			if agreed, _ := e.App.Market.Agreed(e.Ctx("baerum"), w.listing); agreed != 200000 {
				t.Fatalf("round %d: agreed %v", round, agreed)
			}
			if _, err := w.s.Cancel(w.kari, sealed); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestPrefillShowsOnlyVisiblePrices (finding 2): a member of another
// organization gets the listing's private price prefilled only while its
// owner discloses it in a dialog, and never what is left after others'
// agreements.
func TestPrefillShowsOnlyVisiblePrices(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		w.sealed(t, w.input(1000))
		l, err := e.App.Market.Find(e.Ctx("baerum"), w.listing)
		if err != nil || l.PricePublic || l.PriceNOKPerTonne == nil {
			t.Fatalf("fixture: want a private price, got %+v %v", l, err)
		}
		prefill := func(ctx context.Context) *agreement.Input {
			t.Helper()
			in, err := w.s.NewInput(ctx, agreement.Start{ListingID: w.listing})
			if err != nil {
				t.Fatal(err)
			}
			return in
		}
		in := prefill(w.olaMember)
		if in.PriceNOK != 0 {
			t.Fatalf("private price %v prefilled for another organization", in.PriceNOK)
		}
		if in.QuantityTonnes != l.QuantityTonnes {
			t.Fatalf("quantity %v, want the listing's %v (not what is left after others' agreements)", in.QuantityTonnes, l.QuantityTonnes)
		}
		if own := prefill(w.kari); own.PriceNOK != *l.PriceNOKPerTonne || own.QuantityTonnes != l.QuantityTonnes-1000 {
			t.Fatalf("owner's prefill: price %v, quantity %v", own.PriceNOK, own.QuantityTonnes)
		}
		d, _, err := e.App.Dialogs.Open(w.olaMember, dialog.OpenInput{ListingID: w.listing})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Dialogs.SetDisclosure(w.kari, d.ID, true); err != nil {
			t.Fatal(err)
		}
		if in := prefill(w.olaMember); in.PriceNOK != *l.PriceNOKPerTonne {
			t.Fatalf("disclosed price not prefilled: %v", in.PriceNOK)
		}
		if _, err := e.App.Dialogs.SetDisclosure(w.kari, d.ID, false); err != nil {
			t.Fatal(err)
		}
		if in := prefill(w.olaMember); in.PriceNOK != 0 {
			t.Fatalf("price %v prefilled after the disclosure was taken back", in.PriceNOK)
		}
	})
}

// TestSealedStepsNeedAdminAAL2 (finding 3): cancelling or completing an
// agreement in force takes what signing takes; a proposal not yet sealed
// is still withdrawn by a member.
func TestSealedStepsNeedAdminAAL2(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		ag := w.sealed(t, w.input(100))
		for _, step := range []func(context.Context, string) (*agreement.Agreement, error){w.s.Cancel, w.s.Complete} {
			_, err := step(w.olaToken, ag.ID)
			failure(t, err, fail.Forbidden, "token_cannot_sign")
			_, err = step(w.olaMember, ag.ID)
			failure(t, err, fail.Forbidden, "not_signatory")
			_, err = step(w.olaAAL1, ag.ID)
			failure(t, err, fail.Forbidden, "second_factor_required")
		}
		d, err := w.s.Get(w.olaMember, ag.ID)
		if err != nil || d.Can.Cancel || d.Can.Complete {
			t.Fatalf("a member is offered binding steps: %+v %v", d.Can, err)
		}
		if ag, err = w.s.Complete(w.ola, ag.ID); err != nil || ag.Status != agreement.StatusCompleted {
			t.Fatalf("complete by an admin at AAL2: %v", err)
		}
		p, err := w.s.Create(w.kari, w.input(100))
		if err == nil {
			_, err = w.s.Propose(w.kari, p.ID)
		}
		if err == nil {
			p, err = w.s.Cancel(w.olaMember, p.ID)
		}
		if err != nil || p.Status != agreement.StatusCancelled {
			t.Fatalf("a member withdraws from a proposal: %v", err)
		}
	})
}

// TestPendingAmendmentCanBeWithdrawnOrRejected (finding 4): the proposer
// withdraws its amendment, the other party rejects one; the sealed version
// is in force again each time, the step stays on the timeline, and a later
// amendment still seals.
func TestPendingAmendmentCanBeWithdrawnOrRejected(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		ag := w.sealed(t, w.input(100))
		if _, err := w.s.Amend(w.kari, ag.ID, w.input(120)); err != nil {
			t.Fatal(err)
		}
		_, err := w.s.Complete(w.ola, ag.ID)
		failure(t, err, fail.Conflict, "conflict")
		_, err = w.s.Withdraw(w.ola, ag.ID)
		failure(t, err, fail.Conflict, "conflict")
		_, err = w.s.Reject(w.kari, ag.ID)
		failure(t, err, fail.Conflict, "conflict")
		d, _ := w.s.Get(w.kari, ag.ID)
		if !d.Can.Withdraw || d.Can.Reject {
			t.Fatalf("proposer's capabilities %+v", d.Can)
		}
		back := func(kind string) {
			t.Helper()
			d, err := w.s.Get(w.kari, ag.ID)
			if err != nil {
				t.Fatal(err)
			}
			a := d.Agreement
			if a.Status != agreement.StatusSealed || a.Version != 1 || a.SealedVersion != 1 || d.Terms.QuantityTonnes != 100 {
				t.Fatalf("after %s: %s v%d sealed v%d, %v t", kind, a.Status, a.Version, a.SealedVersion, d.Terms.QuantityTonnes)
			}
			if last := d.Timeline[len(d.Timeline)-1]; last.Kind != kind {
				t.Fatalf("timeline ends with %s, want %s", last.Kind, kind)
			}
			if v, err := w.s.Verify(w.kari, ag.ID); err != nil || !v.Valid {
				t.Fatalf("verify after %s: %+v %v", kind, v, err)
			}
		}
		if _, err := w.s.Withdraw(w.kari, ag.ID); err != nil {
			t.Fatal(err)
		}
		back(agreement.KindWithdrawn)
		if _, err := w.s.Amend(w.olaMember, ag.ID, w.input(130)); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Reject(w.kari, ag.ID); err != nil {
			t.Fatal(err)
		}
		back(agreement.KindRejected)
		// A third amendment gets its own version number and seals.
		am, err := w.s.Amend(w.kari, ag.ID, w.input(140))
		if err != nil {
			t.Fatal(err)
		}
		if am.Version != 4 {
			t.Fatalf("amendment version %d, want 4", am.Version)
		}
		if _, err = w.s.Accept(w.ola, ag.ID, 4); err == nil {
			if _, err = w.s.Sign(w.kari, ag.ID, 4); err == nil {
				am, err = w.s.Sign(w.ola, ag.ID, 4)
			}
		}
		if err != nil || am.Status != agreement.StatusSealed || am.SealedVersion != 4 || am.Tonnes != 140 {
			t.Fatalf("later amendment: %+v %v", am, err)
		}
		// Rejecting a proposal never sealed ends it.
		p, err := w.s.Create(w.kari, w.input(10))
		if err == nil {
			_, err = w.s.Propose(w.kari, p.ID)
		}
		if err == nil {
			p, err = w.s.Reject(w.olaMember, p.ID)
		}
		if err != nil || p.Status != agreement.StatusCancelled {
			t.Fatalf("reject a proposal: %+v %v", p, err)
		}
	})
}

// TestAmendmentRescoresDroppedListing (finding 5): an amendment that drops
// a listing gives its tonnes back: the listing is published again.
func TestAmendmentRescoresDroppedListing(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		in := w.input(5000)
		in.ListingIDs, in.Fractions = []string{w.need}, []string{"pukk"}
		ag := w.sealed(t, in)
		if got := listingStatus(t, e, w.need); got != market.StatusPartlyMatched {
			t.Fatalf("after the seal: %s", got)
		}
		in = w.input(5000)
		in.ListingIDs, in.Fractions = []string{}, []string{"pukk"}
		_, err := w.s.Amend(w.kari, ag.ID, in)
		if err == nil {
			_, err = w.s.Accept(w.ola, ag.ID, 2)
		}
		for _, ctx := range []context.Context{w.kari, w.ola} {
			if err == nil {
				_, err = w.s.Sign(ctx, ag.ID, 2)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := listingStatus(t, e, w.need); got != market.StatusPublished {
			t.Fatalf("after the amendment dropped the listing: %s", got)
		}
	})
}

// TestSealCoversTemplateBody (finding 6): the template's text and the
// language are sealed; editing either in the database is named by Verify.
func TestSealCoversTemplateBody(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		admin := actor(e, apitest.TenantAdmin, map[string]string{}, auth.AAL2, auth.RoleTenantAdmin)
		tpl, err := w.s.SaveTemplate(admin, "delivery", "nb", &agreement.TemplateInput{Title: "Egen", Body: "Avtale {{number}}: {{quantity_tonnes}} t til {{delivery_point}}."})
		if err != nil {
			t.Fatal(err)
		}
		ag := w.sealed(t, w.input(100))
		if v, err := w.s.Verify(w.kari, ag.ID); err != nil || !v.Valid {
			t.Fatalf("fresh seal: %+v %v", v, err)
		}
		edit := func(table, id, col, val string) {
			t.Helper()
			if err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
				return tx.Table(table).Where("id = ?", id).Update(col, val).Error
			}); err != nil {
				t.Fatal(err)
			}
		}
		edit("contract_templates", tpl.ID, "body", "Avtale {{number}}: {{quantity_tonnes}} t GRATIS til {{delivery_point}}.")
		v, err := w.s.Verify(w.kari, ag.ID)
		if err != nil || v.Valid || strings.Join(v.Changed, ",") != "template_body" {
			t.Fatalf("verify after the template was edited: %+v %v", v, err)
		}
		edit("contract_templates", tpl.ID, "body", tpl.Body)
		if v, err := w.s.Verify(w.kari, ag.ID); err != nil || !v.Valid {
			t.Fatalf("verify after the edit was undone: %+v %v", v, err)
		}
		edit("agreements", ag.ID, "locale", "en")
		v, err = w.s.Verify(w.kari, ag.ID)
		if err != nil || v.Valid || !strings.Contains(strings.Join(v.Changed, ","), "locale") {
			t.Fatalf("verify after the language was changed: %+v %v", v, err)
		}
	})
}

// TestNoInvoiceBasisForCancelled (finding 7).
func TestNoInvoiceBasisForCancelled(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		from, _ := timeOf(apitest.Day(30))
		to, _ := timeOf(apitest.Day(60))
		ag := w.sealed(t, w.input(100))
		if _, err := w.s.Cancel(w.kari, ag.ID); err != nil {
			t.Fatal(err)
		}
		_, err := w.s.InvoiceBasis(w.kari, ag.ID, from, to)
		if fe := failure(t, err, fail.Conflict, "conflict"); fe.MsgID != "ErrAgreementBasisCancelled" {
			t.Fatalf("refusal %+v", fe)
		}
		done := w.sealed(t, w.input(100))
		if _, err := w.s.Complete(w.kari, done.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.InvoiceBasis(w.kari, done.ID, from, to); err != nil {
			t.Fatalf("basis of a completed agreement: %v", err)
		}
	})
}

// TestAgreementTextRejectsControlCharacters (finding 8a): control
// characters are refused; long texts keep line breaks and tabs, and Sámi
// letters pass.
func TestAgreementTextRejectsControlCharacters(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		in := w.input(10)
		in.Title = "Stein\x07"
		in.DeliveryPoint = "Sandvika\x1b[31m"
		in.OpeningHours = "07\t15"
		in.FreeText = "nul\x00"
		_, err := w.s.Create(w.kari, in)
		failure(t, err, fail.Invalid, "validation")
		got := strings.Join(fieldsOf(err), " ")
		for _, f := range []string{"/title:ErrFieldInvalid", "/delivery_point:ErrFieldInvalid", "/opening_hours:ErrFieldInvalid", "/free_text:ErrFieldInvalid"} {
			if !strings.Contains(got, f) {
				t.Fatalf("fields %s, want %s", got, f)
			}
		}
		in = w.input(10)
		in.Title = "Čáhcesuolu ŋ đ ŧ"
		in.FreeText = "Linje 1\n\tLinje 2"
		if _, err := w.s.Create(w.kari, in); err != nil {
			t.Fatal(err)
		}
	})
}
