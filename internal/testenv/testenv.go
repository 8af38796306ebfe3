// Package testenv tells tests where they run. In CI a test whose real
// dependency (PostgreSQL, Chromium, Node) is missing fails; elsewhere it
// skips and says why.
package testenv

import (
	"os"
	"testing"
)

// CI reports whether the tests run in CI: any non-empty CI variable counts
// (CI=true, CI=1, CI=yes …).
func CI() bool { return os.Getenv("CI") != "" }

// SQLiteOnly reports a run that asked for SQLite alone
// (MASSEFLYT_TEST_BACKENDS=sqlite), such as CI's second run at a shifted
// date: tests that need PostgreSQL skip there, even in CI.
func SQLiteOnly() bool { return os.Getenv("MASSEFLYT_TEST_BACKENDS") == "sqlite" }

// Need fails the test in CI, and skips it elsewhere, with the reason a
// dependency is missing. A SQLite-only run skips.
func Need(t testing.TB, reason string) {
	t.Helper()
	if CI() && !SQLiteOnly() {
		t.Fatalf("in CI this test must run: %s", reason)
	}
	t.Skip(reason)
}
