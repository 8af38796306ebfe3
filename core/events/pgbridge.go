package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Channel is the Postgres notification channel of the bridge.
const Channel = "masseflyt_events"

// maxPayload keeps a notification under Postgres' 8000-byte limit.
const maxPayload = 7900

// PGBridge forwards events between app instances through Postgres
// LISTEN/NOTIFY. Sending is asynchronous and in order (a request never waits
// for it); the listener reconnects with backoff and publishes a local Resync
// after a gap, since notifications sent meanwhile are lost.
type PGBridge struct {
	dsn    string
	bus    *Bus
	log    *slog.Logger
	queue  chan Event
	cancel context.CancelFunc
	done   chan struct{}
	ready  chan struct{}
}

// StartPGBridge connects bus to the other instances on the database at dsn.
// It returns once the listener is listening (or ctx ends).
func StartPGBridge(ctx context.Context, dsn string, bus *Bus, log *slog.Logger) (*PGBridge, error) {
	if log == nil {
		log = slog.Default()
	}
	bctx, cancel := context.WithCancel(context.Background())
	br := &PGBridge{dsn: dsn, bus: bus, log: log, queue: make(chan Event, 4096), cancel: cancel, done: make(chan struct{}), ready: make(chan struct{})}
	sendConn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		cancel()
		return nil, err
	}
	go br.listen(bctx)
	go br.send(bctx, sendConn)
	select {
	case <-br.ready:
	case <-ctx.Done():
		br.Close()
		return nil, ctx.Err()
	}
	bus.SetOutbound(br.enqueue)
	return br, nil
}

func (br *PGBridge) enqueue(e Event) {
	select {
	case br.queue <- e:
	default:
		br.log.Warn("event bridge queue full; event not sent to other instances", "type", e.Type)
	}
}

// Close stops the bridge.
func (br *PGBridge) Close() {
	br.bus.SetOutbound(nil)
	br.cancel()
	<-br.done
}

func (br *PGBridge) send(ctx context.Context, conn *pgx.Conn) {
	defer func() { _ = conn.Close(context.Background()) }()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-br.queue:
			payload, err := json.Marshal(e)
			if err != nil {
				continue
			}
			if len(payload) > maxPayload {
				e.Data = nil
				payload, _ = json.Marshal(e)
			}
			for attempt := 0; ; attempt++ {
				if conn.IsClosed() {
					c, err := pgx.Connect(ctx, br.dsn)
					if err != nil {
						if !sleep(ctx, backoff(attempt)) {
							return
						}
						continue
					}
					conn = c
				}
				if _, err = conn.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, string(payload)); err == nil {
					break
				}
				br.log.Warn("event bridge: notify failed", "err", err)
				_ = conn.Close(context.Background())
				if attempt >= 5 || !sleep(ctx, backoff(attempt)) {
					break // give up on this event; receivers resync after gaps
				}
			}
		}
	}
}

func (br *PGBridge) listen(ctx context.Context) {
	defer close(br.done)
	first := true
	for attempt := 0; ctx.Err() == nil; attempt++ {
		conn, err := pgx.Connect(ctx, br.dsn)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+Channel)
		}
		if err != nil {
			if conn != nil {
				_ = conn.Close(context.Background())
			}
			if ctx.Err() == nil {
				br.log.Warn("event bridge: listen failed; retrying", "err", err)
			}
			if !sleep(ctx, backoff(attempt)) {
				return
			}
			continue
		}
		attempt = 0
		if first {
			close(br.ready)
			first = false
		} else {
			br.bus.deliver(Event{Type: Resync, At: br.bus.now()})
		}
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				if ctx.Err() == nil {
					br.log.Warn("event bridge: connection lost; reconnecting", "err", err)
				}
				break
			}
			var e Event
			if json.Unmarshal([]byte(n.Payload), &e) == nil {
				br.bus.Receive(e)
			}
		}
		_ = conn.Close(context.Background())
	}
}

func backoff(attempt int) time.Duration {
	d := 200 * time.Millisecond << min(attempt, 5)
	return min(d, 5*time.Second)
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
