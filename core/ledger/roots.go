package ledger

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Root is a tenant's signed daily Merkle root (table ledger_roots): the
// RFC 6962 tree over the hashes of the entries whose server time falls on
// Day (UTC), in the order (server_at, id). Each leaf is the entry's 32 hash
// bytes (hashed as an RFC 6962 leaf).
type Root struct {
	store.TenantRow
	ID        string    `json:"id"`
	Day       string    `json:"day"`  // YYYY-MM-DD, UTC
	Size      int64     `json:"size"` // leaves
	Root      string    `json:"root"` // hex
	KeyID     string    `json:"key_id"`
	Signature string    `json:"signature"` // base64 Ed25519 over RootMessage
	CreatedAt time.Time `json:"created_at"`
}

// TableName is the roots' table.
func (Root) TableName() string { return "ledger_roots" }

// RootMessage is what a root's signature covers:
// "masseflyt-ledger-root/v1\n<tenant id>\n<day>\n<size>\n<root hex>".
func RootMessage(tenantID, day string, size int64, root string) []byte {
	return []byte("masseflyt-ledger-root/v1\n" + tenantID + "\n" + day + "\n" + strconv.FormatInt(size, 10) + "\n" + root)
}

// SealGrace is how long after a day ends its root is computed, so that a
// transaction stamped just before midnight has committed.
const SealGrace = 10 * time.Minute

// DayLayout formats a root's day.
const DayLayout = "2006-01-02"

var hasher = rfc6962.DefaultHasher

// leafRow is what a tree is built from.
type leafRow struct {
	ID   string
	Hash string
}

