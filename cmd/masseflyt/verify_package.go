package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/masseflyt/masseflyt/core/report"
)

// ErrPackageBroken is verify's error when a supervision package does not
// verify.
var ErrPackageBroken = errors.New("the package does not verify")

// verifyPackage is `masseflyt verify --package FILE`: it checks a
// supervision package offline (no database, no network): every file's
// SHA-256 against manifest.json, no file missing or extra, the manifest's
// signature, each agreement chain's hashes, links and signatures against
// the public keys in the manifest, and each inclusion proof against its
// signed daily root. It prints OK, or names the first file (and entry)
// that fails.
func verifyPackage(path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	v, err := report.VerifyPackage(f, st.Size())
	var fl *report.Failure
	if errors.As(err, &fl) {
		fmt.Fprintf(out, "FAILED: %s\n", fl.Error())
		return ErrPackageBroken
	}
	if err != nil {
		return err
	}
	m := v.Manifest
	fmt.Fprintf(out, "package %s %s (%s), %s to %s, generated %s\n", m.Scope.Kind, m.Scope.Name, m.Scope.ID, m.From, m.To, m.GeneratedAt.Format("2006-01-02 15:04:05Z07:00"))
	fmt.Fprintf(out, "%d files match the manifest; %d chains with %d entries, %d proven in signed daily roots\n", v.Files, v.Chains, v.Entries, v.Rooted)
	for _, k := range m.Keys {
		fmt.Fprintf(out, "ledger key %s %s\n", k.KeyID, k.PublicKey)
	}
	if v.Signed {
		fmt.Fprintf(out, "manifest signed with ledger key %s\n", m.Signature.KeyID)
	} else {
		fmt.Fprintln(out, "manifest not signed (hashes only)")
	}
	fmt.Fprintln(out, "OK: every hash, file, link, signature and inclusion proof verifies")
	return nil
}
