package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/store"
)

// Users stores people (a global table) and API tokens (a tenant table).
type Users struct {
	DB *store.DB

	mu    sync.Mutex
	cache map[string]cachedUser // by subject

	tokMu  sync.RWMutex
	tokens map[string]cachedToken // by tenant ID and token hash

	// OnVerified runs after a user's address became verified (the
	// invitations waiting for it are accepted).
	OnVerified func(ctx context.Context, u *User)
}

type cachedToken struct {
	tok  Token
	user User
	at   time.Time
}

// TokenCacheTTL bounds how long a revocation made on another instance can
// go unseen here (revocations on this instance apply at once).
const TokenCacheTTL = 15 * time.Second

type cachedUser struct {
	u        *User
	verified bool // the session's EmailVerified when cached
	at       time.Time
}

const userCacheTTL = time.Minute

// Ensure returns the user for an identity session, creating or updating the
// row from the provider's traits (only e-mail and name: T15). The address
// becomes the user's verified address when the provider verified it and no
// other user holds it already; then OnVerified runs (accepting invitations).
func (s *Users) Ensure(ctx context.Context, sess *Session) (*User, error) {
	s.mu.Lock()
	if cu, ok := s.cache[sess.Subject]; ok && clock.Real().Sub(cu.at) < userCacheTTL && cu.u.Email == sess.Email && cu.u.Name == nameOr(sess) && cu.verified == sess.EmailVerified {
		s.mu.Unlock()
		return cu.u, nil
	}
	s.mu.Unlock()
	ctx = store.System(ctx, "users are global")
	var u User
	newly := false
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		newly = false
		err := tx.Where("subject = ?", sess.Subject).Take(&u).Error
		created := errors.Is(err, gorm.ErrRecordNotFound)
		if created {
			now := s.DB.Now()
			u = User{ID: store.NewID(), Subject: sess.Subject, Email: sess.Email, Name: nameOr(sess), CreatedAt: now, UpdatedAt: now}
		} else if err != nil {
			return err
		}
		email, name := u.Email, u.Name
		if sess.Email != "" {
			email, name = sess.Email, nameOr(sess)
		}
		verified, err := s.verifiedAddress(tx, &u, sess)
		if err != nil {
			return err
		}
		newly = verified != nil && (u.VerifiedEmail == nil || *u.VerifiedEmail != *verified)
		if created {
			u.VerifiedEmail = verified
			return tx.Create(&u).Error
		}
		if email == u.Email && name == u.Name && sameAddr(verified, u.VerifiedEmail) {
			return nil
		}
		u.Email, u.Name, u.VerifiedEmail = email, name, verified
		return tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"email": u.Email, "name": u.Name, "verified_email": u.VerifiedEmail, "updated_at": s.DB.Now()}).Error
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cache == nil || len(s.cache) > 10000 {
		s.cache = map[string]cachedUser{}
	}
	s.cache[sess.Subject] = cachedUser{u: &u, verified: sess.EmailVerified, at: clock.Real()}
	s.mu.Unlock()
	if newly && s.OnVerified != nil {
		s.OnVerified(ctx, &u)
	}
	return &u, nil
}

// NormalizeEmail is how addresses are compared: trimmed, lower case.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// verifiedAddress is the user's verified address after this session: the
// session's address when the provider verified it, the one held already
// while the address is unchanged, else none. An address another user holds
// is not taken over.
func (s *Users) verifiedAddress(tx *gorm.DB, u *User, sess *Session) (*string, error) {
	addr := NormalizeEmail(sess.Email)
	if addr == "" {
		return u.VerifiedEmail, nil
	}
	if !sess.EmailVerified {
		if u.VerifiedEmail != nil && *u.VerifiedEmail == addr {
			return u.VerifiedEmail, nil
		}
		return nil, nil
	}
	var n int64
	if err := tx.Model(&User{}).Where("verified_email = ? AND id <> ?", addr, u.ID).Count(&n).Error; err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, nil
	}
	return &addr, nil
}

