package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/report"
	"github.com/masseflyt/masseflyt/core/store"
)

// TestVerifyPackage: `masseflyt verify --package FILE` checks a supervision
// package of the demo region offline; a changed byte in lass.csv, a
// removed file and a changed chain entry each fail, naming it.
func TestVerifyPackage(t *testing.T) {
	dir := setup(t)
	mustCLI(t, "migrate")
	mustCLI(t, "seed")
	db, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ledger.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	l := &ledger.Ledger{DB: db, Keys: keys}
	var row struct{ TenantID, Site string }
	if err := db.Read(sys(), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT l.tenant_id, l.pickup_site_id AS site FROM loads l JOIN sites s ON s.tenant_id = l.tenant_id AND s.id = l.pickup_site_id
			WHERE s.kind = 'project' GROUP BY l.tenant_id, l.pickup_site_id ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&row).Error
	}); err != nil || row.Site == "" {
		t.Fatalf("no demo project with loads: %v", err)
	}
	ctx := store.WithTenant(context.Background(), row.TenantID)
	if _, err := l.SealDays(ctx); err != nil {
		t.Fatal(err)
	}
	now := db.Now()
	sc := &report.Scope{Kind: report.KindProject, ID: row.Site, Name: "Demo", TenantID: row.TenantID, From: numfmt.ISODate(now.AddDate(-1, 0, 0)), To: numfmt.ISODate(now),
		Start: now.AddDate(-1, 0, -1), Until: now.Add(time.Hour)}
	var buf bytes.Buffer
	if err := report.New(db, l).Write(ctx, sc, "nb", &buf); err != nil {
		t.Fatal(err)
	}
	db.Close()
	data := buf.Bytes()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	got := mustCLI(t, "verify", "--package", write("ok.zip", data))
	if !strings.Contains(got, "OK:") || !strings.Contains(got, "manifest signed") || strings.Contains(got, " 0 chains") {
		t.Fatalf("verify said %q", got)
	}
	var m report.Manifest
	json.Unmarshal(unzipped(t, data)[report.FileManifest], &m)
	var proof string
	for _, f := range m.Files {
		if strings.HasPrefix(f.Path, report.ChainDir) {
			proof = f.Path
			break
		}
	}
	for _, c := range []struct {
		name  string
		edit  func(files map[string][]byte)
		names string
	}{
		{"a changed byte in lass.csv", func(fs map[string][]byte) { fs[report.FileLoadsCSV][len(fs[report.FileLoadsCSV])-3] ^= 1 }, "FAILED: lass.csv: SHA-256"},
		{"a removed file", func(fs map[string][]byte) { delete(fs, report.FileSites) }, "FAILED: steder.geojson: missing"},
		{"a changed chain entry", func(fs map[string][]byte) {
			var p report.ChainFile
			json.Unmarshal(fs[proof], &p)
			p.Entries[0].Kind = "load.rejected"
			fs[proof], _ = json.Marshal(p)
			// The manifest made again without its signature: the chain
			// itself names the entry.
			for i, f := range m.Files {
				if f.Path == proof {
					s := sha256.Sum256(fs[proof])
					m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(s[:]), int64(len(fs[proof]))
				}
			}
			m.Signature = nil
			fs[report.FileManifest], _ = json.Marshal(m)
		}, "FAILED: " + proof + ": seq 1 (entry "},
	} {
		fs := unzipped(t, data)
		c.edit(fs)
		got, err := cli(t, "verify", "--package", write("bad.zip", zipped(t, fs)))
		wantErr(t, err, "does not verify")
		if !strings.Contains(got, c.names) {
			t.Fatalf("%s: verify said %q", c.name, got)
		}
	}
	_, err = cli(t, "verify", "--package", filepath.Join(dir, "none.zip"))
	wantErr(t, err, "no such file")
}

func unzipped(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

func zipped(t *testing.T, fs map[string][]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for name, b := range fs {
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	return out.Bytes()
}
