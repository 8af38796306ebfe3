package matching_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var start = time.Date(2030, 1, 15, 8, 0, 0, 0, time.UTC)

// fixture writes, with the store alone, what notifications need: an
// organization, n listings (the counterparts the notifications name, and
// whose titles they show) and one notification per listing for user,
// created a minute apart. read marks which are read. It returns the
// notification IDs in creation order.
func fixture(t *testing.T, db *store.DB, mc *clock.Manual, tenantID, userID string, read []bool) []string {
	t.Helper()
	ctx := store.WithTenant(t.Context(), tenantID)
	org := store.NewID()
	var ids []string
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		now := db.Now()
		if err := tx.Create(&directory.Organization{ID: org, OrgNumber: "987654321", Name: "Fornebu Anlegg", RegistryStatus: "active", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			return err
		}
		// The user's need, which every counterpart matches.
		own := store.NewID()
		if err := tx.Create(&market.Listing{ID: own, OrganizationID: org, Kind: "need", Title: "Behov", Fractions: directory.List{"sprengstein"},
			QuantityTonnes: 1000, QuantityValue: 1000, QuantityUnit: "t", AvailableFrom: now, AvailableTo: now.AddDate(1, 0, 0), Lat: 59.9, Lon: 10.6,
			Transport: "seller_delivers", Status: market.StatusPublished, Visibility: "public", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			return err
		}
		for i, r := range read {
			mc.Advance(time.Minute)
			now := db.Now()
			l := store.NewID()
			if err := tx.Create(&market.Listing{ID: l, OrganizationID: org, Kind: "surplus", Title: fmt.Sprintf("Overskudd %02d", i), Fractions: directory.List{"sprengstein"},
				QuantityTonnes: 1000, QuantityValue: 1000, QuantityUnit: "t", AvailableFrom: now, AvailableTo: now.AddDate(1, 0, 0), Lat: 59.9, Lon: 10.6,
				Transport: "seller_delivers", Status: market.StatusPublished, Visibility: "public", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
				return err
			}
			n := &matching.Notification{ID: store.NewID(), UserID: userID, Kind: "match", ListingID: own, CounterpartID: l, CreatedAt: now}
			if r {
				n.ReadAt = &now
			}
			if err := tx.Create(n).Error; err != nil {
				return err
			}
			ids = append(ids, n.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestNotificationsPaging: the caller's notifications come unread first,
// newest first, each with its counterpart's title; the cursor walks all of
// them once at any page size; someone else's are never listed; a visitor is
// unauthorized; a malformed cursor is a validation error on "cursor".
func TestNotificationsPaging(t *testing.T) {
	mc := clock.NewManual(start)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := &matching.Service{DB: db}
		tid := storetest.Tenant(t, db, "a")
		kari, ola := storetest.User(t, db, "kari@example.no"), storetest.User(t, db, "ola@example.no")
		read := []bool{false, true, false, true, true, false, false}
		ids := fixture(t, db, mc, tid, kari.ID, read)
		fixture(t, db, mc, storetest.Tenant(t, db, "b"), kari.ID, []bool{false}) // another tenant's
		var unread, done []string
		for i := len(ids) - 1; i >= 0; i-- {
			if read[i] {
				done = append(done, ids[i])
			} else {
				unread = append(unread, ids[i])
			}
		}
		want := append(unread, done...)
		ctx := storetest.Ctx(tid, storetest.As(kari))

		all, err := svc.Notifications(ctx, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(all.Items); !slices.Equal(got, want) || all.NextCursor != "" {
			t.Fatalf("order %v (next %q), want %v", got, all.NextCursor, want)
		}
		for i, n := range all.Items {
			if wantTitle := fmt.Sprintf("Overskudd %02d", slices.Index(ids, n.ID)); n.Title != wantTitle || n.TenantID != tid || (n.ReadAt != nil) != read[slices.Index(ids, n.ID)] {
				t.Fatalf("item %d: %+v, want title %q", i, n, wantTitle)
			}
		}
		for _, limit := range []int{1, 2, 3, len(want) - 1, len(want)} {
			var walked []string
			cursor, pages := "", 0
			for {
				p, err := svc.Notifications(ctx, page.Request{Limit: limit, Cursor: cursor})
				if err != nil {
					t.Fatalf("limit %d, page %d: %v", limit, pages, err)
				}
				if len(p.Items) > limit {
					t.Fatalf("limit %d: a page of %d", limit, len(p.Items))
				}
				pages++
				walked = append(walked, idsOf(p.Items)...)
				if p.NextCursor == "" {
					break
				}
				if pages > len(want) {
					t.Fatalf("limit %d: the cursor does not end", limit)
				}
				cursor = p.NextCursor
			}
			if !slices.Equal(walked, want) {
				t.Fatalf("limit %d: walked %v, want %v", limit, walked, want)
			}
			if wantPages := (len(want) + limit - 1) / limit; pages != wantPages {
				t.Errorf("limit %d: %d pages, want %d", limit, pages, wantPages)
			}
		}

		// Someone else sees none of them; a visitor is unauthorized.
		if p, err := svc.Notifications(storetest.Ctx(tid, storetest.As(ola)), page.Request{Limit: 100}); err != nil || len(p.Items) != 0 {
			t.Fatalf("Ola sees %d of Kari's notifications (%v)", len(p.Items), err)
		}
		if _, err := svc.Notifications(storetest.Ctx(tid), page.Request{Limit: 10}); !errors.Is(err, fail.ErrUnauthorized) {
			t.Fatalf("visitor: %v, want unauthorized", err)
		}

		// Malformed cursors are validation errors on the cursor.
		for _, bad := range []string{"%%%", "bm90LWEta2V5", page.Key{"0"}.Encode(), page.Key{"0", "x", "y"}.Encode()} {
			_, err := svc.Notifications(ctx, page.Request{Limit: 10, Cursor: bad})
			fe, ok := fail.As(err)
			if !ok || fe.Code != "validation" || len(fe.Fields) != 1 || fe.Fields[0].Pointer != "/cursor" {
				t.Errorf("cursor %q: %v, want a validation error on /cursor", bad, err)
			}
		}

		// Marking one read moves it behind the unread ones.
		if err := svc.MarkRead(ctx, unread[0]); err != nil {
			t.Fatal(err)
		}
		if err := svc.MarkRead(ctx, unread[0]); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("marking twice: %v, want not found", err)
		}
		if err := svc.MarkRead(storetest.Ctx(tid, storetest.As(ola)), unread[1]); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("Ola marking Kari's: %v, want not found", err)
		}
		after, err := svc.Notifications(ctx, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		// It is the newest of the read ones now.
		wantAfter := append(append(slices.Clone(unread[1:]), unread[0]), done...)
		if got := idsOf(after.Items); !slices.Equal(got, wantAfter) {
			t.Fatalf("after marking %s read: %v, want %v", unread[0], got, wantAfter)
		}
	}, storetest.Clock(mc))
}

func idsOf(ns []matching.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}
