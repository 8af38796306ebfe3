package stripe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
	"github.com/masseflyt/masseflyt/migrations"
)

// The figure (docs/PERFORMANCE.md, "Billing"): a usage ledger of 10,000
// billable events drains to stripe-mock (BenchmarkDrainStripeMock), and a
// drain killed with SIGKILL halfway and restarted sends each event exactly
// once as counted by a recording fake of Stripe's meter-event endpoint
// (TestDrainCrashExactlyOnce). MASSEFLYT_BILLING_EVENTS sets the count
// (10,000 for the figure; 2,000 by default, to keep the suite quick).

func figureEvents() int {
	if n, err := strconv.Atoi(os.Getenv("MASSEFLYT_BILLING_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 2000
}

func openLedger(dir string) (*store.DB, error) {
	db, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		return nil, err
	}
	return db, migrations.Run(db, migrations.Options{})
}

// seedLedger makes a region with one paying organization and n unsent
// usage rows.
func seedLedger(t testing.TB, dir string, n int) {
	t.Helper()
	db, err := openLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tid := storetest.Tenant(t, db, "baerum")
	ctx := storetest.Ctx(tid)
	now := db.Now()
	org := &directory.Organization{ID: store.NewID(), OrgNumber: "928155676", Name: "Sandvika Bygg AS", Kinds: directory.List{"builder"}, Services: directory.List{}}
	err = db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(org).Error; err != nil {
			return err
		}
		p := &billing.MemberPlan{ID: store.NewID(), Name: "Standard", Interval: "month", Currency: "NOK", Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(p).Error; err != nil {
			return err
		}
		if err := tx.Create(&billing.Subscription{ID: store.NewID(), OrgID: org.ID, PlanID: &p.ID, Status: billing.StatusActive, CustomerID: "cus_figure", PeriodStart: now, Version: 1, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			return err
		}
		rows := make([]billing.Usage, n)
		for i := range rows {
			rows[i] = billing.Usage{ID: fmt.Sprintf("evt%06d:%s", i, org.ID), EventID: fmt.Sprintf("evt%06d", i), OrgID: org.ID, AgreementID: "ag", Metric: billing.MetricAgreements,
				Quantity: 1, OccurredAt: now, NextAt: now.Add(-time.Minute), CreatedAt: now}
		}
		return tx.CreateInBatches(rows, 500).Error
	})
	if err != nil {
		t.Fatal(err)
	}
}

// drainAll drains the ledger in dir to the Stripe API at url.
func drainAll(dir, url string) (int, error) {
	db, err := openLedger(dir)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	p := &Provider{Key: "sk_test_figure", URL: url}
	p.Init()
	d := &billing.Drainer{S: &billing.Service{DB: db, Provider: p}, Workers: 8, Batch: 250}
	total := 0
	for {
		n, err := d.Drain(context.Background())
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// TestMain runs the package's tests, or, as the child process of
// TestDrainCrashExactlyOnce (MF_DRAIN_DIR set), drains and exits: the
// parent kills it halfway.
func TestMain(m *testing.M) {
	if dir := os.Getenv("MF_DRAIN_DIR"); dir != "" {
		if _, err := drainAll(dir, os.Getenv("MF_DRAIN_URL")); err != nil {
			fmt.Fprintln(os.Stderr, "drain:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fakeStripe records meter events by identifier, as Stripe deduplicates.
type fakeStripe struct {
	mu    sync.Mutex
	calls int
	seen  map[string]int
	hit   chan struct{}
}

func (f *fakeStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/billing/meter_events" || r.ParseForm() != nil {
		http.Error(w, `{"error":{"message":"unexpected"}}`, 400)
		return
	}
	id := r.PostForm.Get("identifier")
	time.Sleep(200 * time.Microsecond) // a network's worth of latency
	f.mu.Lock()
	f.calls++
	f.seen[id]++
	n := f.calls
	f.mu.Unlock()
	if n%100 == 0 {
		select {
		case f.hit <- struct{}{}:
		default:
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "billing.meter_event", "identifier": id, "event_name": billing.MeterEventName, "created": time.Now().Unix(), "livemode": false, "payload": map[string]string{}, "timestamp": time.Now().Unix()})
}

func (f *fakeStripe) counts() (calls, distinct int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, len(f.seen)
}

func TestDrainCrashExactlyOnce(t *testing.T) {
	n := figureEvents()
	dir := t.TempDir()
	seedLedger(t, dir, n)
	fake := &fakeStripe{seen: map[string]int{}, hit: make(chan struct{}, 1)}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.count=1")
		cmd.Env = append(os.Environ(), "MF_DRAIN_DIR="+dir, "MF_DRAIN_URL="+srv.URL)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	// Kill the first drain with SIGKILL once about half has been sent.
	first := child()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case <-fake.hit:
		case <-deadline:
			t.Fatal("the first drain did not get halfway")
		}
		if calls, _ := fake.counts(); calls >= n/2 {
			break
		}
	}
	_ = first.Process.Signal(syscall.SIGKILL)
	_ = first.Wait()
	atKill, _ := fake.counts()
	// The killed drain's batch stays claimed for billing.ClaimLease (so no
	// other instance sends it meanwhile); let the lease run out rather than
	// wait for it.
	expireLeases(t, dir)
	start := time.Now()
	second := child()
	if err := second.Wait(); err != nil {
		t.Fatalf("the restarted drain failed: %v", err)
	}
	calls, distinct := fake.counts()
	if distinct != n {
		t.Fatalf("the fake counted %d distinct events of %d", distinct, n)
	}
	resent := calls - n
	t.Logf("%d events: killed after %d calls; restart sent the rest in %v; %d calls in all, %d resent (in flight at the kill, deduplicated by identifier); counted once each: %d",
		n, atKill, time.Since(start).Round(time.Millisecond), calls, resent, distinct)
	if resent > 8*250 {
		t.Fatalf("%d events were sent twice; at most one batch in flight may be", resent)
	}
	// Nothing is left unsent.
	if more, err := drainAll(dir, srv.URL); err != nil || more != 0 {
		t.Fatalf("after the restart %d more were sent (%v)", more, err)
	}
}

// expireLeases ends every drainer's lease on the ledger in dir, as the
// passing of billing.ClaimLease would.
func expireLeases(t *testing.T, dir string) {
	t.Helper()
	db, err := openLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var claimed int64
	if err := db.Tx(store.System(context.Background(), "tests: the killed drain's lease runs out"), func(tx *gorm.DB) error {
		res := tx.Model(&billing.Usage{}).Where("claimed_by <> '' AND sent_at IS NULL").Update("claimed_until", time.Now().Add(-time.Second))
		claimed = res.RowsAffected
		return res.Error
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows were claimed by the killed drain", claimed)
}

// BenchmarkDrainStripeMock drains a ledger of figureEvents() rows to
// stripe-mock: go test ./plugins/billing/stripe/ -run '^$' -bench DrainStripeMock -benchtime 1x
func BenchmarkDrainStripeMock(b *testing.B) {
	url := StripeMock(b)
	n := figureEvents()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		seedLedger(b, dir, n)
		b.StartTimer()
		start := time.Now()
		sent, err := drainAll(dir, url)
		if err != nil || sent != n {
			b.Fatalf("sent %d of %d: %v", sent, n, err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
		b.ReportMetric(time.Since(start).Seconds(), "s/drain")
	}
}
