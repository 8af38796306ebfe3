package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/report"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

func TestMain(m *testing.M) { apitest.Main(m) }

// loaded is a world with loads on one agreement: three accepted, one
// rejected, one on the road; the day's ledger root sealed.
func loaded(t *testing.T, e *apitest.Env) (*haultest.World, *report.Service) {
	w := haultest.New(e)
	for _, tn := range []float64{17, 18.5, 16} {
		w.Received(w.Order, tn)
	}
	l := w.OnTheRoad(w.Order, 15)
	_, err := w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, WeightTonnes: 15, Result: haul.ResultRejected, Reason: "Jord i lasset"})
	w.Must(err)
	w.OnTheRoad(w.Order, 14)
	e.Settle()
	// Seal today's root as the day-seal job will after midnight.
	later := *e.App.DB
	later.Clock = clock.At(apitest.Now().Add(48 * time.Hour))
	sealer := &ledger.Ledger{DB: &later, Keys: e.App.Ledger.Keys}
	if _, err := sealer.SealDays(e.Ctx("baerum")); err != nil {
		t.Fatal(err)
	}
	return w, report.New(e.App.DB, e.App.Ledger)
}

func q(id string) report.Query {
	return report.Query{Kind: report.KindProject, ID: id, From: apitest.Day(-1), To: apitest.Day(1)}
}

func build(t *testing.T, s *report.Service, w *haultest.World) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.WritePackage(w.Supervisor, q(w.FornebuSite), "nb", &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func verify(data []byte) (*report.Verified, error) {
	return report.VerifyPackage(bytes.NewReader(data), int64(len(data)))
}

// rezip copies a package, changing files through edit (nil: drop it).
func rezip(t *testing.T, data []byte, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if b = edit(f.Name, b); b == nil {
			continue
		}
		fw, _ := zw.Create(f.Name)
		fw.Write(b)
	}
	zw.Close()
	return out.Bytes()
}

func file(t *testing.T, data []byte, name string) []byte {
	t.Helper()
	var got []byte
	rezip(t, data, func(n string, b []byte) []byte {
		if n == name {
			got = b
		}
		return b
	})
	if got == nil {
		t.Fatalf("no %s in the package", name)
	}
	return got
}

func failure(t *testing.T, err error) *report.Failure {
	t.Helper()
	var f *report.Failure
	if !errors.As(err, &f) {
		t.Fatalf("want a failure, got %v", err)
	}
	return f
}