func sameAddr(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func nameOr(sess *Session) string {
	if sess.Name != "" {
		return sess.Name
	}
	name, _, _ := strings.Cut(sess.Email, "@")
	return name
}

// ByID returns a user.
func (s *Users) ByID(ctx context.Context, id string) (*User, error) {
	var u User
	err := s.DB.Read(store.System(ctx, "users are global"), func(tx *gorm.DB) error {
		return tx.Where("id = ?", id).Take(&u).Error
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// ByVerifiedEmail returns the user whose verified address is email;
// gorm.ErrRecordNotFound if none. Roles go only to such a user.
func (s *Users) ByVerifiedEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.DB.Read(store.System(ctx, "users are global"), func(tx *gorm.DB) error {
		return tx.Where("verified_email = ?", NormalizeEmail(email)).Take(&u).Error
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// ByEmail returns a user by e-mail, verified or not (the CLI's token
// command); roles use ByVerifiedEmail.
func (s *Users) ByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.DB.Read(store.System(ctx, "users are global"), func(tx *gorm.DB) error {
		return tx.Where("LOWER(email) = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// Errors of token lookup.
var (
	ErrTokenInvalid = errors.New("auth: invalid token")
	ErrTokenExpired = errors.New("auth: token expired")
	ErrTokenRevoked = errors.New("auth: token revoked")
)

// CreateToken issues a token for userID in the context's tenant. The secret is
// returned once and never stored.
func (s *Users) CreateToken(ctx context.Context, userID, name string, scopes []string, ttl time.Duration) (*Token, string, error) {
	secret, hash := NewTokenSecret()
	now := s.DB.Now()
	t := &Token{ID: store.NewID(), UserID: userID, Name: name, TokenHash: hash, Prefix: secret[:len(TokenPrefix)+6], Scopes: strings.Join(scopes, ","), ExpiresAt: now.Add(ttl), CreatedAt: now}
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(t).Error }); err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// Tokens lists a user's tokens in the context's tenant.
func (s *Users) Tokens(ctx context.Context, userID string) ([]Token, error) {
	var out []Token
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Where("user_id = ?", userID).Order("created_at DESC").Find(&out).Error
	})
	return out, err
}

// AdminTokens lists the admin-scoped tokens in the context's tenant.
func (s *Users) AdminTokens(ctx context.Context) ([]Token, error) {
	var out []Token
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Where("scopes LIKE ?", "%"+ScopeAdmin+"%").Order("created_at DESC").Limit(500).Find(&out).Error
	})
	return out, err
}

// RevokeToken revokes a user's token in the context's tenant; false if none matched.
func (s *Users) RevokeToken(ctx context.Context, userID, id string) (bool, error) {
	var n int64
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Token{}).Where("id = ? AND user_id = ? AND revoked_at IS NULL", id, userID).Update("revoked_at", s.DB.Now())
		n = res.RowsAffected
		return res.Error
	})
	s.tokMu.Lock()
	for h, ct := range s.tokens {
		if ct.tok.ID == id {
			delete(s.tokens, h)
		}
	}
	s.tokMu.Unlock()
	return n > 0, err
}

// LookupToken finds a token of the request's tenant by its secret, and its
// user. A token is looked up by tenant and hash (UNIQUE (tenant_id,
// token_hash)), never across tenants: another region's token is simply
// not found here.
func (s *Users) LookupToken(ctx context.Context, tenantID, secret string) (*Token, *User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 || tenantID == "" {
		return nil, nil, ErrTokenInvalid
	}
	hash := HashToken(secret)
	key := tenantID + "|" + hash
	s.tokMu.RLock()
	ct, hit := s.tokens[key]
	s.tokMu.RUnlock()
	if hit && clock.Real().Sub(ct.at) < TokenCacheTTL {
		if !s.DB.Now().Before(ct.tok.ExpiresAt) {
			return nil, nil, ErrTokenExpired
		}
		t, u := ct.tok, ct.user
		return &t, &u, nil
	}
	ctx = store.WithTenant(ctx, tenantID)
	var t Token
	var u User
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("tenant_id = ? AND token_hash = ?", tenantID, hash).Take(&t).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", t.UserID).Take(&u).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.DB.Now()
	switch {
	case t.RevokedAt != nil:
		return nil, nil, ErrTokenRevoked
	case !now.Before(t.ExpiresAt):
		return nil, nil, ErrTokenExpired
	}
	s.tokMu.Lock()
	if s.tokens == nil || len(s.tokens) > 10000 {
		s.tokens = map[string]cachedToken{}
	}
	s.tokens[key] = cachedToken{tok: t, user: u, at: clock.Real()}
	s.tokMu.Unlock()
	return &t, &u, nil
}
