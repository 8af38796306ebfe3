// Command scale-live holds many live-view (SSE) clients against a running
// server from its own process (issue 16). It reports the time from each
// request to its first event (p50, p99); with -api and -token, the event
// latency, from just before a listing is published through the API until
// each client has read its event (p50, p99 over every client and event);
// with -pid, the server's resident memory per client (its VmRSS before the
// clients and with all of them connected), and with -pprof its heap
// profile while they are held. For example:
//
//	go run ./scripts/scale-live -url http://127.0.0.1:18080/t/baerum/live/events -n 10000 -pid PID
//
// scripts/scale-live.sh starts a server and runs this at 1,000, 5,000 and
// 10,000 clients. The server must allow that many streams
// (MASSEFLYT_MAX_LIVE_CLIENTS, MASSEFLYT_MAX_LIVE_PER_CLIENT=0,
// MASSEFLYT_MAX_LIVE_PER_TENANT=0) and both processes need as many file
// descriptors (ulimit -n).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return -1
}

const marker = "scale-live-event-"

type stats struct {
	mu  sync.Mutex
	lat []time.Duration
}

func (s *stats) add(d time.Duration) {
	s.mu.Lock()
	s.lat = append(s.lat, d)
	s.mu.Unlock()
}

func (s *stats) report(what string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.lat
	if len(l) == 0 {
		return what + ": none"
	}
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	pct := func(p float64) time.Duration { return l[int(float64(len(l)-1)*p)] }
	return fmt.Sprintf("%s: p50 %s, p99 %s, max %s (%d samples)", what, pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond), len(l))
}

func main() {
	raw := flag.String("url", "http://127.0.0.1:18080/t/baerum/live/events", "the live view's event stream")
	n := flag.Int("n", 10000, "clients")
	par := flag.Int("parallel", 200, "connections opened at once")
	pid := flag.Int("pid", 0, "the server's process ID (for its memory)")
	hold := flag.Duration("hold", 5*time.Second, "how long to hold every client before measuring memory")
	api := flag.String("api", "", "the region's API, http://HOST/api/v1/tenants/SLUG (publishes listings to measure event latency)")
	token := flag.String("token", "", "an API token with the write scope of a member of an organization in the region")
	nev := flag.Int("events", 5, "listings to publish, one every -gap")
	gap := flag.Duration("gap", 2*time.Second, "time between published listings")
	prof := flag.String("pprof", "", "write the server's heap profile to this file while the clients are held (MASSEFLYT_PPROF_ADDR as http://ADDR)")
	profURL := flag.String("pprof-url", "", "the server's profile listener, http://ADDR")
	flag.Parse()
	u, err := url.Parse(*raw)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nAccept: text/event-stream\r\n\r\n"
	before := rss(*pid)

	sent := make([]atomic.Int64, max(*nev, 1)) // unix ns before event k was published
	var first, event stats
	var mu sync.Mutex
	var conns []net.Conn
	failed := 0
	sem := make(chan struct{}, *par)
	var wg sync.WaitGroup
	var got sync.WaitGroup // event arrivals still expected
	start := time.Now()
	for i := 0; i < *n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			connected := false
			defer func() {
				if !connected {
					<-sem
					wg.Done()
				}
			}()
			s := time.Now()
			c, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
			if err == nil {
				_, err = c.Write([]byte(req))
			}
			if err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
				if c != nil {
					c.Close()
				}
				return
			}
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
			r := bufio.NewReaderSize(c, 4096)
			for {
				line, e := r.ReadSlice('\n') // a long line comes in pieces (ErrBufferFull)
				if !connected && bytes.HasPrefix(line, []byte("data:")) {
					first.add(time.Since(s))
					connected = true
					_ = c.SetReadDeadline(time.Time{})
					mu.Lock()
					conns = append(conns, c)
					mu.Unlock()
					<-sem
					wg.Done()
				}
				if k := bytes.Index(line, []byte(marker)); k >= 0 && connected {
					j := k + len(marker)
					m := j
					for m < len(line) && line[m] >= '0' && line[m] <= '9' {
						m++
					}
					if ev, err := strconv.Atoi(string(line[j:m])); err == nil && ev < len(sent) {
						event.add(time.Since(time.Unix(0, sent[ev].Load())))
						got.Done()
					}
				}
				if e != nil && e != bufio.ErrBufferFull {
					if !connected {
						mu.Lock()
						failed++
						mu.Unlock()
						c.Close()
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	time.Sleep(*hold)
	with := rss(*pid)
	fmt.Printf("clients %d connected, %d failed, in %s\n", len(conns), failed, took.Round(time.Millisecond))
	fmt.Println(first.report("request to first event"))
	if *pid > 0 && before > 0 && with > 0 && len(conns) > 0 {
		fmt.Printf("server RSS %.1f MB before, %.1f MB with the clients: %.1f KB per client\n", float64(before)/1e6, float64(with)/1e6, float64(with-before)/1024/float64(len(conns)))
	}
	if *prof != "" && *profURL != "" {
		if err := fetch(*profURL+"/debug/pprof/heap", *prof); err != nil {
			fmt.Fprintln(os.Stderr, "heap profile:", err)
		}
	}
	if *api != "" && *token != "" && len(conns) > 0 {
		org, err := organization(*api, *token)
		if err != nil {
			fmt.Fprintln(os.Stderr, "event latency:", err)
			os.Exit(1)
		}
		for k := 0; k < *nev; k++ {
			got.Add(len(conns))
			sent[k].Store(time.Now().UnixNano())
			if err := publish(*api, *token, org, k); err != nil {
				fmt.Fprintln(os.Stderr, "publish:", err)
				os.Exit(1)
			}
			wait := make(chan struct{})
			go func() { got.Wait(); close(wait) }()
			select {
			case <-wait:
			case <-time.After(30 * time.Second):
				fmt.Fprintf(os.Stderr, "event %d did not reach every client in 30 s\n", k)
				os.Exit(1)
			}
			time.Sleep(*gap)
		}
		fmt.Println(event.report("event latency, publication to each client"))
		if *pid > 0 {
			fmt.Printf("server RSS after the events: %.1f MB\n", float64(rss(*pid))/1e6)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func fetch(from, to string) error {
	resp, err := http.Get(from)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(to)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}

func call(method, u, token string, body any, into any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, b)
	}
	if into != nil {
		return json.Unmarshal(b, into)
	}
	return nil
}

// organization is the first organization the token's user is a member of.
func organization(api, token string) (string, error) {
	var page struct {
		Items []struct {
			OrganizationID string `json:"organization_id"`
			Status         string `json:"status"`
		} `json:"items"`
	}
	if err := call("GET", api+"/memberships", token, nil, &page); err != nil {
		return "", err
	}
	for _, m := range page.Items {
		if m.Status == "" || m.Status == "active" || m.Status == "approved" {
			return m.OrganizationID, nil
		}
	}
	return "", fmt.Errorf("the token's user is a member of no organization")
}

// publish creates and publishes a listing titled with the event's marker.
func publish(api, token, org string, k int) error {
	now := time.Now()
	in := map[string]any{
		"kind": "need", "title": marker + strconv.Itoa(k), "organization_id": org, "fractions": []string{"sprengstein"},
		"quantity": 1000, "unit": "t", "available_from": now.AddDate(0, 1, 0).Format("2006-01"), "available_to": now.AddDate(0, 6, 0).Format("2006-01"),
		"lat": 59.9, "lon": 10.62, "intended_use": "fill", "transport": "buyer_collects", "publish": true,
	}
	return call("POST", api+"/listings", token, in, nil)
}
