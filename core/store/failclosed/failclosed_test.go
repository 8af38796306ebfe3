package failclosed

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/store"
	"gorm.io/gorm"
)

// note is a tenant-owned model that nothing else in the code base knows.
type note struct {
	store.TenantRow
	ID   string `gorm:"primaryKey"`
	Text string
}

func (note) TableName() string { return "failclosed_notes" }

// plain is a global model: no TenantRow, no tenant_id column.
type plain struct {
	ID   string `gorm:"primaryKey"`
	Text string
}

func (plain) TableName() string { return "failclosed_plain" }

func TestUnscopedQueryFailsClosed(t *testing.T) {
	db, err := store.Open(store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	sys := store.System(context.Background(), "test: create the tables")
	if err := db.Gorm.WithContext(sys).AutoMigrate(&note{}, &plain{}); err != nil {
		t.Fatal(err)
	}
	if got := db.TenantTables(); len(got) != 0 {
		t.Fatalf("catalog before refresh: %v (the model alone must be enough)", got)
	}
	a, b := store.WithTenant(context.Background(), "A"), store.WithTenant(context.Background(), "B")
	if err := db.Tx(a, func(tx *gorm.DB) error { return tx.Create(&note{ID: "1", Text: "a"}).Error }); err != nil {
		t.Fatalf("create in A: %v", err)
	}
	if err := db.Tx(b, func(tx *gorm.DB) error { return tx.Create(&note{ID: "1", Text: "b"}).Error }); err != nil {
		t.Fatalf("create in B: %v", err)
	}
	bare := context.Background()
	for name, op := range map[string]func(tx *gorm.DB) error{
		"find":   func(tx *gorm.DB) error { var ns []note; return tx.Find(&ns).Error },
		"count":  func(tx *gorm.DB) error { var n int64; return tx.Model(&note{}).Count(&n).Error },
		"update": func(tx *gorm.DB) error { return tx.Model(&note{}).Where("id = ?", "1").Update("text", "x").Error },
		"delete": func(tx *gorm.DB) error { return tx.Where("id = ?", "1").Delete(&note{}).Error },
		"create": func(tx *gorm.DB) error { return tx.Create(&note{ID: "2"}).Error },
	} {
		if err := db.Tx(bare, op); !errors.Is(err, store.ErrNoTenant) {
			t.Errorf("%s without a tenant: err = %v, want ErrNoTenant", name, err)
		}
	}
	var ns []note
	if err := db.Read(a, func(tx *gorm.DB) error { return tx.Find(&ns).Error }); err != nil || len(ns) != 1 || ns[0].Text != "a" || ns[0].TenantID != "A" {
		t.Errorf("A reads %+v, %v; want only its own note", ns, err)
	}
	if err := db.Tx(b, func(tx *gorm.DB) error {
		return tx.Create(&note{TenantRow: store.TenantRow{TenantID: "A"}, ID: "3"}).Error
	}); !errors.Is(err, store.ErrTenantMismatch) {
		t.Errorf("B creating a row for A: %v", err)
	}
	// A table named without a model is scoped once the catalog knows it.
	if err := db.RefreshCatalog(); err != nil {
		t.Fatal(err)
	}
	if got := db.TenantTables(); len(got) != 1 || got[0] != "failclosed_notes" {
		t.Fatalf("catalog: %v", got)
	}
	var n int64
	if err := db.Read(bare, func(tx *gorm.DB) error { return tx.Table("failclosed_notes").Count(&n).Error }); !errors.Is(err, store.ErrNoTenant) {
		t.Errorf("a raw table query without a tenant: %v", err)
	}
	if err := db.Read(b, func(tx *gorm.DB) error { return tx.Table("failclosed_notes").Count(&n).Error }); err != nil || n != 1 {
		t.Errorf("B counts %d, %v; want 1", n, err)
	}
	// Global models need no tenant.
	if err := db.Tx(bare, func(tx *gorm.DB) error { return tx.Create(&plain{ID: "1"}).Error }); err != nil {
		t.Errorf("global create: %v", err)
	}
}

// TestLinksOnlyTheStore proves the point of the package: its test binary
// links neither the migrations nor any domain package, only the store and
// the kernel leaves it uses (the clock, the domain errors).
func TestLinksOnlyTheStore(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/masseflyt/masseflyt/") && p != "github.com/masseflyt/masseflyt/core/store" && p != "github.com/masseflyt/masseflyt/core/clock" && p != "github.com/masseflyt/masseflyt/core/fail" && !strings.HasPrefix(p, "github.com/masseflyt/masseflyt/core/store/failclosed") {
			t.Errorf("the test binary links %s", p)
		}
	}
}
