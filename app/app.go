package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/account"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/blob"
	"github.com/masseflyt/masseflyt/core/climate"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/dialog"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/invite"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/live"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/migrations"
	"github.com/masseflyt/masseflyt/route"
	"github.com/masseflyt/masseflyt/tenants"
)

// App is one Masseflyt instance.
type App struct {
	Config    Config
	Log       *slog.Logger
	DB        *store.DB
	Tenants   *tenants.Registry
	Roles     *tenants.Roles
	Users     *auth.Users
	Account   *account.Service
	Invites   *invite.Service
	Identity  auth.Identity
	Directory *directory.Service
	Market    *market.Service
	Matching  *matching.Service
	Dialogs   *dialog.Service
	Notify    *notify.Service
	Events    *events.Dispatcher
	Stats     *stats.Service
	Live      *live.Hub
	Bundle    *i18n.Bundle
	Fiber     *fiber.App

	// Agreements are made on the platform (K6), signed through an esign.* plugin.
	Agreements *agreement.Service
	// Transport is transport booking and planned transports (K7, K8).
	Transport *transport.Service
	// Blobs sweeps files no row names any more (app/blobs.go).
	Blobs *blob.Sweeper
	// Billing bills regions and members through a billing.* provider (D3, V10).
	Billing *billing.Service
	// Ledger is the tamper-evident load ledger (K9): chained, signed,
	// insert-only entries per agreement with signed daily Merkle roots.
	Ledger *ledger.Ledger
	// Haul is tracked loads, receipt control and the driver and gate app
	// (K9, K10, T5).
	Haul *haul.Service
	// Climate is the climate accounts from actual loads (V8, V9, B3).
	Climate *climate.Service

	// OnRoutes lets the UI and admin packages add their routes (set before New
	// by cmd or tests via Options).
	tables       []route.Table
	moduleRoutes []RouteRegistrar
	cleanups     []func() error
	started      time.Time

	// Errors renders this app's errors; the UI sets its HTML page on mount.
	Errors *httpx.Errors
}

// Options adjust New.
type Options struct {
	// Logger overrides the JSON logger on stderr.
	Logger *slog.Logger
	// SkipMigrate skips migrations (the caller ran them).
	SkipMigrate bool
	// Mount adds routes (UI, admin) after the kernel's.
	Mount []func(a *App)
}

// New builds an App: opens and migrates the database, loads the plugins and
// wires the HTTP server. It does not listen.
func New(cfg Config, o Options) (*App, error) {
	start := clock.Real()
	secretGiven := cfg.Secret != ""
	if err := cfg.Finish(); err != nil {
		return nil, err
	}
	if secretGiven { // cursors made by one instance read on the others
		page.SetSecret(cfg.Secret)
	}
	a := &App{Config: cfg, started: start}
	a.Log = o.Logger
	if a.Log == nil {
		lvl, _ := cfg.Level() // checked by Finish
		a.Log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	}
	if !o.SkipMigrate {
		if err := Migrate(cfg); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Clock: cfg.Clock, KeyURL: cfg.MigrateDatabaseURL})
	if err != nil {
		return nil, err
	}
	a.DB = db
	a.cleanups = append(a.cleanups, db.Close)
	if err := db.CheckRLS(context.Background()); err != nil {
		_ = a.Close()
		return nil, err
	}
	if err := a.provision(); err != nil {
		_ = a.Close()
		return nil, err
	}
	a.Errors = &httpx.Errors{Log: a.Log}
	a.Fiber = a.newFiber()
	a.Mount(a.Table())
	for _, m := range o.Mount {
		m(a)
	}
	a.Fiber.Use(func(c *fiber.Ctx) error { return httpx.NotFound() })
	a.wrapHost()
	if err := a.Events.Start(); err != nil { // after Mount, which may subscribe
		_ = a.Close()
		return nil, err
	}
	a.startDigests()
	a.startBlobSweep()
	a.startLedgerSeal()
	return a, nil
}

// Migrate applies the migrations with the owner connection.
func Migrate(cfg Config) error {
	url := cfg.MigrateDatabaseURL
	if url == "" {
		url = cfg.DatabaseURL
	}
	db, err := store.Open(store.Options{URL: url, DataDir: cfg.DataDir, Clock: cfg.Clock})
	if err != nil {
		return err
	}
	defer db.Close()
	return migrations.Run(db, migrations.Options{AppRole: cfg.DBAppRole})
}