// A package holds every file; it verifies offline; a changed byte, a
// missing file, a changed chain entry each fail and are named.
func TestPackageVerifies(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w, s := loaded(t, e)
		data := build(t, s, w)
		v, err := verify(data)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Signed || v.Chains != 1 || v.Entries < 15 || v.Rooted != v.Entries || v.Files < 7 {
			t.Fatalf("verified %+v", v)
		}
		for _, name := range []string{report.FileSummary, report.FileAgreementsCSV, report.FileAgreementsXLSX, report.FileLoadsCSV, report.FileLoadsXLSX, report.FileSites} {
			file(t, data, name)
		}
		if pdf := file(t, data, report.FileSummary); !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatal("the summary is not a PDF")
		}
		csv := string(file(t, data, report.FileLoadsCSV))
		if lines := strings.Count(csv, "\r\n"); lines != 7 || !strings.Contains(csv, "Retur") || !strings.Contains(csv, "Avvist") || !strings.Contains(csv, "Jord i lasset") || !strings.Contains(csv, ";17,00;") {
			t.Fatalf("lass.csv (%d lines):\n%s", lines, csv)
		}
		x, err := excelize.OpenReader(bytes.NewReader(file(t, data, report.FileLoadsXLSX)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows("Lass")
		if err != nil || len(rows) != 7 || rows[0][0] != "Lass" {
			t.Fatalf("lass.xlsx: %v %d rows", err, len(rows))
		}
		if typ, _ := x.GetCellType("Lass", "U2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString { // accepted tonnes
			t.Fatalf("accepted tonnes stored as text (%v)", typ)
		}
		x.Close()
		var geo struct {
			Features []struct {
				Geometry   struct{ Type string }
				Properties map[string]any
			}
		}
		if err := json.Unmarshal(file(t, data, report.FileSites), &geo); err != nil {
			t.Fatal(err)
		}
		lines := 0
		for _, f := range geo.Features {
			if f.Geometry.Type == "LineString" {
				if f.Properties["loads"].(float64) == 5 && f.Properties["tonnes"].(float64) == 51.5 {
					lines++
				}
			}
		}
		if lines != 1 {
			t.Fatalf("%d lines in %+v", lines, geo)
		}

		cases := []struct {
			name      string
			edit      func(string, []byte) []byte
			file, has string
		}{
			{"a changed byte in lass.csv", func(n string, b []byte) []byte {
				if n == report.FileLoadsCSV {
					b = bytes.Replace(b, []byte("17,00"), []byte("18,00"), 1)
				}
				return b
			}, report.FileLoadsCSV, "SHA-256"},
			{"a removed file", func(n string, b []byte) []byte {
				if n == report.FileSites {
					return nil
				}
				return b
			}, report.FileSites, "missing"},
			{"an extra file", func(n string, b []byte) []byte { return b }, "", ""},
			{"a changed chain entry", func(n string, b []byte) []byte {
				if strings.HasPrefix(n, report.ChainDir) {
					b = bytes.Replace(b, []byte(`"kind":"load.departed"`), []byte(`"kind":"load.arrived"`), 1)
				}
				return b
			}, "bevis/", "SHA-256"},
		}
		for _, c := range cases {
			if c.file == "" {
				continue
			}
			bad := rezip(t, data, c.edit)
			_, err := verify(bad)
			if err == nil {
				t.Fatalf("%s: verified", c.name)
			}
			f := failure(t, err)
			if !strings.HasPrefix(f.File, c.file) || !strings.Contains(f.Error(), c.has) {
				t.Fatalf("%s: %v", c.name, f)
			}
		}
		// A changed entry with the manifest's hashes made again: the
		// signature fails; without the signature, the chain names the entry.
		var entryID string
		rehash := func(sign bool) []byte {
			var m report.Manifest
			json.Unmarshal(file(t, data, report.FileManifest), &m)
			changed := map[string][]byte{}
			tampered := rezip(t, data, func(n string, b []byte) []byte {
				if strings.HasPrefix(n, report.ChainDir) {
					var p report.ChainFile
					json.Unmarshal(b, &p)
					p.Entries[1].Data = strings.Replace(p.Entries[1].Data, "}", `,"x":1}`, 1)
					entryID = p.Entries[1].ID
					b, _ = json.Marshal(p)
					changed[n] = b
				}
				return b
			})
			for i, f := range m.Files {
				if b, ok := changed[f.Path]; ok {
					m.Files[i].SHA256, m.Files[i].Size = sha(b), int64(len(b))
				}
			}
			if !sign {
				m.Signature = nil
			}
			mb, _ := json.Marshal(m)
			return rezip(t, tampered, func(n string, b []byte) []byte {
				if n == report.FileManifest {
					return mb
				}
				return b
			})
		}
		if f := failure(t, func() error { _, err := verify(rehash(true)); return err }()); f.File != report.FileManifest || f.Entry != "signature" {
			t.Fatalf("re-hashed, still signed: %v", f)
		}
		f := failure(t, func() error { _, err := verify(rehash(false)); return err }())
		if !strings.HasPrefix(f.File, report.ChainDir) || f.Entry != "seq 2 (entry "+entryID+")" || !strings.Contains(f.Reason, ledger.ReasonHashMismatch) {
			t.Fatalf("a changed entry: %v", f)
		}
		// A changed CSV with the manifest's hash made again and the
		// signature removed: an unsigned manifest does not verify.
		var m report.Manifest
		json.Unmarshal(file(t, data, report.FileManifest), &m)
		csvb := bytes.Replace(file(t, data, report.FileLoadsCSV), []byte("17,00"), []byte("18,00"), 1)
		for i, f := range m.Files {
			if f.Path == report.FileLoadsCSV {
				m.Files[i].SHA256, m.Files[i].Size = sha(csvb), int64(len(csvb))
			}
		}
		m.Signature = nil
		mb, _ := json.Marshal(m)
		unsigned := rezip(t, data, func(n string, b []byte) []byte {
			switch n {
			case report.FileManifest:
				return mb
			case report.FileLoadsCSV:
				return csvb
			}
			return b
		})
		if f := failure(t, func() error { _, err := verify(unsigned); return err }()); f.File != report.FileManifest || f.Entry != "signature" {
			t.Fatalf("a changed CSV, unsigned: %v", f)
		}
		// An extra file.
		extra := rezip(t, data, func(n string, b []byte) []byte { return b })
		extra = addFile(t, extra, "bevis/extra.json", []byte("{}"))
		if f := failure(t, func() error { _, err := verify(extra); return err }()); f.File != "bevis/extra.json" {
			t.Fatalf("extra: %v", f)
		}
		// Not a package.
		if _, err := verify([]byte("PK no zip")); err == nil {
			t.Fatal("garbage verified")
		}
	})
}

