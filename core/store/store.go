package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/fail"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the application's database handle. Use Tx for writes and Read for
// reads: on Postgres both run inside a transaction that sets app.tenant_id so
// row-level security (the second wall) sees the tenant.
type DB struct {
	Gorm    *gorm.DB
	Dialect Dialect
	// Clock is the one clock (creation and update stamps, and every service
	// that reads the date through Now).
	Clock clock.Clock

	// Citus is true on a Citus coordinator (the citus extension is
	// installed): the few statements Citus cannot run take a plainer form
	// (docs/scaling.md).
	Citus bool

	catalog *catalog
	rls     *rlsKey
}

// Now reads the database's clock, in UTC to the microsecond (what both
// engines store).
func (d *DB) Now() time.Time { return d.Clock.Now().UTC().Truncate(time.Microsecond) }

// Options configure Open.
type Options struct {
	// URL is a Postgres connection URL; empty selects SQLite in DataDir.
	URL     string
	DataDir string
	// SQLitePath overrides the SQLite file (":memory:"-style DSNs included).
	SQLitePath string
	Debug      bool
	// Clock stamps rows; the system clock when nil.
	Clock clock.Clock
	// KeyURL is the owner's connection (Postgres), through which the
	// row-level security signing key is read (see rls.go); empty reads it
	// through URL, which works only when URL is the owner's.
	KeyURL string
	// BusyTimeout is how long a SQLite writer waits for the write lock
	// before the request gets 503 (see Busy); 5 s when zero.
	BusyTimeout time.Duration
}

