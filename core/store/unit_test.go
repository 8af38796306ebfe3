package store_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestUnitIsOneTransaction: every Tx and Read under a unit's context is one
// transaction: its writes are seen inside and nowhere else until it commits,
// each Tx keeps its own tenant (row-level security included), a failed Tx
// undoes only itself, and the unit commits or rolls back as a whole, with
// the after-commit and rollback hooks to match.
func TestUnitIsOneTransaction(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		db := e.App.DB
		bg := context.Background()
		a, b := e.Tenant("baerum").ID, e.Tenant("rogaland").ID
		first := func(ctx context.Context) directory.Organization {
			t.Helper()
			var o directory.Organization
			if err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Order("id").Take(&o).Error }); err != nil {
				t.Fatal(err)
			}
			return o
		}
		orgA, orgB := first(store.WithTenant(bg, a)), first(store.WithTenant(bg, b))
		describe := func(ctx context.Context, id, text string) error {
			return db.Tx(ctx, func(tx *gorm.DB) error {
				return tx.Model(&directory.Organization{}).Where("id = ?", id).Update("description", text).Error
			})
		}
		description := func(ctx context.Context, id string) string {
			t.Helper()
			var o directory.Organization
			if err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&o).Error }); err != nil {
				t.Fatal(err)
			}
			return o.Description
		}
		// rawCount counts the organization past the scoping plugin: only
		// row-level security (Postgres) keeps another tenant's row out.
		rawCount := func(tx *gorm.DB, id string) int64 {
			t.Helper()
			var n int64
			if err := tx.Raw("SELECT count(*) FROM organizations WHERE id = ?", id).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		errBoom, errAbort := errors.New("boom"), errors.New("abort")

		for _, commit := range []bool{false, true} {
			name := map[bool]string{false: "rollback", true: "commit"}[commit]
			t.Run(name, func(t *testing.T) {
				var committed, undone int
				err := db.Unit(bg, func(u context.Context) error {
					if !store.InUnit(u) || store.InUnit(bg) {
						t.Fatal("InUnit does not tell the unit's context")
					}
					ua, ub := store.WithTenant(u, a), store.WithTenant(u, b)
					store.OnRollback(u, func() { undone++ })
					if err := db.Tx(ua, func(tx *gorm.DB) error {
						store.AfterCommit(tx, func() { committed++ })
						return tx.Model(&directory.Organization{}).Where("id = ?", orgA.ID).Update("description", name+" a").Error
					}); err != nil {
						return err
					}
					if err := describe(ub, orgB.ID, name+" b"); err != nil {
						return err
					}
					if committed != 0 {
						t.Error("an after-commit hook ran before the unit committed")
					}
					if got := description(ua, orgA.ID); got != name+" a" {
						t.Errorf("inside the unit: %q", got)
					}
					if got := description(store.WithTenant(bg, a), orgA.ID); got != orgA.Description {
						t.Errorf("outside the unit before its commit: %q, want %q", got, orgA.Description)
					}
					// A failed Tx undoes itself only.
					if err := db.Tx(ua, func(tx *gorm.DB) error {
						if err := tx.Model(&directory.Organization{}).Where("id = ?", orgA.ID).Update("description", "doomed").Error; err != nil {
							return err
						}
						return errBoom
					}); !errors.Is(err, errBoom) {
						t.Errorf("a failing Tx in a unit: %v", err)
					}
					if got := description(ua, orgA.ID); got != name+" a" {
						t.Errorf("after a failed Tx: %q", got)
					}
					// A SQL error fails its Tx only: the unit goes on.
					if err := db.Tx(ua, func(tx *gorm.DB) error { return tx.Exec("SELECT * FROM no_such_table").Error }); err == nil {
						t.Error("a query of a missing table passed")
					}
					if got := description(ua, orgA.ID); got != name+" a" {
						t.Errorf("after a SQL error: %q", got)
					}
					// A Tx inside a Tx that then fails: the inner one's
					// writes and after-commit hooks go with the outer one.
					if err := db.Tx(ua, func(tx *gorm.DB) error {
						if err := db.Tx(ub, func(tx *gorm.DB) error {
							store.AfterCommit(tx, func() { committed += 100 })
							return tx.Model(&directory.Organization{}).Where("id = ?", orgB.ID).Update("description", "doomed").Error
						}); err != nil {
							return err
						}
						return errBoom
					}); !errors.Is(err, errBoom) {
						t.Errorf("a failing Tx around a Tx: %v", err)
					}
					if got := description(ub, orgB.ID); got != name+" b" {
						t.Errorf("the inner Tx of a failed Tx stays: %q", got)
					}
					if db.Dialect == store.Postgres {
						// Each Tx has its own tenant; a Tx inside a Tx
						// (whatever its context) leaves the enclosing
						// one's tenant in force.
						if err := db.Tx(ua, func(tx *gorm.DB) error {
							if n := rawCount(tx, orgB.ID); n != 0 {
								t.Errorf("tenant A's Tx in a unit sees tenant B's row (%d)", n)
							}
							if err := db.Tx(ub, func(tx *gorm.DB) error {
								if rawCount(tx, orgB.ID) != 1 || rawCount(tx, orgA.ID) != 0 {
									t.Error("the nested Tx does not have tenant B's settings")
								}
								return nil
							}); err != nil {
								return err
							}
							if rawCount(tx, orgA.ID) != 1 || rawCount(tx, orgB.ID) != 0 {
								t.Error("after a nested Tx the enclosing Tx lost tenant A's settings")
							}
							return nil
						}); err != nil {
							t.Fatal(err)
						}
					}
					if !commit {
						return errAbort
					}
					return nil
				})
				if store.InUnit(bg) {
					t.Fatal("InUnit outside")
				}
				want := map[bool]string{false: orgA.Description, true: name + " a"}[commit]
				wantB := map[bool]string{false: orgB.Description, true: name + " b"}[commit]
				if commit && err != nil || !commit && !errors.Is(err, errAbort) {
					t.Fatalf("unit: %v", err)
				}
				if got := description(store.WithTenant(bg, a), orgA.ID); got != want {
					t.Errorf("tenant A after the unit: %q, want %q", got, want)
				}
				if got := description(store.WithTenant(bg, b), orgB.ID); got != wantB {
					t.Errorf("tenant B after the unit: %q, want %q", got, wantB)
				}
				if wantRan := map[bool]int{false: 0, true: 1}[commit]; committed != wantRan || undone != 1-wantRan {
					t.Errorf("after-commit hooks ran %d times, rollback hooks %d times", committed, undone)
				}
				// Restore the fixtures' text for the next case.
				if err := describe(store.WithTenant(bg, a), orgA.ID, orgA.Description); err != nil {
					t.Fatal(err)
				}
				if err := describe(store.WithTenant(bg, b), orgB.ID, orgB.Description); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}
