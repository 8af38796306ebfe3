package smtp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestRetryThroughOutbox: a notification's mail meets a server that is
// down; the outbox retries it with backoff, and once the server is up the
// mail arrives, once, in the recipient's language.
func TestRetryThroughOutbox(t *testing.T) {
	mailpitBin(t)
	db := storetest.Open(t, storetest.SQLite)
	tid := storetest.Tenant(t, db, "baerum")
	u := storetest.User(t, db, "kari@fornebu-anlegg.no")
	// The server's port, not listening yet.
	port := freePort(t)
	mp := &mailpit{smtpPort: port}
	m := mp.mailer(t)
	m.TLS = nil
	m.StartTLS, m.Username, m.Password = false, "", ""
	svc := &notify.Service{DB: db, Mailer: m, Regions: func(string) (notify.Region, bool) {
		return notify.Region{Name: "Bærum ressursbank", Slug: "baerum", Locale: "nn"}, true
	}}
	d, err := events.NewDispatcher(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	d.Poll = 50 * time.Millisecond
	svc.Subscribe(d)
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := storetest.Ctx(tid)
	if err := svc.Notify(ctx, notify.Note{UserIDs: []string{u.ID}, Kind: "dialog.message", Title: "NoteDialogMessage", Mail: true,
		Data: map[string]string{"Author": "Ola", "Org": "Sandvika Bygg", "Listing": "Sprengstein fra Fornebu"}}); err != nil {
		t.Fatal(err)
	}
	// Wait for the failed attempt.
	deadline := time.Now().Add(15 * time.Second)
	for {
		var attempts []int
		_ = db.Read(store.System(context.Background(), "test"), func(tx *gorm.DB) error {
			return tx.Table("outbox").Where("type = ?", "notify.note_created").Pluck("attempts", &attempts).Error
		})
		if len(attempts) == 1 && attempts[0] >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed attempt recorded: %v", attempts)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The server comes up on that port.
	up := startMailpitOn(t, port)
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Settle(sctx); err != nil {
		t.Fatal(err)
	}
	msgs := up.messages(t)
	if len(msgs) != 1 || msgs[0].Subject != "Ny melding frå Ola (Sandvika Bygg) om «Sprengstein fra Fornebu»" {
		t.Fatalf("received %+v", msgs)
	}
}

// startMailpitOn starts a Mailpit without TLS on the given SMTP port and
// waits until its API answers.
func startMailpitOn(t *testing.T, port int) *mailpit {
	t.Helper()
	httpPort := freePort(t)
	mp := &mailpit{smtpPort: port, api: "http://127.0.0.1:" + strconv.Itoa(httpPort)}
	cmd := exec.Command(mailpitBin(t), "--smtp", "127.0.0.1:"+strconv.Itoa(port), "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
		"--database", filepath.Join(t.TempDir(), "mp.db"), "--smtp-disable-rdns", "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(mp.api + "/api/v1/messages")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return mp
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
