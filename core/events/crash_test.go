package events_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/plugins/mail/logmail"
	"github.com/masseflyt/masseflyt/server"
)

// The child process of TestCrashBetweenCommitAndDelivery reads its
// scenario and database from these.
const (
	crashScenario = "MASSEFLYT_CRASH_SCENARIO"
	crashDB       = "MASSEFLYT_CRASH_DB"
)

const member = "ola@sandvika-bygg.no" // a member of Sandvika Bygg, in Bærum

type crashTarget struct{ DataDir, DatabaseURL, MigrateDatabaseURL string }

// TestCrashBetweenCommitAndDelivery kills a process after it committed a
// published listing and its event, but before the event was delivered
// ("before": its dispatcher is stopped) or while it was being delivered
// ("during": the third subscriber kills the process, after two succeeded).
// A fresh app on the same database then delivers what is missing, once:
// match discovery, notifications and mail.
func TestCrashBetweenCommitAndDelivery(t *testing.T) {
	if sc := os.Getenv(crashScenario); sc != "" {
		crashChild(t, sc)
		return
	}
	for _, backend := range apitest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Run("before", func(t *testing.T) { crashBefore(t, backend) })
			t.Run("during", func(t *testing.T) { crashDuring(t, backend) })
		})
	}
}

// runCrashChild runs the scenario in a child process on e's database and
// returns the ID of the listing it published; the child must die by kill.
func runCrashChild(t *testing.T, e *apitest.Env, scenario string) string {
	t.Helper()
	_ = e.App.Close() // the env's own instance would deliver the event
	target, _ := json.Marshal(crashTarget{DataDir: e.Cfg.DataDir, DatabaseURL: e.Cfg.DatabaseURL, MigrateDatabaseURL: e.Cfg.MigrateDatabaseURL})
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashBetweenCommitAndDelivery$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashScenario+"="+scenario, crashDB+"="+string(target))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.Exited() { // killed: not exited
		t.Fatalf("the child should have been killed: %v\n%s\n%s", err, out, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "LISTING "); ok {
			return id
		}
	}
	t.Fatalf("the child published nothing:\n%s\n%s", out, stderr.String())
	return ""
}

