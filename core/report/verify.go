package report

import (
	"archive/zip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/masseflyt/masseflyt/core/ledger"
)

// Verified is what VerifyPackage checked.
type Verified struct {
	Manifest *Manifest
	Files    int
	Chains   int
	Entries  int
	Rooted   int // entries proven in a signed daily root
	Signed   bool
}

// Failure names the first thing in a package that does not verify: the
// file and, in a proof file, the entry.
type Failure struct {
	File   string
	Entry  string // "seq N (entry ID)" or a root's day
	Reason string
}

func (f *Failure) Error() string {
	s := f.File
	if f.Entry != "" {
		s += ": " + f.Entry
	}
	return s + ": " + f.Reason
}

func failed(file, entry, format string, args ...any) *Failure {
	return &Failure{File: file, Entry: entry, Reason: fmt.Sprintf(format, args...)}
}

// MaxProofFile is the largest proof file VerifyPackage reads into memory.
const MaxProofFile = 1 << 30

// VerifyPackage checks a supervision package offline: every file's SHA-256
// against the manifest, no file missing or extra, the manifest's signature
// with the ledger key it names (one of the keys it carries), each chain's
// hashes, links, sequence and signatures, each root's signature and each
// inclusion proof against its root. It returns a *Failure naming the first
// thing that fails.
func VerifyPackage(r io.ReaderAt, size int64) (*Verified, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, failed("(zip)", "", "not a ZIP file: %v", err)
	}
	files := map[string]*zip.File{}
	var order []string
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			return nil, failed(f.Name, "", "the file is in the package twice")
		}
		files[f.Name] = f
		order = append(order, f.Name)
	}
	mf := files[FileManifest]
	if mf == nil {
		return nil, failed(FileManifest, "", "missing: %v", ErrNoPackage)
	}
	var m Manifest
	if err := readJSON(mf, &m, 16<<20); err != nil {
		return nil, failed(FileManifest, "", "unreadable: %v", err)
	}
	if m.Format != Format {
		return nil, failed(FileManifest, "", "unknown format %q", m.Format)
	}
	v := &Verified{Manifest: &m}
	listed := map[string]ManifestFile{}
	for _, f := range m.Files {
		listed[f.Path] = f
		if files[f.Path] == nil {
			return v, failed(f.Path, "", "missing from the package")
		}
	}
	for _, name := range order {
		if _, ok := listed[name]; !ok && name != FileManifest {
			return v, failed(name, "", "not in the manifest (an extra file)")
		}
	}
	for _, f := range m.Files {
		sum, n, err := hashFile(files[f.Path])
		if err != nil {
			return v, failed(f.Path, "", "unreadable: %v", err)
		}
		if sum != f.SHA256 || n != f.Size {
			return v, failed(f.Path, "", "SHA-256 %s does not match the manifest's %s", sum, f.SHA256)
		}
		v.Files++
	}
	keys := map[string]ed25519.PublicKey{}
	for _, k := range m.Keys {
		b, err := base64.StdEncoding.DecodeString(k.PublicKey)
		if err != nil || len(b) != ed25519.PublicKeySize || ledger.KeyID(b) != k.KeyID {
			return v, failed(FileManifest, "key "+k.KeyID, "malformed public key")
		}
		keys[k.KeyID] = b
	}
	if m.Signature != nil {
		pub := keys[m.Signature.KeyID]
		sig, err := base64.StdEncoding.DecodeString(m.Signature.Value)
		if pub == nil || err != nil || !ed25519.Verify(pub, SigningMessage(&m), sig) {
			return v, failed(FileManifest, "signature", "the manifest's signature does not verify with key %s", m.Signature.KeyID)
		}
		v.Signed = true
	}
	var chains, dayFiles []string
	for _, f := range m.Files {
		switch {
		case strings.HasPrefix(f.Path, ChainDir):
			chains = append(chains, f.Path)
		case strings.HasPrefix(f.Path, DayDir):
			dayFiles = append(dayFiles, f.Path)
		}
	}
	sort.Strings(chains)
	sort.Strings(dayFiles)
	known := map[string]*ledger.Entry{} // every chain entry by ID
	for _, name := range chains {
		var c ChainFile
		if err := readJSON(files[name], &c, MaxProofFile); err != nil {
			return v, failed(name, "", "unreadable: %v", err)
		}
		if c.TenantID != m.TenantID {
			return v, failed(name, "", "tenant %s is not the package's %s", c.TenantID, m.TenantID)
		}
		if f := verifyChain(name, &c, keys, v); f != nil {
			return v, f
		}
		for i := range c.Entries {
			e := c.Entries[i]
			e.Data = "" // only the hash and the day are needed from here on
			known[e.ID] = &e
		}
		v.Chains++
	}
	for _, name := range dayFiles {
		var d DayFile
		if err := readJSON(files[name], &d, MaxProofFile); err != nil {
			return v, failed(name, "", "unreadable: %v", err)
		}
		if f := verifyDay(name, &d, m.TenantID, keys, known, v); f != nil {
			return v, f
		}
	}
	if !v.Signed {
		// Unsigned, the manifest's hashes prove nothing: anyone can change
		// a CSV or the PDF and hash it again.
		return v, failed(FileManifest, "signature", "the manifest is not signed")
	}
	return v, nil
}

