package ledger

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
)

// Reasons an entry breaks its chain.
const (
	ReasonHashMismatch = "hash_mismatch" // the stored fields do not hash to the stored hash
	ReasonBrokenLink   = "broken_link"   // prev_hash is not the previous entry's hash
	ReasonBadSignature = "bad_signature" // the signature does not verify with its key
	ReasonUnknownKey   = "unknown_key"   // the key ID names no platform key
	ReasonMissingSeq   = "missing_seq"   // one or more entries before this one are gone
	ReasonReordered    = "reordered"     // the entry was moved to another position in the chain
	ReasonNotInRoot    = "not_in_root"   // the entry is not in its day's signed root (or the root does not match)
	ReasonBadRoot      = "bad_root"      // the day's root signature does not verify
)

// Report is the proof of a chain: every entry with its hash, signature
// check and inclusion proof against its day's signed root, and the first
// entry that breaks it, if any.
type Report struct {
	Chain   string  `json:"chain"`
	OK      bool    `json:"ok"`
	Size    int     `json:"size"`
	Head    string  `json:"head"` // the last entry's hash
	Broken  *Break  `json:"broken,omitempty"`
	Entries []Proof `json:"entries"`
	Roots   []Root  `json:"roots"`
}

// Break names the entry that breaks a chain and why.
type Break struct {
	Seq    int64  `json:"seq"`
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

// Proof is one entry's evidence.
type Proof struct {
	Seq         int64     `json:"seq"`
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	LoadID      string    `json:"load_id,omitempty"`
	ServerAt    time.Time `json:"server_at"`
	PrevHash    string    `json:"prev_hash"`
	Hash        string    `json:"hash"`
	KeyID       string    `json:"key_id"`
	Signature   string    `json:"signature"`
	SignatureOK bool      `json:"signature_ok"`
	// Day is the root the entry belongs to; Rooted is false while that
	// day's root is not yet published.
	Day       string   `json:"day"`
	Rooted    bool     `json:"rooted"`
	LeafIndex int64    `json:"leaf_index,omitempty"`
	TreeSize  int64    `json:"tree_size,omitempty"`
	Inclusion []string `json:"inclusion,omitempty"`
	// Problem is the reason this entry fails, if it does.
	Problem string `json:"problem,omitempty"`
}

// Verify recomputes a chain, its signatures and each entry's inclusion in
// its day's signed root, and names the first entry that breaks it. A chain
// with no entries verifies (size 0).
func (l *Ledger) Verify(ctx context.Context, chain string) (*Report, error) {
	rep := &Report{Chain: chain, Entries: []Proof{}, Roots: []Root{}}
	keys, err := l.allKeys(ctx)
	if err != nil {
		return nil, err
	}
	// A pipeline: the chain is read in chunks; each chunk's hashes and
	// signatures are checked on every core while the next is read, and
	// each day's root and leaves load as soon as the day appears.
	jobs := make(chan *chunk, 8)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				c.check(keys)
			}
		}()
	}
	dayCh := make(chan string, 64)
	var days map[string]*dayProof
	var derr error
	loaded := make(chan struct{})
	go func() {
		defer close(loaded)
		derr = l.DB.Read(ctx, func(tx *gorm.DB) error {
			var err error
			days, err = l.loadDays(tx, dayCh)
			return err
		})
		for range dayCh { // drain after an error
		}
	}()
	// The chain is read in as many parts by seq as there are cores, at
	// the same time (the head's seq only places the cuts: the parts cover
	// every seq whatever is stored).
	var headSeq int64
	if err := l.DB.Read(ctx, func(tx *gorm.DB) error {
		var seqs []int64
		err := store.Raw(tx, `SELECT seq FROM ledger_heads WHERE tenant_id = @tenant AND chain = @chain`, map[string]any{"chain": chain}).Scan(&seqs).Error
		if len(seqs) > 0 {
			headSeq = seqs[0]
		}
		return err
	}); err != nil {
		close(jobs)
		close(dayCh)
		wg.Wait()
		<-loaded
		return nil, err
	}
	parts := runtime.GOMAXPROCS(0)
	if headSeq < 4*chunkSize {
		parts = 1
	}
	partChunks := make([][]*chunk, parts)
	partErr := make([]error, parts)
	var order []string
	var mu sync.Mutex
	seen := map[string]bool{}
	var scans sync.WaitGroup
	for k := 0; k < parts; k++ {
		lo, hi := int64(-1), int64(-1) // -1: unbounded
		if k > 0 {
			lo = headSeq * int64(k) / int64(parts)
		}
		if k < parts-1 {
			hi = headSeq * int64(k+1) / int64(parts)
		}
		scans.Add(1)
		go func(k int) {
			defer scans.Done()
			partErr[k] = l.DB.Read(ctx, func(tx *gorm.DB) error {
				return scanChain(tx, chain, lo, hi, func(es []Entry) {
					c := &chunk{es: es}
					partChunks[k] = append(partChunks[k], c)
					jobs <- c
					mu.Lock()
					defer mu.Unlock()
					for i := range es {
						if d := es[i].ServerAt.Format(DayLayout); !seen[d] {
							seen[d] = true
							order = append(order, d)
							dayCh <- d
						}
					}
				})
			})
		}(k)
	}
	scans.Wait()
	var chunks []*chunk
	for k := range partChunks {
		chunks = append(chunks, partChunks[k]...)
		if err == nil {
			err = partErr[k]
		}
	}
	sort.Strings(order)
	close(jobs)
	close(dayCh)
	wg.Wait()
	<-loaded
	if err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	n := 0
	for _, c := range chunks {
		n += len(c.es)
	}
	es := make([]Entry, 0, n)
	computed := make([]string, 0, n)
	sigOK := make([]bool, 0, n)
	for _, c := range chunks {
		es = append(es, c.es...)
		computed = append(computed, c.computed...)
		sigOK = append(sigOK, c.sigOK...)
	}
	rep.Broken = checkChain(es, computed, sigOK, keys, rep)
	if rooted := applyRoots(es, rep, order, days); rep.Broken == nil {
		rep.Broken = rooted
	}
	rep.Size = len(rep.Entries)
	if rep.Size > 0 {
		rep.Head = rep.Entries[rep.Size-1].Hash
	}
	rep.OK = rep.Broken == nil
	return rep, nil
}

