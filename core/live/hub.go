// Package live streams a tenant's marketplace events to big-screen live
// views and other listeners over Server-Sent Events. The hub listens to the
// outbox dispatcher (which hands every instance every committed event),
// turns each public event into one SSE message and fans it out to the
// tenant's clients; after a burst of events it pushes fresh statistics once.
//
// A message is encoded once (a Frame) and the same bytes go to every
// client; a client holds a queue of pointers to shared frames, and the hub
// beats the heartbeat for all of them, so a stream costs its connection,
// one goroutine (the writer, httpx.Stream) and a few hundred bytes here.
package live

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/events"
)

// Tunables.
var (
	Heartbeat     = 20 * time.Second       // a comment line keeps proxies and dead-client detection going
	WriteDeadline = 30 * time.Second       // a client that reads nothing for this long is dropped
	StatsDelay    = 300 * time.Millisecond // events within this window share one statistics push
	ClientBuffer  = 64                     // queued messages per client before it counts as too slow
	// StatsReuse is how long a statistics message stays good for clients
	// that join (an event for the tenant renews it at once): a thousand
	// screens reconnecting together compute the statistics once, not a
	// thousand times.
	StatsReuse = 2 * time.Second
)

// A Frame is one Server-Sent Events message, encoded once and shared by
// every stream it is sent to: never modify its bytes.
type Frame struct{ b []byte }

// Bytes are the frame's message as written on the wire.
func (f *Frame) Bytes() []byte { return f.b }

// Ping is the heartbeat: a comment line that keeps proxies from closing an
// idle stream and lets the server notice a client that went away.
var Ping = &Frame{b: []byte(": ping\n\n")}

// ErrFull is returned when the instance holds MaxClients streams, or the
// tenant its cap (Join).
var ErrFull = errors.New("live: too many clients")

// Caps bound one subscriber's share of the hub (M6), so that one client
// cannot take every stream of the instance and black out the other
// regions' live views (0: no cap). An address at PerAddr that opens
// another stream loses its oldest one (a reload, or a connection that died
// without the server noticing yet: that is only seen at the next write); a
// tenant at PerTenant, like the instance at MaxClients, refuses (ErrFull).
type Caps struct {
	PerAddr   int
	PerTenant int
}

// Hub fans events out to SSE clients per tenant.
type Hub struct {
	// Stats renders the tenant's statistics as JSON for the "stats" message.
	Stats func(tenantID string) ([]byte, error)
	// MaxClients bounds the streams of this instance (0: 10 000).
	MaxClients int

	mu      sync.RWMutex
	clients map[string]map[*client]struct{}
	byAddr  map[string][]*client // each client address's streams, oldest first
	pending map[string]bool
	closed  bool
	count   atomic.Int64
	seq     atomic.Uint64

	smu   sync.Mutex
	stats map[string]*statsEntry // the latest statistics message per tenant, for joining clients

	beat     sync.Once
	every    time.Duration // Heartbeat when the hub was made
	stopBeat chan struct{}
}

// statsEntry is one tenant's statistics message: being computed until
// done is closed, then good until StatsReuse has passed since at or an
// event made it stale.
type statsEntry struct {
	done  chan struct{}
	frame *Frame
	at    time.Time
	stale bool
}

type client struct {
	mu     sync.Mutex
	ch     chan *Frame
	dead   bool
	addr   string
	tenant string
}

// offer queues msg; a client whose queue is full is too slow and is
// disconnected (its browser reconnects and starts afresh).
func (cl *client) offer(msg *Frame) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.dead {
		return
	}
	select {
	case cl.ch <- msg:
	default:
		cl.dead = true
		close(cl.ch)
	}
}

func (cl *client) close() {
	cl.mu.Lock()
	if !cl.dead {
		cl.dead = true
		close(cl.ch)
	}
	cl.mu.Unlock()
}

// NewHub returns a hub; feed it with OnEvent (a dispatcher listener).
func NewHub(stats func(tenantID string) ([]byte, error)) *Hub {
	return &Hub{Stats: stats, clients: map[string]map[*client]struct{}{}, pending: map[string]bool{}, stats: map[string]*statsEntry{}, every: Heartbeat, stopBeat: make(chan struct{})}
}

// Clients is the number of open streams.
func (h *Hub) Clients() int { return int(h.count.Load()) }