// verifyChain checks one chain file: sequence, hashes, links, signatures.
func verifyChain(name string, c *ChainFile, keys map[string]ed25519.PublicKey, v *Verified) *Failure {
	prev := ledger.ZeroHash
	for i := range c.Entries {
		e := &c.Entries[i]
		e.TenantID = c.TenantID
		at := fmt.Sprintf("seq %d (entry %s)", e.Seq, e.ID)
		if e.Chain != c.AgreementID {
			return failed(name, at, "belongs to chain %s, not %s", e.Chain, c.AgreementID)
		}
		if e.Seq != int64(i+1) {
			return failed(name, at, "%s: seq %d where %d was expected", ledger.ReasonMissingSeq, e.Seq, i+1)
		}
		h, err := e.ComputeHash()
		if err != nil || hex.EncodeToString(h) != e.Hash {
			return failed(name, at, "%s: the entry's fields do not hash to its hash", ledger.ReasonHashMismatch)
		}
		if e.PrevHash != prev {
			return failed(name, at, "%s: prev_hash is not the previous entry's hash", ledger.ReasonBrokenLink)
		}
		pub := keys[e.KeyID]
		if pub == nil {
			return failed(name, at, "%s: no key %s in the manifest", ledger.ReasonUnknownKey, e.KeyID)
		}
		sig, err := base64.StdEncoding.DecodeString(e.Signature)
		if err != nil || !ed25519.Verify(pub, h, sig) {
			return failed(name, at, "%s: the signature does not verify with key %s", ledger.ReasonBadSignature, e.KeyID)
		}
		prev = e.Hash
		v.Entries++
	}
	if len(c.Entries) > 0 && c.Head != prev {
		return failed(name, "head", "the head %s is not the last entry's hash", c.Head)
	}
	return nil
}

// verifyDay checks a day's root signature and each inclusion proof in it.
func verifyDay(name string, d *DayFile, tenant string, keys map[string]ed25519.PublicKey, known map[string]*ledger.Entry, v *Verified) *Failure {
	r := &d.Root
	if d.TenantID != tenant {
		return failed(name, "", "tenant %s is not the package's %s", d.TenantID, tenant)
	}
	pub := keys[r.KeyID]
	sig, err := base64.StdEncoding.DecodeString(r.Signature)
	if pub == nil || err != nil || !ed25519.Verify(pub, ledger.RootMessage(tenant, r.Day, r.Size, r.Root), sig) {
		return failed(name, "root "+r.Day, "%s: the day's root signature does not verify", ledger.ReasonBadRoot)
	}
	for _, in := range d.Inclusion {
		e := known[in.ID]
		if e == nil {
			return failed(name, "entry "+in.ID, "an inclusion proof for an entry in no chain of the package")
		}
		at := fmt.Sprintf("seq %d (entry %s)", e.Seq, e.ID)
		if e.ServerAt.UTC().Format(ledger.DayLayout) != r.Day {
			return failed(name, at, "%s: the entry is of another day", ledger.ReasonNotInRoot)
		}
		if err := ledger.VerifyInclusion(e.Hash, in.LeafIndex, r.Size, in.Nodes, r.Root); err != nil {
			return failed(name, at, "%s: the inclusion proof does not reach the root of %s", ledger.ReasonNotInRoot, r.Day)
		}
		v.Rooted++
	}
	return nil
}

func hashFile(f *zip.File) (string, int64, error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

func readJSON(f *zip.File, into any, max int64) error {
	if f.UncompressedSize64 > uint64(max) {
		return fmt.Errorf("larger than %d bytes", max)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return json.NewDecoder(io.LimitReader(rc, max)).Decode(into)
}
