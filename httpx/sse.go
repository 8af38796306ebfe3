package httpx

import (
	"bufio"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/live"
)

// Stream answers a request with a live feed as Server-Sent Events: the
// feed's first message, then each message as it comes, a heartbeat comment
// when idle; a client that reads nothing for live.WriteDeadline is dropped.
// Beyond the hub's caps (per client address, per tenant, in total) it
// answers 503 with Retry-After.
func Stream(c *fiber.Ctx, hub *live.Hub, tenantID string, caps live.Caps) error {
	sub, err := hub.Join(tenantID, ClientIP(c), caps)
	if err != nil {
		if errors.Is(err, live.ErrFull) {
			c.Set(fiber.HeaderRetryAfter, "10")
		}
		return fiber.NewError(fiber.StatusServiceUnavailable, err.Error())
	}
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache, no-transform")
	c.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	conn := c.Context().Conn()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer sub.Close()
		flush := func() bool {
			if conn != nil {
				_ = conn.SetWriteDeadline(clock.Real().Add(live.WriteDeadline))
			}
			return w.Flush() == nil
		}
		_, _ = w.WriteString("retry: 3000\n\n")
		_, _ = w.Write(sub.First)
		if !flush() {
			return
		}
		tick := time.NewTicker(live.Heartbeat)
		defer tick.Stop()
		for {
			select {
			case msg, ok := <-sub.C:
				if !ok {
					return
				}
				_, _ = w.Write(msg)
				for more := true; more; { // drain what is queued into one flush
					select {
					case m, ok := <-sub.C:
						if !ok {
							flush()
							return
						}
						_, _ = w.Write(m)
					default:
						more = false
					}
				}
			case <-tick.C:
				_, _ = w.WriteString(": ping\n\n")
			}
			if !flush() {
				return
			}
		}
	})
	return nil
}