func (a *App) provision() error {
	var err error
	a.Bundle, err = locales.NewBundle()
	if err != nil {
		return err
	}
	// The outbox dispatcher first: it registers with the database, before
	// anything else uses it. It starts at the end of New.
	if a.Events, err = events.NewDispatcher(a.DB, a.Log); err != nil {
		return err
	}
	a.cleanups = append(a.cleanups, func() error { a.Events.Close(); return nil })
	a.Tenants = tenants.NewRegistry(a.DB, a.Config.BaseDomain)
	a.Tenants.SetPublicURL(a.Config.PublicURL) // its host is never a tenant's domain (H3)
	if err := a.Tenants.Load(context.Background()); err != nil {
		return fmt.Errorf("load tenants: %w", err)
	}
	a.Roles, err = tenants.NewRoles(a.DB, a.Config.PolicyReload)
	if err != nil {
		return err
	}
	a.cleanups = append(a.cleanups, func() error { a.Roles.Close(); return nil })
	a.Users = &auth.Users{DB: a.DB}
	a.Account = &account.Service{Users: a.Users}
	if a.Identity, err = loadAs[auth.Identity](a, a.Config.Identity); err != nil {
		return err
	}
	reg, err := loadAs[directory.Registry](a, a.Config.Bizreg)
	if err != nil {
		return err
	}
	gc, err := loadAs[geo.Geocoder](a, a.Config.Geocoder)
	if err != nil {
		return err
	}
	a.Directory = &directory.Service{DB: a.DB, Registry: reg, Geocoder: gc}
	blobs, err := loadAs[blob.Store](a, a.Config.Storage)
	if err != nil {
		return err
	}
	a.Directory.Blobs = blobs // deleting a site or an organization removes its files (L5)
	a.Blobs = &blob.Sweeper{DB: a.DB, Store: blobs, Tables: BlobTables, Log: a.Log}
	moves := a.Config.MaxLocationChanges
	if moves == 0 {
		moves = -1 // the setting's 0 is no limit; the service's 0 is its default
	}
	a.Market = &market.Service{DB: a.DB, Directory: a.Directory, Blobs: blobs, PublicURL: a.Config.PublicURL, MaxLocationChanges: moves, ImportLimits: a.Config.LabImport}
	router, err := loadAs[geo.Router](a, a.Config.Routing)
	if err != nil {
		return err
	}
	// The engine ranks every candidate by straight-line distance × detour (the
	// routing.haversine plugin's factor when it is the router); a road router
	// such as routing.osrm then refines the distances of the ranked matches.
	eng := matching.NewEngine()
	var road geo.Router
	if d, ok := router.(interface{ DetourFactor() float64 }); ok {
		eng.Detour = d.DetourFactor()
	} else {
		road = router
	}
	eng.Router = "haversine×" + strconv.FormatFloat(eng.Detour, 'f', -1, 64)
	// The haul radius (issue 16): longer hauls are never ranked.
	haul, err := strconv.ParseFloat(a.Config.Setting("MASSEFLYT_MAX_HAUL_KM", strconv.Itoa(matching.DefaultMaxHaulKm)), 64)
	if err != nil || !(haul >= 1 && haul <= 1000) {
		return fmt.Errorf("MASSEFLYT_MAX_HAUL_KM must be a number of km from 1 to 1000, not %q", a.Config.Setting("MASSEFLYT_MAX_HAUL_KM", ""))
	}
	eng.MaxHaulKm = haul
	mailer, err := loadAs[events.Mailer](a, a.Config.Mail)
	if err != nil {
		return err
	}
	// Roles by e-mail go to verified addresses or wait in invitations,
	// accepted when the address is verified at login.
	a.Invites = &invite.Service{DB: a.DB, Users: a.Users, Roles: a.Roles, Mailer: mailer, Bundle: a.Bundle, Region: a.inviteRegion, Log: a.Log}
	a.Invites.Subscribe(a.Events)
	a.Users.OnVerified = func(ctx context.Context, u *auth.User) {
		if _, err := a.Invites.Accept(ctx, u); err != nil {
			a.Log.Warn("accepting invitations failed", "user", u.ID, "err", err)
		}
	}
	a.Matching = &matching.Service{DB: a.DB, Market: a.Market, Engine: eng, Mailer: mailer, Road: road, Bundle: a.Bundle, Regions: a.region}
	a.Matching.Subscribe(a.Events)
	a.Notify = &notify.Service{DB: a.DB, Mailer: mailer, Bundle: a.Bundle, Regions: a.notifyRegion}
	a.Notify.Subscribe(a.Events)
	a.Dialogs = &dialog.Service{DB: a.DB, Market: a.Market, Blobs: blobs}
	a.Dialogs.Subscribe(a.Events)
	a.Market.Disclosures = a.Dialogs // what owners disclosed in dialogs (B6)
	signer, err := loadAs[agreement.Signer](a, a.Config.Setting("MASSEFLYT_ESIGN", "esign.simple"))
	if err != nil {
		return err
	}
	a.Agreements = &agreement.Service{DB: a.DB, Market: a.Market, Signer: signer}
	// A site or an organization cannot take a proposed or signed agreement
	// with it; its drafts go along.
	a.Directory.RemoveGuards = append(a.Directory.RemoveGuards, a.Agreements.RemoveGuard)
	a.Transport = &transport.Service{DB: a.DB}
	if err := a.provisionBilling(); err != nil {
		return err
	}
	a.Stats = &stats.Service{DB: a.DB}
	if err := a.provisionLedger(); err != nil {
		return err
	}
	a.provisionHaul()
	a.provisionClimate()
	return a.connectEvents()
}

