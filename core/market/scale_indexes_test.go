package market

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestListsUseTheirIndexes (issue 16): with a region of a few thousand
// listings, the market list in each sort order and the open feed are read
// by the indexes of migration 20261126100000_scale_indexes, as the
// database's own EXPLAIN shows, on SQLite and on PostgreSQL: no scan and
// sort of every listing of the region. On a Citus cluster (issue 17,
// scripts/citus-test.sh) each is also a router query: one task, on the
// tenant's shard.
func TestListsUseTheirIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tid := storetest.Tenant(t, db, "baerum")
		ctx := store.WithTenant(t.Context(), tid)
		now := db.Now()
		orgs := make([]directory.Organization, 200)
		for i := range orgs {
			orgs[i] = directory.Organization{ID: store.NewID(), OrgNumber: fmt.Sprintf("8%08d", i), Name: fmt.Sprintf("Org %03d", i), RegistryStatus: "active"}
		}
		ls := make([]Listing, 3000)
		for i := range ls {
			org := &orgs[i%len(orgs)]
			from := now.AddDate(0, i%40-10, 0)
			ls[i] = Listing{ID: store.NewID(), OrganizationID: org.ID, Kind: Kinds[i%3], Title: fmt.Sprintf("L %d", i), Fractions: directory.List{"leire"},
				QuantityTonnes: float64(1000 + i*7%5000), QuantityValue: 1000, QuantityUnit: "t", AvailableFrom: from, AvailableTo: from.AddDate(1, 0, 0),
				Lat: 59.9, Lon: 10.6, Transport: "seller_delivers", Status: StatusPublished, Visibility: "public", PublishedAt: &now, CreatedAt: now, UpdatedAt: now}
		}
		if err := db.Tx(ctx, func(tx *gorm.DB) error {
			if err := tx.CreateInBatches(orgs, 100).Error; err != nil {
				return err
			}
			return tx.CreateInBatches(ls, 300).Error
		}); err != nil {
			t.Fatal(err)
		}
		// Fresh statistics, as autovacuum would gather: ANALYZE is the
		// table owner's on Postgres, not the app role's.
		stats := db
		if db.Dialect == store.Postgres {
			var name string
			if err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Raw("SELECT current_database()").Scan(&name).Error }); err != nil {
				t.Fatal(err)
			}
			owner, err := store.Open(store.Options{URL: storetest.WithDB(os.Getenv("MASSEFLYT_TEST_POSTGRES"), name)})
			if err != nil {
				t.Fatal(err)
			}
			defer owner.Close()
			stats = owner
		}
		if err := stats.Tx(store.System(t.Context(), "test: statistics"), func(tx *gorm.DB) error { return tx.Exec("ANALYZE").Error }); err != nil {
			t.Fatal(err)
		}
		s := &Service{DB: db}
		visitor := storetest.Ctx(tid, storetest.As(storetest.User(t, db, "ola@example.no"), auth.RoleAnonymous, auth.RoleAuthenticated))
		plan := func(build func(tx *gorm.DB) *gorm.DB) string {
			t.Helper()
			var out []string
			if err := db.Read(visitor, func(tx *gorm.DB) error {
				stmt := build(tx.Session(&gorm.Session{DryRun: true})).Statement
				explain := "EXPLAIN QUERY PLAN "
				if db.Dialect == store.Postgres {
					explain = "EXPLAIN "
				}
				rows, err := tx.Raw(explain+stmt.SQL.String(), stmt.Vars...).Rows()
				if err != nil {
					return err
				}
				defer rows.Close()
				cols, _ := rows.Columns()
				for rows.Next() {
					vals := make([]any, len(cols))
					ptrs := make([]any, len(cols))
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						return err
					}
					out = append(out, fmt.Sprint(vals...))
				}
				return rows.Err()
			}); err != nil {
				t.Fatal(err)
			}
			return strings.Join(out, "\n")
		}
		for _, c := range []struct {
			name, index string
			build       func(tx *gorm.DB) *gorm.DB
		}{
			{"by date", "listings_by_from", func(tx *gorm.DB) *gorm.DB {
				q, _ := s.after(s.search(visitor, tx, Filter{}), "", nil)
				return q.Limit(ListingBounds.Default + 1).Find(&[]Listing{})
			}},
			{"by date, next page", "listings_by_from", func(tx *gorm.DB) *gorm.DB {
				q, _ := s.after(s.search(visitor, tx, Filter{}), "", page.Key{ls[0].AvailableFrom.UTC().Format(time.RFC3339Nano), ls[0].ID})
				return q.Limit(ListingBounds.Default + 1).Find(&[]Listing{})
			}},
			{"by date, one kind", "listings_by_kind_from", func(tx *gorm.DB) *gorm.DB {
				q, _ := s.after(s.search(visitor, tx, Filter{Kind: "need"}), "", nil)
				return q.Limit(ListingBounds.Default + 1).Find(&[]Listing{})
			}},
			{"by quantity", "listings_by_quantity", func(tx *gorm.DB) *gorm.DB {
				q, _ := s.after(s.search(visitor, tx, Filter{Sort: "quantity"}), "quantity", nil)
				return q.Limit(ListingBounds.Default + 1).Find(&[]Listing{})
			}},
			{"by quantity, next page", "listings_by_quantity", func(tx *gorm.DB) *gorm.DB {
				q, _ := s.after(s.search(visitor, tx, Filter{Sort: "quantity"}), "quantity", page.Key{"3000", ls[0].ID})
				return q.Limit(ListingBounds.Default + 1).Find(&[]Listing{})
			}},
			{"feed", "listings_by_published", func(tx *gorm.DB) *gorm.DB {
				return withOwner(tx).Where("listings.status IN ? AND listings.visibility = ? AND listings.available_to >= ?", OpenStatuses, "public", s.today()).
					Order("listings.published_at DESC, listings.id").Limit(50).Find(&[]Listing{})
			}},
		} {
			p := plan(c.build)
			if !strings.Contains(p, c.index) {
				t.Errorf("%s: the plan does not use %s:\n%s", c.name, c.index, p)
			}
			// On Citus the list reads one shard, the tenant's: a query
			// fanned out to every shard costs each node a scan per page.
			if db.Citus && !strings.Contains(p+"\n", "Task Count: 1\n") {
				t.Errorf("%s: the plan is not routed to the tenant's shard:\n%s", c.name, p)
			}
			if db.Dialect == store.SQLite && strings.Contains(p, "USE TEMP B-TREE FOR ORDER BY") {
				t.Errorf("%s: sorted after reading:\n%s", c.name, p)
			}
		}
	})
}
