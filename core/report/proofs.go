package report

import (
	"archive/zip"
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/store"
)

// ChainFile is a file under bevis/kjeder/: an agreement's ledger chain with
// every entry in full, so each hash recomputes offline (core/ledger's
// canonical form) and each signature checks with the manifest's keys.
type ChainFile struct {
	TenantID        string         `json:"tenant_id"`
	AgreementID     string         `json:"agreement_id"`
	AgreementNumber string         `json:"agreement_number"`
	Entries         []ledger.Entry `json:"entries"`
	Head            string         `json:"head"`
}

// DayFile is a file under bevis/dager/: a day's signed RFC 6962 root
// (core/ledger) and the audit path of each of the package's entries of
// that day in it.
type DayFile struct {
	TenantID  string      `json:"tenant_id"`
	Root      ledger.Root `json:"root"`
	Inclusion []Inclusion `json:"inclusion"`
}

// Inclusion is an entry's audit path in its day's root.
type Inclusion struct {
	ID        string   `json:"id"`
	LeafIndex int64    `json:"leaf_index"`
	Nodes     []string `json:"nodes"`
}

// writeProofs writes bevis/kjeder/<agreement>.json per agreement (streamed
// from the database: a chain can hold 100 000 entries) and then, one day
// at a time, bevis/dager/<day>.json: the day's signed root and the
// inclusion proofs of the package's entries of that day. Each day's tree
// is built once for the whole package. A day not sealed yet has no file;
// its entries are in the chains, unrooted.
func (s *Service) writeProofs(ctx context.Context, zp *zipper, sc *Scope, ags []AgreementRow) error {
	if s.Ledger == nil {
		return nil
	}
	days := map[string][]string{} // day → the package's entry IDs
	used := map[string]bool{}
	for _, a := range ags {
		base := nonName.ReplaceAllString(strings.ToLower(a.Number), "-")
		if base == "" || used[base] {
			base = a.ID
		}
		used[base] = true
		if err := s.writeChain(ctx, zp, sc, a, ChainDir+base+".json", days); err != nil {
			return err
		}
	}
	order := make([]string, 0, len(days))
	for d := range days {
		order = append(order, d)
	}
	sort.Strings(order)
	for _, d := range order {
		if err := s.writeDay(ctx, zp, sc, d, days[d]); err != nil {
			return err
		}
	}
	return nil
}

// writeChain streams one chain into its file; it skips a chain with no
// entries.
func (s *Service) writeChain(ctx context.Context, zp *zipper, sc *Scope, a AgreementRow, name string, days map[string][]string) error {
	var w *bufio.Writer
	head, n := "", 0
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		rows, err := store.Raw(tx, `SELECT id, chain, seq, kind, load_id, actor_id, org_id, vehicle_id, lat, lon, device_at, created_at,
			data, prev_hash, hash, key_id, signature FROM ledger_entries WHERE tenant_id = @tenant AND chain = @chain ORDER BY seq, id`,
			map[string]any{"chain": a.ID}).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e ledger.Entry
			var lat, lon sql.NullFloat64
			var dev sql.NullTime
			if err := rows.Scan(&e.ID, &e.Chain, &e.Seq, &e.Kind, &e.LoadID, &e.ActorID, &e.OrgID, &e.VehicleID, &lat, &lon, &dev, &e.ServerAt,
				&e.Data, &e.PrevHash, &e.Hash, &e.KeyID, &e.Signature); err != nil {
				return err
			}
			if lat.Valid {
				e.Lat = &lat.Float64
			}
			if lon.Valid {
				e.Lon = &lon.Float64
			}
			if dev.Valid {
				t := dev.Time.UTC()
				e.DeviceAt = &t
			}
			e.ServerAt = e.ServerAt.UTC()
			if w == nil {
				f, err := zp.create(name)
				if err != nil {
					return err
				}
				w = bufio.NewWriterSize(f, 32<<10)
				hdr, _ := json.Marshal(map[string]string{"tenant_id": sc.TenantID, "agreement_id": a.ID, "agreement_number": a.Number})
				w.Write(hdr[:len(hdr)-1])
				w.WriteString(`,"entries":[`)
			} else {
				w.WriteByte(',')
			}
			b, err := json.Marshal(&e)
			if err != nil {
				return err
			}
			w.Write(b)
			head = e.Hash
			n++
			d := e.ServerAt.Format(ledger.DayLayout)
			days[d] = append(days[d], e.ID)
		}
		return rows.Err()
	})
	if err != nil || w == nil {
		return err
	}
	w.WriteString(`],"head":"` + head + `"}` + "\n")
	return w.Flush()
}

var hasher = rfc6962.DefaultHasher

// writeDay writes a sealed day's root and the inclusion proofs of ids.
func (s *Service) writeDay(ctx context.Context, zp *zipper, sc *Scope, day string, ids []string) error {
	var root ledger.Root
	var proof func(id string) (int64, []string, bool)
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		err := tx.Where("day = ?", day).Take(&root).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		from, err := time.Parse(ledger.DayLayout, day)
		if err != nil {
			return err
		}
		proof, err = ledger.DayInclusion(tx, from, root.Size)
		return err
	})
	if err != nil || root.ID == "" {
		return err
	}
	df := DayFile{TenantID: sc.TenantID, Root: root, Inclusion: make([]Inclusion, 0, len(ids))}
	for _, id := range ids {
		i, nodes, ok := proof(id)
		if !ok {
			continue // not in the signed root: the verifier says so
		}
		df.Inclusion = append(df.Inclusion, Inclusion{ID: id, LeafIndex: i, Nodes: nodes})
	}
	w, err := zp.create(DayDir + day + ".json")
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(&df)
}

// proofZip is the proofs written to a temporary ZIP of their own.
type proofZip struct {
	f     *os.File
	files []ManifestFile
	err   error
}

// proofZip writes the proofs of ags into a temporary file.
func (s *Service) proofZip(ctx context.Context, sc *Scope, ags []AgreementRow, at time.Time) (out proofZip) {
	f, err := os.CreateTemp("", "masseflyt-proofs-*.zip")
	if err != nil {
		return proofZip{err: err}
	}
	out.f = f
	bw := bufio.NewWriterSize(f, 64<<10)
	zp := &zipper{z: zip.NewWriter(bw), at: at}
	if out.err = s.writeProofs(ctx, zp, sc, ags); out.err != nil {
		return out
	}
	if out.err = zp.close(); out.err != nil {
		return out
	}
	if out.err = zp.z.Close(); out.err != nil {
		return out
	}
	out.err = bw.Flush()
	out.files = zp.files
	return out
}

// copyInto copies the proofs' entries into the package as they are
// (compressed), with their hashes.
func (p *proofZip) copyInto(zp *zipper) error {
	if p.err != nil {
		return p.err
	}
	st, err := p.f.Stat()
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(p.f, st.Size())
	if err != nil {
		return err
	}
	for _, f := range zr.File {
		if err := zp.z.Copy(f); err != nil {
			return err
		}
	}
	zp.files = append(zp.files, p.files...)
	return nil
}

func (p *proofZip) remove() {
	if p.f != nil {
		p.f.Close()
		os.Remove(p.f.Name())
	}
}