// inviteRegion describes a tenant for invitation mail.
func (a *App) inviteRegion(tenantID string) (invite.Region, bool) {
	base := strings.TrimRight(a.Config.PublicURL, "/")
	t, ok := a.Tenants.ByID(tenantID)
	if !ok {
		return invite.Region{Name: "Masseflyt", Locale: locales.Default, URL: base}, tenantID == invite.Platform
	}
	url := base + "/t/" + t.Slug
	if len(t.Domains) > 0 {
		url = "https://" + t.Domains[0]
	}
	return invite.Region{Name: t.Name, Slug: t.Slug, Locale: t.DefaultLocale, URL: url}, true
}

// region describes a tenant for match mail.
func (a *App) region(tenantID string) (matching.Region, bool) {
	t, ok := a.Tenants.ByID(tenantID)
	if !ok {
		return matching.Region{}, false
	}
	return matching.Region{Name: t.Name, Slug: t.Slug, Locale: t.DefaultLocale}, true
}

// connectEvents joins this instance to the others through the outbox:
// every committed event (this instance's or another's, read from the
// outbox) makes the tenant's caches (maps, lists, statistics) stale,
// tenant and role changes are reloaded, and the live hub shows the public
// ones. On Postgres a NOTIFY from the instance that numbered new events
// wakes this one's dispatcher. The dispatcher starts in New, once every
// subscriber is registered.
func (a *App) connectEvents() error {
	a.Events.Listen(func(env events.Envelope) {
		switch env.Event.(type) {
		case events.TenantChanged:
			if err := a.Tenants.Load(context.Background()); err != nil {
				a.Log.Warn("tenant reload after a change failed", "err", err)
			}
		case events.RolesChanged:
			if err := a.Roles.Reload(); err != nil {
				a.Log.Warn("role reload after a change failed", "err", err)
			}
		}
		if env.TenantID != events.Platform {
			store.BumpGeneration(env.TenantID)
		}
	})
	a.Tenants.OnChange = func(id string) { a.emit(events.TenantChanged{TenantID: id}) }
	a.Roles.OnChange = func() { a.emit(events.RolesChanged{}) }
	if a.DB.Dialect == store.Postgres {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l, err := events.ListenPG(ctx, a.Config.DatabaseURL, a.Events.Wake, a.Log)
		if err != nil {
			return fmt.Errorf("outbox listener: %w", err)
		}
		a.cleanups = append(a.cleanups, func() error { l.Close(); return nil })
	}
	a.Live = live.NewHub(a.liveStats)
	a.Live.MaxClients = a.Config.MaxLiveClients
	a.Events.Listen(a.Live.OnEvent)
	a.cleanups = append(a.cleanups, func() error { a.Live.Close(); return nil })
	return nil
}

// warmMatching builds every region's match index after start, so the
// first match query does not wait for it.
func (a *App) warmMatching() {
	for _, t := range a.Tenants.All() {
		s := clock.Real()
		if err := a.Matching.Warm(context.Background(), t.ID); err != nil {
			a.Log.Warn("match index not built at start", "tenant", t.Slug, "err", err)
			continue
		}
		a.Log.Info("match index ready", "tenant", t.Slug, "listings", a.Matching.Indexed(t.ID), "took", clock.Real().Sub(s).String(), "since_start", clock.Real().Sub(a.started).String())
	}
}

