package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

func TestRaw(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		db := e.App.DB
		a := e.Ctx("baerum")
		var mine, all int64
		if err := db.Read(a, func(tx *gorm.DB) error {
			return store.Raw(tx, "SELECT count(*) FROM organizations WHERE tenant_id = @tenant", nil).Scan(&mine).Error
		}); err != nil || mine == 0 {
			t.Fatalf("scoped raw count: %d, %v", mine, err)
		}
		if err := db.Read(store.System(context.Background(), "test: count all"), func(tx *gorm.DB) error {
			return store.Raw(tx, "SELECT count(*) FROM organizations", nil).Scan(&all).Error
		}); err != nil || all <= mine {
			t.Fatalf("system raw count %d (tenant %d), %v", all, mine, err)
		}
		err := db.Read(a, func(tx *gorm.DB) error {
			return store.Raw(tx, "SELECT count(*) FROM organizations", nil).Scan(&all).Error
		})
		if err == nil || !strings.Contains(err.Error(), "@tenant") {
			t.Errorf("raw SQL without @tenant in a tenant context: %v", err)
		}
		err = db.Read(context.Background(), func(tx *gorm.DB) error {
			return store.Raw(tx, "SELECT count(*) FROM organizations WHERE tenant_id = @tenant", nil).Scan(&all).Error
		})
		if !errors.Is(err, store.ErrNoTenant) {
			t.Errorf("raw SQL without a tenant: %v", err)
		}
		var users int64
		if err := db.Read(context.Background(), func(tx *gorm.DB) error {
			return store.Raw(tx, "SELECT count(*) FROM users", nil).Scan(&users).Error
		}); err != nil || users == 0 {
			t.Errorf("raw SQL on a global table: %d, %v", users, err)
		}
	})
}

// TestRawSQLGoesThroughTheHelper: outside the store, migrations and tests,
// no code calls GORM's Raw or Exec directly.
func TestRawSQLGoesThroughTheHelper(t *testing.T) {
	root := filepath.Join("..", "..")
	direct := regexp.MustCompile(`\.(Raw|Exec)\(`)
	files := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case "core/store", "migrations", "node_modules", ".git", "tests", "internal/apitest":
				return filepath.SkipDir
			}
			if d.Name() == "node_modules" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if direct.MatchString(strings.ReplaceAll(line, "store.Raw(", "")) && !strings.Contains(line, "conn.Exec(") { // the helper itself; pgx LISTEN/NOTIFY connection, not GORM
				t.Errorf("%s:%d: raw SQL outside store.Raw: %s", rel, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("scanned only %d files", files)
	}
}
