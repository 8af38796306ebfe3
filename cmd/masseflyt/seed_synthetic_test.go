package main

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
)

// TestSeedSynthetic (issue 16): `seed --synthetic N --tenant SLUG` lays out
// N open listings with their organizations, facilities and permits in an
// existing region; the same seed gives the same rows (a second run with it
// is refused, not doubled); another seed adds more; bad flags are refused
// before anything is written. Nothing is announced: no outbox events.
func TestSeedSynthetic(t *testing.T) {
	snapshot := func(dir string) (ids, titles []string) {
		withDB(t, dir, func(tx *gorm.DB) error {
			var rows []struct{ ID, Title string }
			if err := tx.Table("listings").Select("id, title").Order("id").Find(&rows).Error; err != nil {
				return err
			}
			for _, r := range rows {
				ids, titles = append(ids, r.ID), append(titles, r.Title)
			}
			return nil
		})
		return
	}
	var first []string
	for run, layout := range []string{"national", "national"} {
		dir := setup(t)
		mustCLI(t, "tenant", "create", "--slug", "syn", "--name", "Syntetisk region")
		out := mustCLI(t, "seed", "--synthetic", "600", "--tenant", "syn", "--layout", layout, "--seed", "7")
		if !strings.Contains(out, "600 listings") {
			t.Fatalf("seed printed %q", out)
		}
		ids, titles := snapshot(dir)
		if len(ids) != 600 || titles[0] == "" {
			t.Fatalf("%d listings", len(ids))
		}
		if n := count(t, dir, "listings", "status = ? AND tenant_id = (SELECT id FROM tenants WHERE slug = ?)", "published", "syn"); n != 600 {
			t.Fatalf("%d published listings of the region, want 600", n)
		}
		if n := count(t, dir, "sites", "kind = ?", "facility"); n < 30 || count(t, dir, "permits", "") != n {
			t.Fatalf("%d facilities, %d permits", n, count(t, dir, "permits", ""))
		}
		if n := count(t, dir, "outbox", "type = ?", "listing.published"); n != 0 {
			t.Fatalf("%d listings announced", n)
		}
		// Every organization number is well formed (MOD11) and unique.
		withDB(t, dir, func(tx *gorm.DB) error {
			var orgs []directory.Organization
			if err := tx.Find(&orgs).Error; err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, o := range orgs {
				if !directory.ValidOrgNumber(o.OrgNumber) || seen[o.OrgNumber] {
					t.Fatalf("organization number %q", o.OrgNumber)
				}
				seen[o.OrgNumber] = true
			}
			return nil
		})
		joined := strings.Join(ids, ",") + strings.Join(titles, ",")
		if run == 0 {
			first = []string{joined}
		} else if joined != first[0] {
			t.Fatal("the same seed laid out different listings")
		}
		if _, err := cli(t, "seed", "--synthetic", "600", "--tenant", "syn", "--layout", layout, "--seed", "7"); err == nil {
			t.Fatal("the same seed twice: want a refusal")
		}
		if run == 1 {
			mustCLI(t, "seed", "--synthetic", "100", "--tenant", "syn", "--seed", "8")
			if n := count(t, dir, "listings", ""); n != 700 {
				t.Fatalf("after another seed: %d listings", n)
			}
		}
	}
	setup(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"seed", "--synthetic", "10"}, "--tenant"},
		{[]string{"seed", "--synthetic", "0", "--tenant", "syn"}, "number of listings"},
		{[]string{"seed", "--synthetic", "-5", "--tenant", "syn"}, "number of listings"},
		{[]string{"seed", "--synthetic", "10", "--tenant", "syn", "--layout", "moon"}, "dense or national"},
		{[]string{"seed", "--synthetic", "10", "--tenant", "nowhere"}, "no region"},
	} {
		_, err := cli(t, c.args...)
		wantErr(t, err, c.want)
	}
}