// allKeys reads every platform key (a handful).
func (l *Ledger) allKeys(ctx context.Context) (map[string]ed25519.PublicKey, error) {
	ks, err := PublicKeys(ctx, l.DB)
	if err != nil {
		return nil, err
	}
	out := map[string]ed25519.PublicKey{}
	for _, k := range ks {
		b, err := base64.StdEncoding.DecodeString(k.PublicKey)
		if err == nil && len(b) == ed25519.PublicKeySize && KeyID(b) == k.KeyID {
			out[k.KeyID] = b
		}
	}
	return out, nil
}

// chunk is a run of a chain's entries checked together: hashes
// recomputed, signatures checked in batches (batch.go).
type chunk struct {
	es       []Entry
	computed []string
	sigOK    []bool
}

func (c *chunk) check(keys map[string]ed25519.PublicKey) {
	c.computed = make([]string, len(c.es))
	c.sigOK = make([]bool, len(c.es))
	items := make([]sigItem, len(c.es))
	for i := range c.es {
		e := &c.es[i]
		hb, err1 := hex.DecodeString(e.Hash)
		if h, err := e.ComputeHash(); err == nil {
			if err1 == nil && bytes.Equal(h, hb) {
				c.computed[i] = e.Hash // no new string for the usual case
			} else {
				c.computed[i] = hex.EncodeToString(h)
			}
		}
		sig, err2 := base64.StdEncoding.DecodeString(e.Signature)
		if err1 == nil && err2 == nil {
			items[i] = sigItem{msg: hb, sig: sig}
		}
	}
	for lo := 0; lo < len(c.es); lo += batchSize {
		hi := min(lo+batchSize, len(c.es))
		same := true // one key per batch (a rotation splits it)
		for i := lo; i < hi; i++ {
			same = same && c.es[i].KeyID == c.es[lo].KeyID
		}
		if pub := keys[c.es[lo].KeyID]; same && pub != nil && verifyBatch(pub, items[lo:hi]) {
			for i := lo; i < hi; i++ {
				c.sigOK[i] = true
			}
			continue
		}
		for i := lo; i < hi; i++ { // find the bad ones
			pub := keys[c.es[i].KeyID]
			c.sigOK[i] = pub != nil && items[i].sig != nil && ed25519.Verify(pub, items[i].msg, items[i].sig)
		}
	}
}

