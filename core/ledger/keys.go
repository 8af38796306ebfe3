package ledger

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
)

// KeyEnv names the environment variable holding the platform's signing
// key: the base64 of a 32-byte Ed25519 seed.
const KeyEnv = "MASSEFLYT_LEDGER_KEY"

// KeyFile is the file in the data directory that holds the seed (base64)
// when KeyEnv is unset; it is made once, mode 0600.
const KeyFile = "ledger.key"

// Key is a row of ledger_keys: a public key the platform signs (or
// signed) with. Rows are never deleted, so old entries always verify.
type Key struct {
	KeyID     string     `gorm:"primaryKey" json:"key_id"`
	PublicKey string     `json:"public_key"` // base64
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// TableName is the keys' table.
func (Key) TableName() string { return "ledger_keys" }

// Keys holds the private key the platform signs with and a cache of the
// public keys it verifies with.
type Keys struct {
	priv ed25519.PrivateKey
	id   string

	mu  sync.RWMutex
	pub map[string]ed25519.PublicKey
}

// KeyID is the short hex of SHA-256 of a public key (16 hex digits).
func KeyID(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	return hex.EncodeToString(s[:8])
}

// NewKeys returns keys signing with the Ed25519 key of a 32-byte seed.
func NewKeys(seed []byte) (*Keys, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("ledger: the key seed must be %d bytes, not %d", ed25519.SeedSize, len(seed))
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	id := KeyID(pub)
	return &Keys{priv: priv, id: id, pub: map[string]ed25519.PublicKey{id: pub}}, nil
}

// LoadKeys reads the signing key from MASSEFLYT_LEDGER_KEY (base64 seed) or,
// when that is unset, from dataDir/ledger.key, creating that file once with
// a random seed (mode 0600).
func LoadKeys(dataDir string) (*Keys, error) {
	if v := strings.TrimSpace(os.Getenv(KeyEnv)); v != "" {
		seed, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("%s: not base64: %w", KeyEnv, err)
		}
		return NewKeys(seed)
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) { // another process made it first
			return LoadKeys(dataDir)
		}
		if err != nil {
			return nil, err
		}
		if _, err := f.WriteString(base64.StdEncoding.EncodeToString(seed) + "\n"); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return NewKeys(seed)
	}
	if err != nil {
		return nil, err
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: not base64: %w", path, err)
	}
	return NewKeys(seed)
}

// ID is the signing key's ID.
func (k *Keys) ID() string { return k.id }

// Public is the signing key's public half.
func (k *Keys) Public() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// Sign signs a hash; the signature is base64.
func (k *Keys) Sign(msg []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(k.priv, msg))
}

// Register records the signing key's public half in ledger_keys if it is
// new, and retires every other key still active: configuring a new key is
// the rotation.
func (k *Keys) Register(ctx context.Context, db *store.DB) error {
	ctx = store.System(ctx, "ledger: register the platform signing key")
	return db.Tx(ctx, func(tx *gorm.DB) error {
		if err := k.ensure(tx, db.Now()); err != nil {
			return err
		}
		return tx.Model(&Key{}).Where("key_id <> ? AND retired_at IS NULL", k.id).Update("retired_at", db.Now()).Error
	})
}

// ensure inserts the public key row if it is missing.
func (k *Keys) ensure(tx *gorm.DB, now time.Time) error {
	var ids []string
	return store.Raw(tx, `INSERT INTO ledger_keys (key_id, public_key, created_at) VALUES (@id, @pub, @at)
		ON CONFLICT (key_id) DO NOTHING RETURNING key_id`,
		map[string]any{"id": k.id, "pub": base64.StdEncoding.EncodeToString(k.Public()), "at": now}).Scan(&ids).Error
}

// lookup returns the public key of id, from the cache or ledger_keys.
func (k *Keys) lookup(tx *gorm.DB, id string) (ed25519.PublicKey, error) {
	k.mu.RLock()
	p, ok := k.pub[id]
	k.mu.RUnlock()
	if ok {
		return p, nil
	}
	var row Key
	if err := tx.Where("key_id = ?", id).Take(&row).Error; err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(row.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize || KeyID(b) != id {
		return nil, errors.New("ledger: malformed public key row " + id)
	}
	k.mu.Lock()
	k.pub[id] = b
	k.mu.Unlock()
	return b, nil
}

// PublicKeys lists every key the platform signs or signed with.
func PublicKeys(ctx context.Context, db *store.DB) ([]Key, error) {
	var out []Key
	err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Order("created_at, key_id").Find(&out).Error })
	return out, err
}

// PublicOnly returns keys that verify (with the public keys in
// ledger_keys) and cannot sign: for offline verification.
func PublicOnly() *Keys { return &Keys{pub: map[string]ed25519.PublicKey{}} }
