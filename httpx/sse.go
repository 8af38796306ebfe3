package httpx

import (
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/live"
)

// Stream answers a request with a live feed as Server-Sent Events: the
// feed's first message, then each message as it comes (the hub adds a
// heartbeat comment to idle streams); a client that reads nothing for
// live.WriteDeadline is dropped. Beyond the hub's caps (per client address,
// per tenant, in total) it answers 503 with Retry-After.
//
// A stream costs one goroutine and no buffers of its own (issue 16): once
// the handlers have run, the connection is taken over from fasthttp, which
// gets its request buffers and context back at once when the server keeps
// hijacked connections (app: KeepHijackedConns), and the hub's shared
// frames are written straight to the socket in HTTP chunks, the frames
// queued meanwhile in one writev. fasthttp's body stream writer would add
// a goroutine, a pipe and two 4 KB buffers per client and keep the 16 KB
// read buffer.
func Stream(c *fiber.Ctx, hub *live.Hub, tenantID string, caps live.Caps) error {
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache, no-transform")
	c.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	sub, err := hub.Join(tenantID, ClientIP(c), caps)
	if err != nil {
		if errors.Is(err, live.ErrFull) {
			c.Set(fiber.HeaderRetryAfter, "10")
		}
		return fiber.NewError(fiber.StatusServiceUnavailable, err.Error())
	}
	fc := c.Context()
	s := &sseWriter{conn: fc.Conn(), chunked: fc.Request.Header.IsHTTP11()} // the socket itself (writev), not fasthttp's wrapper
	detach := c.App().Server().KeepHijackedConns
	fc.HijackSetNoResponse(true)
	fc.Hijack(func(net.Conn) {
		// The response head as the middlewares left it (security headers,
		// request ID); fasthttp writes nothing itself. Written before this
		// returns: the request context goes back to fasthttp then.
		h := &fc.Response.Header
		h.Del(fiber.HeaderETag)
		h.Del(fiber.HeaderContentEncoding)
		if s.chunked {
			h.SetContentLength(-1)
		} else {
			h.SetContentLength(-2) // HTTP/1.0: the body ends when the connection does
		}
		if !s.write(h.Header(), retry, frameBytes(sub.First)) {
			sub.Close()
			if detach {
				_ = s.conn.Close()
			}
			return
		}
		run := func() {
			defer sub.Close()
			s.pump(sub.C)
			if detach {
				_ = s.conn.Close()
			}
		}
		if detach {
			go run()
		} else {
			run()
		}
	})
	return nil
}

var retry = []byte("retry: 3000\n\n")

func frameBytes(f *live.Frame) []byte {
	if f == nil {
		return nil
	}
	return f.Bytes()
}

// maxBatch bounds the frames written in one chunk.
const maxBatch = 16

// sseWriter writes one stream's frames, as HTTP chunks (HTTP/1.1); its
// vector is reused.
type sseWriter struct {
	conn    net.Conn
	chunked bool
	size    [20]byte
	vec     [maxBatch + 3][]byte
}

// pump writes every frame until the feed closes (then it ends the body).
func (s *sseWriter) pump(c <-chan *live.Frame) {
	for f := range c {
		frames := s.vec[1:1]
		frames = append(frames, f.Bytes())
	more:
		for len(frames) < maxBatch {
			select {
			case g, ok := <-c:
				if !ok {
					break more
				}
				frames = append(frames, g.Bytes())
			default:
				break more
			}
		}
		if !s.chunk(frames) {
			return
		}
	}
	if s.chunked { // the feed ended (too slow, or the hub closed): end the body
		_ = s.conn.SetWriteDeadline(clock.Real().Add(time.Second))
		_, _ = s.conn.Write([]byte("0\r\n\r\n"))
	}
}

// write sends the response head and the first chunk.
func (s *sseWriter) write(head []byte, first ...[]byte) bool {
	_ = s.conn.SetWriteDeadline(clock.Real().Add(live.WriteDeadline))
	if _, err := s.conn.Write(head); err != nil {
		return false
	}
	var frames [][]byte
	for _, b := range first {
		if len(b) > 0 {
			frames = append(frames, b)
		}
	}
	return s.chunk(frames)
}

// chunk writes frames (in s.vec[1:] or any slice) as one HTTP chunk (in
// one system call).
func (s *sseWriter) chunk(frames [][]byte) bool {
	n := 0
	for _, b := range frames {
		n += len(b)
	}
	if n == 0 {
		return true
	}
	v := frames
	if s.chunked {
		size := strconv.AppendInt(s.size[:0], int64(n), 16)
		size = append(size, '\r', '\n')
		v = append(append(s.vec[:0], size), frames...)
		v = append(v, crlf)
	}
	_ = s.conn.SetWriteDeadline(clock.Real().Add(live.WriteDeadline))
	bufs := net.Buffers(v)
	_, err := bufs.WriteTo(s.conn)
	return err == nil
}

var crlf = []byte("\r\n")