// OnEvent sends a listing or match event to the tenant's streams. What a
// stream shows is chosen here, field by field: live views need no login.
func (h *Hub) OnEvent(env events.Envelope) {
	h.forgetStats(env.TenantID) // any change may move the figures
	var data any
	switch e := env.Event.(type) {
	case events.ListingPublished:
		if e.Rediscover {
			return // nothing new to show
		}
		v := struct {
			ID          string          `json:"id"`
			Kind        string          `json:"kind"`
			Listing     json.RawMessage `json:"listing,omitempty"`
			Fractions   []string        `json:"fractions,omitempty"`
			MembersOnly bool            `json:"members_only,omitempty"`
		}{ID: e.ListingID, Kind: e.Kind}
		if e.MembersOnly {
			v.Fractions, v.MembersOnly = e.Fractions, true
		} else {
			v.Listing = e.Listing
		}
		data = v
	case events.ListingClosed:
		data = struct {
			ID   string `json:"id"`
			Kind string `json:"kind,omitempty"`
		}{e.ListingID, e.Kind}
	case events.MatchFound:
		data = publicMatch(e)
	case events.AgreementSealed:
		// The public part only: no parties, no price, and the figures to
		// two significant digits and whole km (as matches): the sealing
		// also announces the listing's new status, and exact tonnes next
		// to it would tell what its owner agreed.
		data = struct {
			Fraction   string  `json:"fraction"`
			Tonnes     float64 `json:"tonnes"`
			DistanceKm float64 `json:"distance_km,omitempty"`
		}{e.Fraction, twoDigits(e.Tonnes), math.Round(e.DistanceKm)}
	default:
		return
	}
	body, err := json.Marshal(struct {
		At   time.Time `json:"at"`
		Data any       `json:"data"`
	}{env.At, data})
	if err != nil {
		return
	}
	h.send(env.TenantID, h.message(env.Type(), body))
	h.scheduleStats(env.TenantID)
}

// message encodes one SSE message, once for all of its clients.
func (h *Hub) message(typ string, data []byte) *Frame {
	b := make([]byte, 0, len(data)+64)
	b = append(b, "id: "...)
	b = strconv.AppendUint(b, h.seq.Add(1), 10)
	b = append(b, "\nevent: "...)
	b = append(b, typ...)
	b = append(b, "\ndata: "...)
	b = append(b, data...) // JSON has no raw newlines
	return &Frame{b: append(b, "\n\n"...)}
}

// send queues msg for every client of the tenant.
func (h *Hub) send(tenantID string, msg *Frame) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for cl := range h.clients[tenantID] {
		cl.offer(msg)
	}
}

func (h *Hub) scheduleStats(tenantID string) {
	if h.Stats == nil {
		return
	}
	h.mu.Lock()
	if h.pending[tenantID] || len(h.clients[tenantID]) == 0 {
		h.mu.Unlock()
		return
	}
	h.pending[tenantID] = true
	h.mu.Unlock()
	time.AfterFunc(StatsDelay, func() {
		h.mu.Lock()
		delete(h.pending, tenantID)
		h.mu.Unlock()
		if f := h.statsFrame(tenantID); f != nil {
			h.send(tenantID, f)
		}
	})
}

// statsFrame is the tenant's statistics message, computed at most once at a
// time per tenant and shared for StatsReuse (nil without statistics).
func (h *Hub) statsFrame(tenantID string) *Frame {
	if h.Stats == nil {
		return nil
	}
	h.smu.Lock()
	e := h.stats[tenantID]
	if e != nil {
		select {
		case <-e.done:
			if e.stale || e.frame == nil || clock.Real().Sub(e.at) >= StatsReuse {
				e = nil
			}
		default: // being computed: wait for it
		}
	}
	if e != nil {
		h.smu.Unlock()
		<-e.done
		return e.frame
	}
	e = &statsEntry{done: make(chan struct{})}
	h.stats[tenantID] = e
	h.smu.Unlock()
	var f *Frame
	if b, err := h.Stats(tenantID); err == nil {
		f = h.message("stats", b)
	}
	h.smu.Lock()
	e.frame, e.at = f, clock.Real()
	h.smu.Unlock()
	close(e.done)
	return f
}

// forgetStats makes the next client get fresh statistics.
func (h *Hub) forgetStats(tenantID string) {
	h.smu.Lock()
	if e := h.stats[tenantID]; e != nil {
		e.stale = true
	}
	h.smu.Unlock()
}

