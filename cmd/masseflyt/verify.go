package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/store"
)

// ErrLedgerBroken is verify's error when a chain does not verify.
var ErrLedgerBroken = errors.New("the ledger does not verify")

// verifyCmd is `masseflyt verify --agreement ID [--tenant SLUG] [--json]`
// or `masseflyt verify --package FILE` (verify_package.go):
// it verifies an agreement's load ledger offline, straight against the
// database (no server, no private key: public keys come from ledger_keys),
// prints the proof and names the first entry that breaks the chain.
func verifyCmd(cfg *app.Config, fs *flag.FlagSet, args []string, out io.Writer) error {
	agreementID := fs.String("agreement", "", "the agreement whose ledger to verify (its ID)")
	slug := fs.String("tenant", "", "the region's slug (default: found from the agreement's entries)")
	asJSON := fs.Bool("json", false, "print the whole proof as JSON")
	pkg := fs.String("package", "", "a supervision package (ZIP) to check offline: manifest hashes, files, chains, signatures and inclusion proofs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pkg != "" {
		return verifyPackage(*pkg, out)
	}
	if !store.ValidID(*agreementID) {
		return errors.New("verify: --agreement must be an agreement ID")
	}
	if err := cfg.Finish(); err != nil {
		return err
	}
	db, err := store.Open(store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, KeyURL: cfg.MigrateDatabaseURL, Clock: cfg.Clock})
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.CheckRLS(ctx); err != nil {
		return err
	}
	tid, err := verifyTenant(ctx, db, *slug, *agreementID)
	if err != nil {
		return err
	}
	l := &ledger.Ledger{DB: db, Keys: ledger.PublicOnly()}
	rep, err := l.Verify(store.WithTenant(ctx, tid), *agreementID)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rooted := 0
		for _, p := range rep.Entries {
			if p.Rooted {
				rooted++
			}
		}
		fmt.Fprintf(out, "agreement %s: %d entries, head %s\n", rep.Chain, rep.Size, rep.Head)
		fmt.Fprintf(out, "%d entries proven in %d signed daily roots; %d await their day's root\n", rooted, len(rep.Roots), rep.Size-rooted)
		if rep.OK {
			fmt.Fprintln(out, "OK: every hash, link, signature and inclusion proof verifies")
		}
	}
	if !rep.OK {
		b := rep.Broken
		fmt.Fprintf(out, "BROKEN at seq %d (entry %s, %s): %s: %s\n", b.Seq, b.ID, b.Kind, b.Reason, b.Detail)
		return ErrLedgerBroken
	}
	return nil
}

// verifyTenant is the tenant of --tenant, or the one whose entries (or
// agreement) carry the ID.
func verifyTenant(ctx context.Context, db *store.DB, slug, id string) (string, error) {
	sys := store.AllTenants(ctx, "verify: find the region of an agreement's ledger")
	var tids []string
	err := db.Read(sys, func(tx *gorm.DB) error {
		if slug != "" {
			return tx.Table("tenants").Where("slug = ?", slug).Pluck("id", &tids).Error
		}
		if err := tx.Table("ledger_entries").Distinct("tenant_id").Where("chain = ?", id).Pluck("tenant_id", &tids).Error; err != nil || len(tids) > 0 {
			return err
		}
		return tx.Table("agreements").Where("id = ?", id).Pluck("tenant_id", &tids).Error
	})
	switch {
	case err != nil:
		return "", err
	case len(tids) == 0 && slug != "":
		return "", fmt.Errorf("verify: unknown tenant %q", slug)
	case len(tids) == 0:
		return "", fmt.Errorf("verify: no agreement or ledger entries with ID %s", id)
	case len(tids) > 1:
		return "", fmt.Errorf("verify: ID %s has entries in %d regions: name one with --tenant", id, len(tids))
	}
	return tids[0], nil
}