// emit records a platform event (after the change it reports committed:
// the tenant registry and the role rules write on their own).
func (a *App) emit(e events.Event) {
	ctx := store.System(context.Background(), "platform event: tenant or role change")
	if err := a.DB.Tx(ctx, func(tx *gorm.DB) error { return events.Emit(tx, e) }); err != nil {
		a.Log.Warn("platform event not recorded; other instances reload later", "type", e.EventType(), "err", err)
	}
}

// liveStats renders a tenant's statistics for the live stream.
func (a *App) liveStats(tenantID string) ([]byte, error) {
	t, ok := a.Tenants.ByID(tenantID)
	if !ok {
		return nil, errors.New("unknown tenant")
	}
	st, err := a.Stats.For(context.Background(), t.ID, t.Slug)
	if err != nil {
		return nil, err
	}
	return json.Marshal(st)
}

// OnClose runs f when the app closes; cleanups run in reverse order.
func (a *App) OnClose(f func() error) { a.cleanups = append(a.cleanups, f) }

// Close releases everything, in reverse order.
func (a *App) Close() error {
	var errs []error
	for i := len(a.cleanups) - 1; i >= 0; i-- {
		if err := a.cleanups[i](); err != nil {
			errs = append(errs, err)
		}
	}
	a.cleanups = nil
	return errors.Join(errs...)
}

// Serve listens until ctx is cancelled, then shuts down gracefully.
func (a *App) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- a.listen() }()
	a.Log.Info("listening", "addr", a.Config.Addr, "env", a.Config.Env, "db", string(a.DB.Dialect), "startup", clock.Real().Sub(a.started).String())
	go a.warmMatching() // issue 16: the indexes are built once, in the background; nothing is rediscovered
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	a.Live.Close() // open event streams would hold the shutdown
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Fiber.ShutdownWithContext(sctx); err != nil {
		return err
	}
	return <-errc
}

// provisionBilling loads the billing provider (MASSEFLYT_BILLING, default
// billing.local), subscribes the usage meter to the outbox and drains the
// usage ledger to the provider in the background.
func (a *App) provisionBilling() error {
	prov, err := loadAs[billing.Provider](a, a.Config.Setting("MASSEFLYT_BILLING", "billing.local"))
	if err != nil {
		return err
	}
	s := a.Config.Setting
	a.Billing = &billing.Service{DB: a.DB, Provider: prov, Log: a.Log, WebhookSecret: a.Config.Setting("MASSEFLYT_STRIPE_WEBHOOK_SECRET", ""),
		Mailer: a.Notify.Mailer, PublicURL: strings.TrimRight(a.Config.PublicURL, "/"), // invoice notices (billing.local)
		Seller: billing.Platform{Name: s("MASSEFLYT_PLATFORM_NAME", "Masseflyt AS"), OrgNumber: s("MASSEFLYT_PLATFORM_ORG_NUMBER", ""),
			Address: s("MASSEFLYT_PLATFORM_ADDRESS", ""), PostCode: s("MASSEFLYT_PLATFORM_POSTCODE", ""), City: s("MASSEFLYT_PLATFORM_CITY", ""),
			Email: s("MASSEFLYT_PLATFORM_EMAIL", ""), Account: s("MASSEFLYT_PLATFORM_ACCOUNT", "")}}
	a.Billing.Subscribe(a.Events)
	// A region may stop new listings of an organization with an unpaid
	// invoice; what is registered stays as it is.
	a.Market.CreateGate = func(ctx context.Context, orgID string) error {
		if due, what := a.Billing.PastDue(ctx, orgID); due && what == billing.ConsequenceNoListings {
			return fail.New(fail.Forbidden, "billing_past_due", "ErrBillingPastDueNoListings")
		}
		return nil
	}
	// Ended months are invoiced once across instances (billing.local);
	// open invoices past due become "forfalt".
	a.every(billing.CloseInterval, func(ctx context.Context) {
		if _, err := a.Billing.Close(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("billing: closing ended months failed", "err", err)
		}
	})
	if a.Config.NoBackground {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); (&billing.Drainer{S: a.Billing}).Run(ctx) }()
	a.cleanups = append(a.cleanups, func() error { cancel(); <-done; return nil })
	return nil
}