// heartbeat sends Ping to every stream each Heartbeat until Close.
func (h *Hub) heartbeat() {
	t := time.NewTicker(h.every)
	defer t.Stop()
	for {
		select {
		case <-h.stopBeat:
			return
		case <-t.C:
			h.mu.RLock()
			for _, cs := range h.clients {
				for cl := range cs {
					cl.offer(Ping)
				}
			}
			h.mu.RUnlock()
		}
	}
}

func (h *Hub) add(tenantID string) (*client, error) { return h.addAs(tenantID, "", Caps{}) }

func (h *Hub) addAs(tenantID, addr string, caps Caps) (*client, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	max := h.MaxClients
	if max == 0 {
		max = 10000
	}
	if h.closed {
		return nil, ErrFull
	}
	if addr != "" && caps.PerAddr > 0 {
		for len(h.byAddr[addr]) >= caps.PerAddr {
			h.drop(h.byAddr[addr][0])
		}
	}
	if int(h.count.Load()) >= max {
		return nil, ErrFull
	}
	if caps.PerTenant > 0 && len(h.clients[tenantID]) >= caps.PerTenant {
		return nil, ErrFull
	}
	h.beat.Do(func() { go h.heartbeat() })
	cl := &client{ch: make(chan *Frame, ClientBuffer), addr: addr, tenant: tenantID}
	if addr != "" {
		if h.byAddr == nil {
			h.byAddr = map[string][]*client{}
		}
		h.byAddr[addr] = append(h.byAddr[addr], cl)
	}
	if h.clients[tenantID] == nil {
		h.clients[tenantID] = map[*client]struct{}{}
	}
	h.clients[tenantID][cl] = struct{}{}
	h.count.Add(1)
	return cl, nil
}

func (h *Hub) remove(tenantID string, cl *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(cl)
}

// drop forgets cl and ends its stream; h.mu is held.
func (h *Hub) drop(cl *client) {
	if _, ok := h.clients[cl.tenant][cl]; ok {
		delete(h.clients[cl.tenant], cl)
		if len(h.clients[cl.tenant]) == 0 {
			delete(h.clients, cl.tenant)
		}
		h.count.Add(-1)
	}
	if cl.addr != "" {
		list := h.byAddr[cl.addr]
		for i, x := range list {
			if x == cl {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(h.byAddr, cl.addr)
		} else {
			h.byAddr[cl.addr] = list
		}
	}
	cl.close()
}

// Close ends every stream (before a graceful shutdown, which would
// otherwise wait for them).
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		close(h.stopBeat)
	}
	h.closed = true
	for _, cs := range h.clients {
		for cl := range cs {
			cl.close()
		}
	}
}

// Subscription is one live stream's feed: the current statistics message
// to send first (nil without statistics), then every message on C (events,
// statistics, the heartbeat) until it is closed (the client was too slow,
// or the hub closed). Close it when the client leaves.
type Subscription struct {
	First *Frame
	C     <-chan *Frame
	close func()
}

// Close ends the subscription.
func (s *Subscription) Close() { s.close() }

// Subscribe opens a feed of the tenant's live messages, already formatted
// as Server-Sent Events; ErrFull when the instance has its maximum.
func (h *Hub) Subscribe(tenantID string) (*Subscription, error) {
	return h.Join(tenantID, "", Caps{})
}

// Join is Subscribe for a client address within caps: ErrFull when the
// instance or the tenant has its maximum; an address at its cap loses its
// oldest stream.
func (h *Hub) Join(tenantID, addr string, caps Caps) (*Subscription, error) {
	cl, err := h.addAs(tenantID, addr, caps)
	if err != nil {
		return nil, err
	}
	return &Subscription{First: h.statsFrame(tenantID), C: cl.ch, close: func() { h.remove(tenantID, cl) }}, nil
}

// publicMatch is what the open live view says of a match: nothing but that
// it exists when a members-only listing is party to it; otherwise the
// listings, the band, the fraction and the figures to two significant
// digits (exact kg per tonne and saving would give the band's tonnes away).
func publicMatch(e events.MatchFound) any {
	if e.MembersOnly {
		return struct {
			MembersOnly bool `json:"members_only"`
		}{true}
	}
	e.KgCO2ePerTonne, e.SavingKgCO2e = twoDigits(e.KgCO2ePerTonne), twoDigits(e.SavingKgCO2e)
	return e
}

func twoDigits(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	p := math.Pow(10, 1-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}