// crashChild is the child process: it publishes a listing and is killed.
func crashChild(t *testing.T, scenario string) {
	var target crashTarget
	if err := json.Unmarshal([]byte(os.Getenv(crashDB)), &target); err != nil {
		t.Fatal(err)
	}
	cfg := apitest.Config()
	// The owner URL too: the app reads the row-level security key through it.
	cfg.DataDir, cfg.DatabaseURL, cfg.MigrateDatabaseURL = target.DataDir, target.DatabaseURL, target.MigrateDatabaseURL
	kill := func() {
		p, _ := os.FindProcess(os.Getpid())
		_ = p.Kill() // SIGKILL: no deferred function, no cleanup
		select {}
	}
	printed := make(chan struct{})
	a, err := server.New(cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SkipMigrate: true, Mount: []func(*app.App){func(a *app.App) {
		if scenario == "during" {
			a.Events.Lease = time.Second // so the next instance need not wait long
			a.Events.Subscribe("crash.a", func(context.Context, events.Envelope) error { return nil }, "listing.published")
			a.Events.Subscribe("crash.b", func(context.Context, events.Envelope) error { <-printed; kill(); return nil }, "listing.published")
		}
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if scenario == "before" {
		a.Events.Close() // the process dies before it delivers anything
	}
	e := &apitest.Env{T: t, App: a, Cfg: cfg}
	id := publishNeed(e)
	fmt.Printf("LISTING %s\n", id)
	_ = os.Stdout.Sync()
	close(printed)
	if scenario == "before" {
		kill()
	}
	time.Sleep(30 * time.Second) // crash.b kills the process
	t.Fatal("the child was not killed")
}

// publishNeed publishes a need next to Fornebu's surplus (a match).
func publishNeed(e *apitest.Env) string {
	r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: member, Body: map[string]any{"kind": "need", "title": "Krasjtest", "organization_id": e.OrgID("baerum", "sandvika-bygg"),
		"fractions": []string{"sprengstein"}, "quantity": 3000, "unit": "t", "available_from": apitest.Month(0), "available_to": apitest.Month(6), "lat": 59.896, "lon": 10.63, "intended_use": "fill", "transport": "seller_delivers", "publish": true}})
	if r.Status != 201 {
		e.T.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var l struct{ ID string }
	r.JSON(e.T, &l)
	return l.ID
}

// countIn counts rows on e's database while no app runs on it.
func countIn(t *testing.T, e *apitest.Env, table, where string, args ...any) int64 {
	t.Helper()
	db, err := store.Open(store.Options{URL: e.Cfg.DatabaseURL, KeyURL: e.Cfg.MigrateDatabaseURL, DataDir: e.Cfg.DataDir, Clock: e.Cfg.Clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.Read(store.System(context.Background(), "test: count after a crash"), func(tx *gorm.DB) error {
		return tx.Table(table).Where(where, args...).Count(&n).Error
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// restart starts a fresh app on e's database with counting subscribers.
func restart(t *testing.T, e *apitest.Env, subs map[string]*recorder) *apitest.Env {
	t.Helper()
	a, err := server.New(e.Cfg, app.Options{Logger: e.App.Log, SkipMigrate: true, Mount: []func(*app.App){func(a *app.App) {
		for name, r := range subs {
			a.Events.Subscribe(name, r.handler, "listing.published")
		}
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return &apitest.Env{T: t, App: a, Backend: e.Backend, Cfg: e.Cfg}
}

func published(r *recorder, id string) (n int) {
	for _, env := range r.list() {
		if ev, ok := env.Event.(events.ListingPublished); ok && ev.ListingID == id {
			n++
		}
	}
	return n
}

func crashBefore(t *testing.T, backend string) {
	e := apitest.New(t, backend)
	id := runCrashChild(t, e, "before")
	if n := countIn(t, e, "outbox", "subject = ? AND type = 'listing.published' AND done_at IS NULL", id); n != 1 {
		t.Fatalf("the committed event: %d undelivered rows, want 1", n)
	}
	if n := countIn(t, e, "matches", "listing_id = ?", id); n != 0 {
		t.Fatalf("%d matches before delivery", n)
	}
	count := &recorder{}
	f := restart(t, e, map[string]*recorder{"test.count": count})
	f.Settle()
	time.Sleep(200 * time.Millisecond) // anything delivered twice would show now
	f.Settle()
	if n := published(count, id); n != 1 {
		t.Fatalf("the subscriber got the event %d times, want once", n)
	}
	matches := f.Count("baerum", "matches", "listing_id = ?", id)
	found := f.Count("baerum", "outbox", "type = 'match.found' AND subject = ?", id)
	if matches == 0 || found != matches {
		t.Fatalf("discovery after the crash: %d matches, %d match.found events", matches, found)
	}
	if f.Count("baerum", "notifications", "counterpart_id = ?", id) == 0 {
		t.Fatal("no notification of the counterpart's representatives")
	}
	if sent := f.App.Matching.Mailer.(*logmail.Mailer).Messages(); len(sent) == 0 || !strings.Contains(sent[0].Text, "Krasjtest") {
		t.Fatalf("mail after the crash: %+v", sent)
	}
	// A third instance finds nothing left to do.
	again := &recorder{}
	g := restart(t, f, map[string]*recorder{"test.count": again})
	g.Settle()
	if len(again.list()) != 0 || g.Count("baerum", "matches", "listing_id = ?", id) != matches {
		t.Fatal("a delivered event was delivered again")
	}
}

func crashDuring(t *testing.T, backend string) {
	e := apitest.New(t, backend)
	id := runCrashChild(t, e, "during")
	a, b := &recorder{}, &recorder{}
	f := restart(t, e, map[string]*recorder{"crash.a": a, "crash.b": b})
	f.Settle()
	time.Sleep(200 * time.Millisecond)
	f.Settle()
	if published(a, id) != 0 || published(b, id) != 1 {
		t.Fatalf("after a crash during delivery: crash.a got it %d times (had it), crash.b %d (want 1)", published(a, id), published(b, id))
	}
	matches := f.Count("baerum", "matches", "listing_id = ?", id)
	found := f.Count("baerum", "outbox", "type = 'match.found' AND subject = ?", id)
	if matches == 0 || found != matches {
		t.Fatalf("discovery ran once before the crash: %d matches, %d match.found events", matches, found)
	}
	if n := f.Count("baerum", "outbox", "subject = ? AND type = 'listing.published' AND delivered = ',matching.discover,crash.a,crash.b,' AND done_at IS NOT NULL", id); n != 1 {
		t.Fatal("the event's deliveries are not recorded once each")
	}
}