// dayLeaves reads the entry hashes of the context tenant's day, in tree
// order (scanned directly: a day can hold 100 000 entries).
func dayLeaves(tx *gorm.DB, day time.Time) ([]leafRow, error) {
	rows, err := store.Raw(tx, `SELECT id, hash FROM ledger_entries WHERE tenant_id = @tenant AND created_at >= @from AND created_at < @to
		ORDER BY created_at, id`, map[string]any{"from": day, "to": day.AddDate(0, 0, 1)}).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []leafRow
	for rows.Next() {
		var r leafRow
		if err := rows.Scan(&r.ID, &r.Hash); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// tree holds every level of an RFC 6962 tree (level 0: leaf hashes); an
// unpaired last node moves up unchanged, which is RFC 6962's split at the
// largest power of two.
type tree [][][]byte

func buildTree(leafHashes [][]byte) tree {
	t := tree{leafHashes}
	for lv := leafHashes; len(lv) > 1; {
		next := make([][]byte, 0, (len(lv)+1)/2)
		for i := 0; i+1 < len(lv); i += 2 {
			next = append(next, hasher.HashChildren(lv[i], lv[i+1]))
		}
		if len(lv)%2 == 1 {
			next = append(next, lv[len(lv)-1])
		}
		t = append(t, next)
		lv = next
	}
	return t
}

func (t tree) root() []byte {
	if len(t[0]) == 0 {
		return hasher.EmptyRoot()
	}
	return t[len(t)-1][0]
}

// hexTree is a tree's nodes in hex, each encoded once: the audit paths of
// a day's leaves share them.
type hexTree [][]string

func (t tree) hex() hexTree {
	out := make(hexTree, len(t))
	for lv, nodes := range t {
		out[lv] = make([]string, len(nodes))
		for i, n := range nodes {
			out[lv][i] = hex.EncodeToString(n)
		}
	}
	return out
}

// inclusion is the audit path of leaf i, in hex.
func (t hexTree) inclusion(i int) []string {
	out := make([]string, 0, len(t))
	for lv := 0; lv < len(t)-1; lv++ {
		if s := i ^ 1; s < len(t[lv]) {
			out = append(out, t[lv][s])
		}
		i /= 2
	}
	return out
}

func leafTree(rows []leafRow) (tree, map[string]int, error) {
	hs := make([][]byte, len(rows))
	idx := make(map[string]int, len(rows))
	for i, r := range rows {
		b, err := hex.DecodeString(r.Hash)
		if err != nil {
			b = []byte(r.Hash) // a malformed stored hash still makes a leaf (that will not match)
		}
		hs[i] = hasher.HashLeaf(b)
		idx[r.ID] = i
	}
	return buildTree(hs), idx, nil
}

// DayInclusion reads the context tenant's entries of day in tree order and
// builds the tree of the first size of them (a sealed root's size). proof
// gives an entry's leaf index and audit path (hex); ok is false for an
// entry that is not among those leaves. The supervision package writes its
// day proofs with it.
func DayInclusion(tx *gorm.DB, day time.Time, size int64) (proof func(id string) (index int64, nodes []string, ok bool), err error) {
	rows, err := dayLeaves(tx, day)
	if err != nil {
		return nil, err
	}
	if int64(len(rows)) > size {
		rows = rows[:size]
	}
	t, idx, _ := leafTree(rows)
	h := t.hex()
	return func(id string) (int64, []string, bool) {
		i, ok := idx[id]
		if !ok {
			return 0, nil, false
		}
		return int64(i), h.inclusion(i), true
	}, nil
}

// SealDays computes, signs and stores the roots of the finished days (UTC,
// ended more than SealGrace ago) of the tenant in ctx that have entries and
// no root yet, oldest first.
func (l *Ledger) SealDays(ctx context.Context) ([]Root, error) {
	tid, ok := store.TenantID(ctx)
	if !ok {
		return nil, store.ErrNoTenant
	}
	if l.Keys == nil || l.Keys.priv == nil {
		return nil, errors.New("ledger: no signing key")
	}
	now := l.DB.Now()
	limit := now.Add(-SealGrace).Truncate(24 * time.Hour) // days before this are finished
	var out []Root
	err := l.DB.Tx(ctx, func(tx *gorm.DB) error {
		var last Root
		from := time.Time{}
		err := tx.Order("day DESC").Limit(1).Take(&last).Error
		switch {
		case err == nil:
			d, perr := time.Parse(DayLayout, last.Day)
			if perr != nil {
				return perr
			}
			from = d.AddDate(0, 0, 1)
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		for {
			var first Entry
			err := tx.Select("created_at").Where("created_at >= ? AND created_at < ?", from, limit).Order("created_at").Limit(1).Take(&first).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			day := first.ServerAt.UTC().Truncate(24 * time.Hour)
			rows, err := dayLeaves(tx, day)
			if err != nil {
				return err
			}
			t, _, _ := leafTree(rows)
			r := Root{TenantRow: store.TenantRow{TenantID: tid}, ID: store.NewID(), Day: day.Format(DayLayout), Size: int64(len(rows)),
				Root: hex.EncodeToString(t.root()), KeyID: l.Keys.ID(), CreatedAt: now}
			r.Signature = l.Keys.Sign(RootMessage(tid, r.Day, r.Size, r.Root))
			if err := tx.Create(&r).Error; err != nil {
				return err
			}
			out = append(out, r)
			from = day.AddDate(0, 0, 1)
		}
	})
	return out, err
}

// SealAll seals the finished days of every tenant; the app calls it
// periodically. It returns how many roots it made.
func (l *Ledger) SealAll(ctx context.Context) (int, error) {
	var tids []string
	sys := store.System(ctx, "ledger: list the tenants to seal the daily roots of")
	if err := l.DB.Read(sys, func(tx *gorm.DB) error { return tx.Table("tenants").Order("id").Pluck("id", &tids).Error }); err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, tid := range tids {
		rs, err := l.SealDays(store.WithTenant(ctx, tid))
		n += len(rs)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// RootBounds are the root list's page sizes.
var RootBounds = page.Bounds{Default: 100, Max: 1000}

// Roots lists the tenant's published roots, newest day first. They are
// public (the open feed): each carries its key ID and signature, and
// PublicKeys gives the keys.
func (l *Ledger) Roots(ctx context.Context, r page.Request) (page.Page[Root], error) {
	var rows []Root
	err := l.DB.Read(ctx, func(tx *gorm.DB) error {
		q := tx.Order("day DESC").Limit(r.Limit + 1)
		if r.Cursor != "" {
			k, err := page.Decode(r.Cursor, 1)
			if err != nil {
				return err
			}
			q = q.Where("day < ?", k[0])
		}
		return q.Find(&rows).Error
	})
	if err != nil {
		return page.Page[Root]{}, err
	}
	return page.Cut(rows, r.Limit, func(x Root) page.Key { return page.Key{x.Day} }), nil
}

// checkRoot verifies a root's signature.
func (l *Ledger) checkRoot(tx *gorm.DB, r *Root) error {
	pub, err := l.Keys.lookup(tx, r.KeyID)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(r.Signature)
	if err != nil || !ed25519.Verify(pub, RootMessage(r.TenantID, r.Day, r.Size, r.Root), sig) {
		return errors.New("bad root signature")
	}
	return nil
}

// VerifyInclusion checks an inclusion proof (hex nodes) of an entry hash
// (hex) at index in a tree of size with root (hex), as anyone holding a
// published root can.
func VerifyInclusion(entryHash string, index, size int64, nodes []string, root string) error {
	leaf, err := hex.DecodeString(entryHash)
	if err != nil {
		return fail.NotFoundErr()
	}
	rb, err := hex.DecodeString(root)
	if err != nil {
		return err
	}
	p := make([][]byte, len(nodes))
	for i, n := range nodes {
		if p[i], err = hex.DecodeString(n); err != nil {
			return err
		}
	}
	return proof.VerifyInclusion(hasher, uint64(index), uint64(size), hasher.HashLeaf(leaf), p, rb)
}