// chunkSize is the entries read before they are handed to the checkers.
const chunkSize = 8 * batchSize

// scanChain reads a chain's entries in order, scanning rows directly (a
// chain can hold 100 000 entries: GORM's reflection would be most of the
// time), and hands them on in chunks; lo and hi (−1: unbounded) bound
// the part read: lo < seq <= hi.
func scanChain(tx *gorm.DB, chain string, lo, hi int64, emit func([]Entry)) error {
	where := ""
	if lo >= 0 {
		where += " AND seq > @lo"
	}
	if hi >= 0 {
		where += " AND seq <= @hi"
	}
	rows, err := store.Raw(tx, `SELECT tenant_id, id, chain, seq, kind, load_id, actor_id, org_id, vehicle_id, lat, lon, device_at, created_at,
		data, prev_hash, hash, key_id, signature FROM ledger_entries WHERE tenant_id = @tenant AND chain = @chain`+where+` ORDER BY seq, id`,
		map[string]any{"chain": chain, "lo": lo, "hi": hi}).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	out := make([]Entry, 0, chunkSize)
	for rows.Next() {
		var e Entry
		var lat, lon sql.NullFloat64
		var dev sql.NullTime
		if err := rows.Scan(&e.TenantID, &e.ID, &e.Chain, &e.Seq, &e.Kind, &e.LoadID, &e.ActorID, &e.OrgID, &e.VehicleID, &lat, &lon, &dev, &e.ServerAt,
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
			e.DeviceAt = &dev.Time
		}
		e.normalize()
		out = append(out, e)
		if len(out) == chunkSize {
			emit(out)
			out = make([]Entry, 0, chunkSize)
		}
	}
	if len(out) > 0 {
		emit(out)
	}
	return rows.Err()
}

// checkChain checks the hashes, links, sequence and signatures; it returns
// the first break in chain order.
func checkChain(es []Entry, computed []string, sigOK []bool, keys map[string]ed25519.PublicKey, rep *Report) *Break {
	rep.Entries = make([]Proof, len(es))
	byHash := make(map[string]int, len(es))
	for i := range es {
		byHash[es[i].Hash] = i
	}
	var first *Break
	mark := func(i int, reason, detail string) {
		if rep.Entries[i].Problem == "" {
			rep.Entries[i].Problem = reason
		}
		if first == nil {
			e := &es[i]
			first = &Break{Seq: e.Seq, ID: e.ID, Kind: e.Kind, Reason: reason, Detail: detail}
		}
	}
	prev, lastSeq := ZeroHash, int64(0)
	for i := range es {
		e := &es[i]
		rep.Entries[i] = Proof{Seq: e.Seq, ID: e.ID, Kind: e.Kind, LoadID: e.LoadID, ServerAt: e.ServerAt, PrevHash: e.PrevHash,
			Hash: e.Hash, KeyID: e.KeyID, Signature: e.Signature, SignatureOK: sigOK[i], Day: e.ServerAt.UTC().Format(DayLayout)}
		want := lastSeq + 1
		switch {
		case e.Seq != want && e.Seq > want && e.PrevHash != prev && computed[i] == e.Hash:
			mark(i, ReasonMissingSeq, fmt.Sprintf("seq %d follows seq %d: %d entries missing", e.Seq, want-1, e.Seq-want))
		case computed[i] != e.Hash:
			if j, ok := byHash[e.PrevHash]; ok && j != i-1 && hashesAt(e, es[j].Seq+1) {
				mark(i, ReasonReordered, fmt.Sprintf("stored at seq %d, chained at seq %d (after %s)", e.Seq, es[j].Seq+1, es[j].ID))
			} else if hashesAt(e, e.Seq-1) || hashesAt(e, e.Seq+1) {
				mark(i, ReasonReordered, fmt.Sprintf("stored at seq %d, signed for another position", e.Seq))
			} else {
				mark(i, ReasonHashMismatch, "the stored fields hash to "+computed[i]+", not "+e.Hash)
			}
		case e.Seq != want:
			mark(i, ReasonMissingSeq, fmt.Sprintf("seq %d where %d was expected", e.Seq, want))
		case keys[e.KeyID] == nil:
			mark(i, ReasonUnknownKey, "no platform key "+e.KeyID)
		case !sigOK[i]:
			mark(i, ReasonBadSignature, "the signature does not verify with key "+e.KeyID)
		case e.PrevHash != prev:
			mark(i, ReasonBrokenLink, "prev_hash "+e.PrevHash+" is not the hash of the previous entry ("+prev+")")
		}
		prev, lastSeq = e.Hash, e.Seq
	}
	return first
}

