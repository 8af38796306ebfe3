package billing

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// items takes a page's items (the tests that read a whole short list).
func items[T any](p page.Page[T], err error) ([]T, error) { return p.Items, err }

// walk reads a list a page of limit at a time, to its end.
func walk[T any](t *testing.T, limit int, list func(page.Request) (page.Page[T], error)) ([]T, int) {
	t.Helper()
	var all []T
	r := page.Request{Limit: limit}
	for n := 1; n < 100; n++ {
		p, err := list(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > limit {
			t.Fatalf("page %d has %d items, limit %d", n, len(p.Items), limit)
		}
		all = append(all, p.Items...)
		if p.NextCursor == "" {
			return all, n
		}
		r.Cursor = p.NextCursor
	}
	t.Fatal("the walk does not end")
	return nil, 0
}

// TestInvoiceListsPage: the member, organization and platform invoice
// lists come a page at a time, newest period first, then number (member)
// or creation (platform) descending, ties by ID: walking with limit 1
// gives every invoice once in the one-page order; a foreign cursor is a
// validation error on cursor.
func TestInvoiceListsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		if _, err := w.s.Assign(w.admin, w.orgA, AssignInput{Free: true}); err != nil {
			t.Fatal(err)
		}
		now := db.Now().UTC().Truncate(time.Second)
		dec, jan, feb := MonthsBack(now, 3), MonthsBack(now, 2), MonthsBack(now, 1)
		var member []Invoice
		for i, x := range []struct {
			org, num string
			at       time.Time
		}{{w.orgA, "2026-00001", dec}, {w.orgA, "2026-00002", jan}, {w.orgB, "2026-00003", jan}, {w.orgA, "2026-00004", feb}, {w.orgB, "2026-00005", feb}, {w.orgFree, "", feb}} {
			member = append(member, Invoice{ID: store.NewID(), OrgID: x.org, Number: x.num, PeriodStart: x.at, PeriodEnd: PeriodEnd(x.at),
				Status: InvoiceOpen, Lines: LineList{}, CreatedAt: now.Add(time.Duration(i) * time.Minute), UpdatedAt: now})
		}
		// Platform invoices to two regions made in the same instant: the ID
		// breaks the tie in each month.
		var region []RegionInvoice
		for i, x := range []struct {
			region string
			at     time.Time
		}{{w.tid, dec}, {w.tid, jan}, {w.rog, jan}, {w.tid, feb}, {w.rog, feb}} {
			region = append(region, RegionInvoice{ID: store.NewID(), RegionID: x.region, Number: fmt.Sprintf("MF-2026-%05d", i), PeriodStart: x.at, PeriodEnd: PeriodEnd(x.at),
				Status: InvoiceOpen, Lines: LineList{}, CreatedAt: now, UpdatedAt: now})
		}
		if err := db.Tx(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			if err := tx.Create(&member).Error; err != nil {
				return err
			}
			return tx.Create(&region).Error
		}); err != nil {
			t.Fatal(err)
		}
		platform := storetest.Ctx("")
		checks := []struct {
			name string
			list func(page.Request) ([]string, string, error)
			want int
		}{
			{"member", func(r page.Request) ([]string, string, error) {
				p, err := w.s.MemberInvoices(w.admin, r)
				return ids(p.Items, func(i Invoice) string { return i.ID }), p.NextCursor, err
			}, 6},
			{"organization", func(r page.Request) ([]string, string, error) {
				p, err := w.s.Invoices(w.orgAdminA, w.orgA, r)
				return ids(p.Items, func(i Invoice) string { return i.ID }), p.NextCursor, err
			}, 3},
			{"region", func(r page.Request) ([]string, string, error) {
				p, err := w.s.RegionInvoices(w.admin, w.tid, r)
				return ids(p.Items, func(i RegionInvoice) string { return i.ID }), p.NextCursor, err
			}, 3},
			{"platform", func(r page.Request) ([]string, string, error) {
				p, err := w.s.RegionInvoices(platform, "", r)
				return ids(p.Items, func(i RegionInvoice) string { return i.ID }), p.NextCursor, err
			}, 5},
		}
		for _, c := range checks {
			t.Run(c.name, func(t *testing.T) {
				one, next, err := c.list(page.Request{Limit: 100})
				if err != nil || next != "" || len(one) != c.want {
					t.Fatalf("one page: %d items, next %q, %v; want %d", len(one), next, err, c.want)
				}
				walked, pages := walk(t, 1, func(r page.Request) (page.Page[string], error) {
					ids, next, err := c.list(r)
					return page.Page[string]{Items: ids, NextCursor: next}, err
				})
				if pages != c.want || fmt.Sprint(walked) != fmt.Sprint(one) {
					t.Fatalf("walked %v in %d pages; one page %v", walked, pages, one)
				}
				if _, _, err := c.list(page.Request{Limit: 1, Cursor: "bm90LWEtY3Vyc29y"}); fields(err)["/cursor"] == "" {
					t.Fatalf("a foreign cursor: %v", err)
				}
				if _, _, err := c.list(page.Request{Limit: 1, Cursor: page.Key{"x", "y", "z"}.Encode()}); fields(err)["/cursor"] == "" {
					t.Fatalf("a cursor of no position: %v", err)
				}
			})
		}
		// The order: the newest period first; within it the highest number.
		got, _, _ := checks[0].list(page.Request{Limit: 100})
		want := []string{member[4].ID, member[3].ID, member[5].ID, member[2].ID, member[1].ID, member[0].ID}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("member order %v, want %v", got, want)
		}
	})
}

func ids[T any](xs []T, id func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}