func addFile(t *testing.T, data []byte, name string, body []byte) []byte {
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		fw, _ := zw.Create(f.Name)
		fw.Write(b)
	}
	fw, _ := zw.Create(name)
	fw.Write(body)
	zw.Close()
	return out.Bytes()
}

// The summary sums the period up; the load list pages.
func TestSummaryAndLoads(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w, s := loaded(t, e)
		sm, err := s.Summary(w.Ola, q(w.FornebuSite))
		if err != nil {
			t.Fatal(err)
		}
		if sm.Totals.Loads != 6 || sm.Totals.Received != 4 || sm.Totals.Rejected != 1 || sm.Totals.AcceptedTonnes != 51.5 || len(sm.Agreements) != 1 {
			t.Fatalf("totals %+v, %d agreements", sm.Totals, len(sm.Agreements))
		}
		if len(sm.Fractions) != 1 || sm.Fractions[0].ConditionClass != 1 || sm.Fractions[0].Rejected != 1 {
			t.Fatalf("fractions %+v", sm.Fractions)
		}
		if len(sm.Destinations) != 1 || sm.Destinations[0].Destination != report.DestReuse || sm.Destinations[0].Loads != 3 {
			t.Fatalf("destinations %+v", sm.Destinations)
		}
		rejected := 0
		for _, d := range sm.Deviations {
			if d.Status == haul.StatusRejected && d.Reason == "Jord i lasset" {
				rejected++
			}
		}
		if rejected != 1 || sm.DeviationsTotal != len(sm.Deviations) {
			t.Fatalf("deviations %d %+v", sm.DeviationsTotal, sm.Deviations)
		}
		// A period before the loads holds none.
		early := report.Query{Kind: report.KindOrganization, ID: w.Sandvika, From: apitest.Day(-30), To: apitest.Day(-20)}
		if sm, err := s.Summary(w.Ola, early); err != nil || sm.Totals.Loads != 0 {
			t.Fatalf("early: %v %+v", err, sm)
		}
		var ids []string
		r := page.Request{Limit: 2}
		for i := 0; i < 6; i++ {
			p, err := s.Loads(w.Kari, report.Query{Kind: report.KindOrganization, ID: w.Fornebu, From: apitest.Day(-1), To: apitest.Day(1)}, r)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range p.Items {
				ids = append(ids, l.ID)
				if l.ConditionClass != 1 || l.AgreementNumber == "" || l.EuroClass == "" {
					t.Fatalf("load row %+v", l)
				}
			}
			if p.NextCursor == "" {
				break
			}
			r.Cursor = p.NextCursor
		}
		if len(ids) != 6 {
			t.Fatalf("paged %d loads", len(ids))
		}
	})
}