// hashesAt reports whether e's stored hash is what it would be at seq.
func hashesAt(e *Entry, seq int64) bool {
	c := *e
	c.Seq = seq
	h, err := c.ComputeHash()
	return err == nil && hex.EncodeToString(h) == e.Hash
}

// dayProof is what a day's root proves: the signed root (nil while the
// day is not sealed), whether its signature verifies, and the tree the
// day's stored entries make now.
type dayProof struct {
	root    *Root
	rootErr error
	leaves  int
	tree    tree
	index   map[string]int
	matches bool // the stored leaves rebuild the signed root
	hex     hexTree
}

// loadDays reads the roots of days and rebuilds their trees.
func (l *Ledger) loadDays(tx *gorm.DB, days <-chan string) (map[string]*dayProof, error) {
	out := map[string]*dayProof{}
	for d := range days {
		var root Root
		err := tx.Where("day = ?", d).Take(&root).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			out[d] = &dayProof{}
			continue
		}
		if err != nil {
			return nil, err
		}
		dp := &dayProof{root: &root, rootErr: l.checkRoot(tx, &root)}
		out[d] = dp
		if dp.rootErr != nil {
			continue
		}
		day, _ := time.Parse(DayLayout, d)
		rows, err := dayLeaves(tx, day)
		if err != nil {
			return nil, err
		}
		dp.leaves = len(rows)
		dp.tree, dp.index, _ = leafTree(rows)
		dp.matches = int64(len(rows)) == root.Size && hex.EncodeToString(dp.tree.root()) == root.Root
	}
	return out, nil
}

// applyRoots proves each entry's inclusion in its day's signed root; it
// returns the first entry whose day has a root that does not include it.
func applyRoots(es []Entry, rep *Report, order []string, days map[string]*dayProof) *Break {
	var first *Break
	fail := func(i int, reason, detail string) {
		if rep.Entries[i].Problem == "" {
			rep.Entries[i].Problem = reason
		}
		if first == nil || es[i].Seq < first.Seq {
			first = &Break{Seq: es[i].Seq, ID: es[i].ID, Kind: es[i].Kind, Reason: reason, Detail: detail}
		}
	}
	for _, d := range order {
		if dp := days[d]; dp.root != nil {
			rep.Roots = append(rep.Roots, *dp.root)
		}
	}
	for i := range es {
		p := &rep.Entries[i]
		dp := days[p.Day]
		switch {
		case dp == nil || dp.root == nil:
			continue // not sealed yet
		case dp.rootErr != nil:
			fail(i, ReasonBadRoot, "the signed root of "+p.Day+" does not verify: "+dp.rootErr.Error())
			continue
		}
		j, ok := dp.index[es[i].ID]
		if !ok || j >= int(dp.root.Size) {
			fail(i, ReasonNotInRoot, "not among the "+fmt.Sprint(dp.root.Size)+" leaves of the root of "+p.Day)
			continue
		}
		if !dp.matches {
			// The day's stored entries no longer make the signed root (an
			// entry of the day was removed, added or changed).
			fail(i, ReasonNotInRoot, fmt.Sprintf("the %d stored entries of %s no longer make its signed root (%d leaves)", dp.leaves, p.Day, dp.root.Size))
			continue
		}
		// The leaves rebuild the signed root, so each path reaches it
		// (VerifyInclusion checks one as any reader can).
		if dp.hex == nil {
			dp.hex = dp.tree.hex()
		}
		hexNodes := dp.hex.inclusion(j)
		p.Rooted, p.LeafIndex, p.TreeSize, p.Inclusion = true, int64(j), dp.root.Size, hexNodes
	}
	return first
}