// Open connects to the configured database and installs the tenant scoping plugin.
func Open(o Options) (*DB, error) {
	ck := o.Clock
	if ck == nil {
		ck = clock.System()
	}
	cfg := &gorm.Config{
		Logger:                                   logger.Discard,
		PrepareStmt:                              false,
		DisableForeignKeyConstraintWhenMigrating: true,
		NowFunc:                                  func() time.Time { return ck.Now().UTC().Truncate(time.Microsecond) },
	}
	if o.Debug {
		cfg.Logger = logger.Default.LogMode(logger.Info)
	}
	var (
		g   *gorm.DB
		err error
		d   Dialect
	)
	if o.URL != "" {
		d = Postgres
		g, err = gorm.Open(postgres.Open(o.URL), cfg)
	} else {
		d = SQLite
		path := o.SQLitePath
		if path == "" {
			if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
				return nil, fmt.Errorf("create data dir: %w", err)
			}
			path = filepath.Join(o.DataDir, "masseflyt.db")
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		busy := o.BusyTimeout
		if busy <= 0 {
			busy = 5 * time.Second
		}
		dsn := path + sep + "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")&_pragma=synchronous(NORMAL)&_txlock=immediate"
		g, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", d, err)
	}
	cat := &catalog{}
	if err := g.Use(scoping{cat: cat}); err != nil {
		return nil, err
	}
	if err := cat.load(g, d); err != nil {
		return nil, err
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	if d == SQLite {
		// One writer at a time is SQLite's model; a few connections let
		// readers proceed under WAL.
		sqlDB.SetMaxOpenConns(4)
		sqlDB.SetMaxIdleConns(4)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	db := &DB{Gorm: g, Dialect: d, Clock: ck, catalog: cat, rls: &rlsKey{url: o.KeyURL}}
	if d == Postgres {
		var n int64
		if err := g.Raw(`SELECT count(*) FROM pg_extension WHERE extname = 'citus'`).Scan(&n).Error; err != nil {
			return nil, fmt.Errorf("open %s: %w", d, err)
		}
		db.Citus = n > 0
	}
	return db, nil
}

// Close closes the connection pool.
func (d *DB) Close() error {
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error {
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Tx runs fn in a transaction carrying ctx's tenant (or system bypass).
// Functions given to AfterCommit inside fn run once it has committed.
// Inside a unit of work (Unit) it is a savepoint of the unit's
// transaction.
func (d *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if u := d.unitOf(ctx); u != nil {
		return d.txInUnit(ctx, u, fn)
	}
	ctx, hooks := withCommitHooks(ctx)
	var key []byte
	if d.Dialect == Postgres {
		key = d.rlsSigningKey(ctx) // before the transaction: a failed read must not abort it
	}
	dctx, err := d.driverCtx(ctx)
	if err != nil {
		return err
	}
	err = d.Gorm.WithContext(dctx).Transaction(func(tx *gorm.DB) error {
		if err := d.setLocal(ctx, tx, key); err != nil {
			return err
		}
		return fn(tx)
	})
	if err == nil {
		hooks.run() // after the commit: see AfterCommit
	}
	return Busy(err)
}

// Read runs a read-only fn. On SQLite it runs without a transaction (WAL
// readers never block); on Postgres it needs one for the RLS settings.
func (d *DB) Read(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if u := d.unitOf(ctx); u != nil {
		return d.readInUnit(ctx, u, fn)
	}
	if d.Dialect == SQLite {
		dctx, err := d.driverCtx(ctx)
		if err != nil {
			return err
		}
		return Busy(fn(d.Gorm.WithContext(dctx)))
	}
	return d.Tx(ctx, fn)
}

// driverCtx is the context a statement runs under. On SQLite a statement
// already running is not interrupted when ctx ends: the driver's interrupt
// (glebarez/go-sqlite interruptOnDone) reads the connection without its
// lock, which races with the pool closing that connection (the race
// detector saw it when an app closed as the outbox's query was cancelled).
// A context that has ended before still stops the work, and SQLite's
// statements are local and short. ctx's values (tenant, actor, hooks,
// unit) are kept.
func (d *DB) driverCtx(ctx context.Context) (context.Context, error) {
	if d.Dialect != SQLite {
		return ctx, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// setLocal states the transaction's tenant (or the system bypass), signed
// with the row-level security key (see rls.go): the policies trust the
// settings only with a valid signature.
func (d *DB) setLocal(ctx context.Context, tx *gorm.DB, key []byte) error {
	if d.Dialect != Postgres {
		return nil
	}
	tid, _ := TenantID(ctx)
	bypass := "off"
	if IsSystem(ctx) && tid == "" {
		bypass = "on"
	}
	nonce, sig := rlsNonce(), ""
	if key != nil {
		sig = SignRLS(key, tid, bypass, nonce)
	}
	// SET LOCAL, not set_config: Citus forwards SET LOCAL to the shards'
	// connections, which is where the policies run; set_config only
	// reaches the coordinator's session.
	// SET takes no parameters, so the values are quoted as literals.
	// The first setting makes Citus forward the others to the workers'
	// connections (on plain PostgreSQL it is an unused placeholder).
	return tx.Exec("SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL app.tenant_id = " + QuoteLiteral(tid) +
		"; SET LOCAL app.bypass = " + QuoteLiteral(bypass) +
		"; SET LOCAL app.nonce = " + QuoteLiteral(nonce) +
		"; SET LOCAL app.sig = " + QuoteLiteral(sig)).Error
}

// QuoteLiteral quotes s as a PostgreSQL string literal: single quotes are
// doubled, and a string holding a backslash is written as an escape string
// (E'…') with the backslashes doubled, so the result means s whatever
// standard_conforming_strings says. A NUL byte, which no literal can hold,
// is dropped.
func QuoteLiteral(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	s = strings.ReplaceAll(s, "'", "''")
	if strings.Contains(s, `\`) {
		return "E'" + strings.ReplaceAll(s, `\`, `\\`) + "'"
	}
	return "'" + s + "'"
}

// IsUniqueViolation reports whether err is a unique constraint failure on either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key value")
}

// IsForeignKeyViolation reports whether err is a foreign key failure on either dialect.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "FOREIGN KEY constraint failed") || strings.Contains(s, "SQLSTATE 23503") || strings.Contains(s, "violates foreign key")
}

// LikeOp returns the case-insensitive LIKE operator of the dialect.
func (d *DB) LikeOp() string {
	if d.Dialect == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// Busy maps SQLite's "database is locked" (SQLITE_BUSY, a writer waited
// longer than the busy timeout) and Postgres' lock timeouts to a fail
// Unavailable error, which the HTTP layer answers with 503 and Retry-After:
// the request may be repeated, nothing is wrong with it. Tx and Read apply
// it; other errors pass through unchanged.
func Busy(err error) error {
	if err == nil || !IsBusy(err) {
		return err
	}
	if _, ok := fail.As(err); ok {
		return err
	}
	e := fail.New(fail.Unavailable, "busy", "ErrBusy")
	e.Err = err
	return e
}

// IsBusy reports whether err is a lock wait that ran out.
func IsBusy(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "database is locked") || strings.Contains(s, "SQLITE_BUSY") ||
		strings.Contains(s, "database table is locked") || strings.Contains(s, "SQLSTATE 55P03")
}
