package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/core/store"
)

// Token is an API token for integrations. Only its SHA-256 is stored; the
// secret is shown once, at creation.
type Token struct {
	store.TenantRow
	ID         string     `gorm:"primaryKey" json:"id"`
	UserID     string     `json:"-"`
	Name       string     `json:"name"`
	TokenHash  string     `json:"-"`
	Prefix     string     `json:"prefix"`
	Scopes     string     `json:"-"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

func (Token) TableName() string { return "api_tokens" }

// Token scopes.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
	// ScopeAdmin lets a tenant admin's token do that region's
	// administration (never the platform's); made only from an AAL2
	// session, for at most MaxAdminTokenDays.
	ScopeAdmin = "admin"
)

// AllScopes lists the valid scopes.
var AllScopes = []string{ScopeRead, ScopeWrite, ScopeAdmin}

// MaxAdminTokenDays bounds an admin token's lifetime.
const MaxAdminTokenDays = 30

// TokenPrefix starts every token so secret scanners can recognise it.
const TokenPrefix = "mft_"

// NewTokenSecret returns a new random token and its stored hash.
func NewTokenSecret() (secret, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashToken(secret)
}

// HashToken returns the hex SHA-256 of a token.
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// ScopeList returns the token's scopes.
func (t *Token) ScopeList() []string { return strings.Split(t.Scopes, ",") }

// HasScope reports whether the token carries s.
func (t *Token) HasScope(s string) bool {
	for _, x := range t.ScopeList() {
		if x == s {
			return true
		}
	}
	return false
}

// Active reports whether the token may be used at now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}
