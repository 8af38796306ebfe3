package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Channel is the Postgres notification channel on which a dispatcher that
// numbered new events tells the other instances to read the outbox. The
// notification carries nothing: the events are in the outbox.
const Channel = "masseflyt_outbox"

// PGListener wakes a dispatcher when another instance notifies. Its
// connection reconnects with backoff; after a reconnect it wakes the
// dispatcher once, which reads whatever was committed meanwhile (nothing
// is lost: notifications only say when to look).
type PGListener struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// ListenPG listens on the database at dsn and calls wake on every
// notification. It returns once listening (or when ctx ends).
func ListenPG(ctx context.Context, dsn string, wake func(), log *slog.Logger) (*PGListener, error) {
	if log == nil {
		log = slog.Default()
	}
	lctx, cancel := context.WithCancel(context.Background())
	l := &PGListener{cancel: cancel, done: make(chan struct{})}
	ready := make(chan struct{})
	go l.run(lctx, dsn, wake, log, ready)
	select {
	case <-ready:
		return l, nil
	case <-ctx.Done():
		l.Close()
		return nil, ctx.Err()
	}
}

// Close stops listening.
func (l *PGListener) Close() {
	l.cancel()
	<-l.done
}

func (l *PGListener) run(ctx context.Context, dsn string, wake func(), log *slog.Logger, ready chan struct{}) {
	defer close(l.done)
	first := true
	for attempt := 0; ctx.Err() == nil; attempt++ {
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+Channel)
		}
		if err != nil {
			if conn != nil {
				_ = conn.Close(context.Background())
			}
			if ctx.Err() == nil {
				log.Warn("outbox listener: listen failed; retrying", "err", err)
			}
			if !sleep(ctx, backoffListen(attempt)) {
				return
			}
			continue
		}
		attempt = 0
		if first {
			close(ready)
			first = false
		}
		wake() // catch up on anything committed while not listening
		for {
			if _, err := conn.WaitForNotification(ctx); err != nil {
				if ctx.Err() == nil {
					log.Warn("outbox listener: connection lost; reconnecting", "err", err)
				}
				break
			}
			wake()
		}
		_ = conn.Close(context.Background())
	}
}

func backoffListen(attempt int) time.Duration {
	return min(200*time.Millisecond<<min(attempt, 5), 5*time.Second)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
