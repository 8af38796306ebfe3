package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the key is read over a plain connection

	"github.com/masseflyt/masseflyt/core/clock"
)

// Row-level security on PostgreSQL trusts no setting the app role can make
// on its own. Each transaction states its tenant (or the system bypass)
// with a nonce and an HMAC over the three, keyed with a secret that lives
// in a schema only the owner role can read (mf_private.rls_key, made by the
// migrations). The policies verify the HMAC in a SECURITY DEFINER function
// owned by the owner. SQL run as the app role can set app.tenant_id or
// app.bypass to anything, but without the key it cannot sign them, and an
// unsigned or wrongly signed setting sees and changes no tenant row.
//
// The key reaches the process through the owner connection
// (Options.KeyURL, the migration URL) and is never readable by the app role.

// RLSKeyQuery reads the key (as the owner).
const RLSKeyQuery = `SELECT k FROM mf_private.rls_key WHERE id = 1`

type rlsKey struct {
	mu     sync.Mutex
	key    []byte
	url    string    // the owner connection; empty: the DB's own
	failed time.Time // the last failed read: retried after a second
}

// key returns the signing key, loading it once it exists. Before the
// migrations made it (or when the role may not read it) it is nil, and
// every tenant transaction then sees nothing.
func (d *DB) rlsSigningKey(ctx context.Context) []byte {
	r := d.rls
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.key != nil {
		return r.key
	}
	if !r.failed.IsZero() && clock.Real().Sub(r.failed) < time.Second {
		return nil
	}
	r.failed = clock.Real()
	var k []byte
	if r.url != "" {
		conn, err := sql.Open("pgx", r.url)
		if err != nil {
			return nil
		}
		defer conn.Close()
		if err := conn.QueryRowContext(ctx, RLSKeyQuery).Scan(&k); err != nil {
			return nil
		}
	} else {
		conn, err := d.Gorm.DB()
		if err != nil {
			return nil
		}
		if err := conn.QueryRowContext(ctx, RLSKeyQuery).Scan(&k); err != nil {
			return nil
		}
	}
	if len(k) >= 32 {
		r.key, r.failed = k, time.Time{}
	}
	return r.key
}

// SignRLS is the signature the policies check: hex(HMAC-SHA256(key,
// tenant|bypass|nonce)). Exported for the migrations' and store tests.
func SignRLS(key []byte, tenant, bypass, nonce string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tenant + "|" + bypass + "|" + nonce))
	return hex.EncodeToString(m.Sum(nil))
}

// rlsNonce is "<unix seconds>.<random>": the policies accept a signature
// only within RLSWindow of the database's clock, so one that leaked can be
// replayed for minutes at most.
func rlsNonce() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatInt(clock.Real().Unix(), 10) + "." + hex.EncodeToString(b[:])
}

// RLSWindow is how long (seconds, either way) a signed tenant setting is
// good for; the policies check it against the database's clock.
const RLSWindow = 300

// CheckRLS reports, on PostgreSQL, whether the row-level security key can
// be read: without it every tenant transaction would see nothing, so a
// server that cannot read it must not start.
func (d *DB) CheckRLS(ctx context.Context) error {
	if d.Dialect != Postgres {
		return nil
	}
	if d.rlsSigningKey(ctx) == nil {
		return errors.New("cannot read the row-level security key (mf_private.rls_key): set MASSEFLYT_MIGRATE_DATABASE_URL to the owner's connection and run the migrations")
	}
	return nil
}
