// Package logmail is the default mailer (mail.log): it writes each message to
// the log instead of sending it — the recipient's domain, the subject and the
// size, never the address or the body (no personal data in logs).
package logmail

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/events"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "mail.log", New: func() app.Module { return new(Mailer) }})
}

// Mailer logs messages and keeps the last ones for inspection (tests, demo).
type Mailer struct {
	log  *slog.Logger
	mu   sync.Mutex
	Sent []events.Message
}

// Provision takes the app's logger.
func (m *Mailer) Provision(a *app.App) error {
	m.log = a.Log
	return nil
}

// Send logs the message.
func (m *Mailer) Send(ctx context.Context, msg events.Message) error {
	_, domain, _ := strings.Cut(msg.To, "@")
	m.log.InfoContext(ctx, "mail (log only)", "to_domain", domain, "subject", msg.Subject, "bytes", len(msg.Text), "attachments", len(msg.Attachments))
	// The messages kept hold the attachments' names and types, not their
	// bytes (a thousand invoice PDFs would be memory for nothing).
	kept := msg
	kept.Attachments = nil
	for _, a := range msg.Attachments {
		kept.Attachments = append(kept.Attachments, events.Attachment{Filename: a.Filename, ContentType: a.ContentType})
	}
	msg = kept
	m.mu.Lock()
	m.Sent = append(m.Sent, msg)
	if len(m.Sent) > 1000 {
		m.Sent = m.Sent[len(m.Sent)-1000:]
	}
	m.mu.Unlock()
	return nil
}

// Messages returns the messages kept (safe while others are being sent).
func (m *Mailer) Messages() []events.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]events.Message(nil), m.Sent...)
}

var _ events.Mailer = (*Mailer)(nil)