// Who may read what, and bad input.
func TestAccessAndInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w, s := loaded(t, e)
		lysaker := haultest.Actor(e, apitest.Member, map[string]string{w.Lysaker: "member"}, auth.RoleMember)
		other := e.FirstID("trondelag", "sites", "kind = ?", "project")
		orgQ := func(id string) report.Query {
			return report.Query{Kind: report.KindOrganization, ID: id, From: apitest.Day(-1), To: apitest.Day(1)}
		}
		cases := []struct {
			name  string
			actor context.Context
			q     report.Query
			kind  fail.Kind
			field string
		}{
			{"supplier's member, project", w.Kari, q(w.FornebuSite), -1, ""},
			{"receiver's member, the supplier's project", w.Ola, q(w.FornebuSite), -1, ""},
			{"tenant admin", w.Admin, q(w.FornebuSite), -1, ""},
			{"a non-party member", lysaker, q(w.FornebuSite), fail.Forbidden, ""},
			{"a non-party member, organization", lysaker, orgQ(w.Fornebu), fail.Forbidden, ""},
			{"another region's project", w.Supervisor, q(other), fail.NotFound, ""},
			{"a facility is no project", w.Supervisor, q(e.FirstID("baerum", "sites", "kind = ?", "facility")), fail.NotFound, ""},
			{"an unknown ID", w.Supervisor, q("nope"), fail.NotFound, ""},
			{"end before start", w.Supervisor, report.Query{Kind: report.KindProject, ID: w.FornebuSite, From: apitest.Day(1), To: apitest.Day(-1)}, fail.Invalid, "/to"},
			{"over five years", w.Supervisor, report.Query{Kind: report.KindProject, ID: w.FornebuSite, From: apitest.Day(-2000), To: apitest.Day(1)}, fail.Invalid, "/to"},
			{"not a date", w.Supervisor, report.Query{Kind: report.KindProject, ID: w.FornebuSite, From: "26.11.2026", To: apitest.Day(1)}, fail.Invalid, "/from"},
			{"no date", w.Supervisor, report.Query{Kind: report.KindProject, ID: w.FornebuSite, To: apitest.Day(1)}, fail.Invalid, "/from"},
			{"unknown kind", w.Supervisor, report.Query{Kind: "region", ID: w.FornebuSite, From: apitest.Day(-1), To: apitest.Day(1)}, fail.Invalid, "/kind"},
		}
		for _, c := range cases {
			_, err := s.Resolve(c.actor, c.q)
			if c.kind == -1 {
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				continue
			}
			fe, ok := fail.As(err)
			if !ok || fe.Kind != c.kind {
				t.Fatalf("%s: want kind %v, got %v", c.name, c.kind, err)
			}
			if c.field != "" && (len(fe.Fields) == 0 || fe.Fields[0].Pointer != c.field) {
				t.Fatalf("%s: fields %+v", c.name, fe.Fields)
			}
		}
		// A counterparty reads the project's report limited to its own
		// agreements; the project's organization and observers read it all.
		for _, c := range []struct {
			name    string
			actor   context.Context
			parties []string
		}{
			{"the receiver's member", w.Ola, []string{w.Sandvika}},
			{"the project's organization", w.Kari, nil},
			{"a supervisor", w.Supervisor, nil},
		} {
			sc, err := s.Resolve(c.actor, q(w.FornebuSite))
			if err != nil || !slices.Equal(sc.Parties, c.parties) {
				t.Fatalf("%s: parties %v, want %v (%v)", c.name, sc.Parties, c.parties, err)
			}
		}
	})
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// A storage site mixes parties' masses: what left it is shared by mass
// balance over the fractions the project stored there, never counting
// other fractions, a third party's masses beyond its share, or more than
// went in.
func TestInterimStorageShare(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		storage := e.FirstID("baerum", "sites", "name = ?", "Heggedal mellomlager")
		move := func(l *haul.Load, set map[string]any) {
			t.Helper()
			w.Must(e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error { return tx.Model(&haul.Load{}).Where("id = ?", l.ID).Updates(set).Error }))
		}
		// The project's 27 t of blasted rock in.
		for _, tn := range []float64{15, 12} {
			move(w.Received(w.Order, tn), map[string]any{"delivery_site_id": storage})
		}
		// A third party's 27 t of the same rock and 10 t of soil in.
		move(w.Received(w.Order, 27), map[string]any{"pickup_site_id": w.SandvikaSite, "delivery_site_id": storage})
		move(w.Received(w.Order, 10), map[string]any{"pickup_site_id": w.SandvikaSite, "delivery_site_id": storage, "fraction": "jord"})
		s := report.New(e.App.DB, e.App.Ledger)
		storageRow := func() report.StorageRow {
			t.Helper()
			sm, err := s.Summary(w.Supervisor, q(w.FornebuSite))
			w.Must(err)
			if len(sm.Storage) != 1 {
				t.Fatalf("storage rows %+v", sm.Storage)
			}
			return sm.Storage[0]
		}
		if st := storageRow(); st.InLoads != 2 || st.InTonnes != 27 || st.OutLoads != 0 || st.OutTonnes != 0 || !st.StillStored || st.LastOut != nil {
			t.Fatalf("before anything left: %+v", st)
		}
		// 18 t of rock and 10 t of soil leave: the project's share of the
		// rock is half (27 of 54 t in), so 9 t of its 27 t have left.
		move(w.Received(w.Order, 18), map[string]any{"pickup_site_id": storage, "delivery_site_id": w.SandvikaSite})
		move(w.Received(w.Order, 10), map[string]any{"pickup_site_id": storage, "delivery_site_id": w.SandvikaSite, "fraction": "jord"})
		st := storageRow()
		if st.InTonnes != 27 || st.AllInTonnes != 54 || st.OutLoads != 1 || st.OutAllTonnes != 18 || st.OutTonnes != 9 || !st.StillStored || st.LastOut == nil {
			t.Fatalf("after 18 t of rock and 10 t of soil left: %+v", st)
		}
		// 40 t more rock leaves (58 of the 54 t in: older masses too): the
		// project's share is capped at what it put in, and nothing is stored.
		for _, tn := range []float64{20, 20} {
			move(w.Received(w.Order, tn), map[string]any{"pickup_site_id": storage, "delivery_site_id": w.SandvikaSite})
		}
		st = storageRow()
		if st.OutLoads != 3 || st.OutAllTonnes != 58 || st.OutTonnes != 27 || st.StillStored {
			t.Fatalf("after 58 t of rock left: %+v", st)
		}
		// A load the storage turns away goes back to the project: the
		// return is no destination, and the storage got nothing more.
		on := w.OnTheRoad(w.Order, 16)
		move(on, map[string]any{"delivery_site_id": storage})
		_, err := w.S.Receive(w.Ola, on.ID, haul.ReceiptInput{Code: on.Code, WeightTonnes: 16, Result: haul.ResultRejected, Reason: "Armering i lasset"})
		w.Must(err)
		back, err := w.S.Get(w.Lars, e.FirstID("baerum", "loads", "return_of_id = ?", on.ID))
		w.Must(err)
		_, err = w.S.Receive(w.Kari, back.ID, haul.ReceiptInput{Code: back.Code, WeightTonnes: 16, Result: haul.ResultAccepted})
		w.Must(err)
		sm, err := s.Summary(w.Supervisor, q(w.FornebuSite))
		w.Must(err)
		for _, d := range sm.Destinations {
			if d.SiteID == w.FornebuSite {
				t.Errorf("the return to the project is a destination: %+v", d)
			}
		}
		if st := storageRow(); st.InTonnes != 27 || st.InLoads != 2 {
			t.Errorf("after a rejected load: %+v", st)
		}
		// The package's summary, with the storage table and its note, is drawn.
		var buf bytes.Buffer
		w.Must(s.WritePackage(w.Supervisor, q(w.FornebuSite), "nb", &buf))
		if pdf := file(t, buf.Bytes(), report.FileSummary); !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatal("the summary is not a PDF")
		}
	})
}
