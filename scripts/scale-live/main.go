// Command scale-live holds many live-view (SSE) clients against a running
// server from its own process (issue 16) and reports the time from each
// request to its first event (p50, p99) and the server's resident memory
// per client (its VmRSS before and with all clients connected).
//
//	go run ./scripts/scale-live -url http://127.0.0.1:18080/t/syn/live/events -n 10000 -pid $(pgrep -n masseflyt)
//
// The server must allow that many streams (MASSEFLYT_MAX_LIVE_CLIENTS,
// MASSEFLYT_MAX_LIVE_PER_CLIENT=0, MASSEFLYT_MAX_LIVE_PER_TENANT=0) and
// both processes need as many file descriptors (ulimit -n).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
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

func main() {
	raw := flag.String("url", "http://127.0.0.1:18080/t/syn/live/events", "the live view's event stream")
	n := flag.Int("n", 10000, "clients")
	par := flag.Int("parallel", 200, "connections opened at once")
	pid := flag.Int("pid", 0, "the server's process ID (for its memory)")
	hold := flag.Duration("hold", 5*time.Second, "how long to hold every client before measuring memory")
	flag.Parse()
	u, err := url.Parse(*raw)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nAccept: text/event-stream\r\n\r\n"
	before := rss(*pid)
	lat := make([]time.Duration, 0, *n)
	var mu sync.Mutex
	var conns []net.Conn
	failed := 0
	sem := make(chan struct{}, *par)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < *n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s := time.Now()
			c, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
			if err == nil {
				_, err = c.Write([]byte(req))
			}
			var first time.Duration
			if err == nil {
				_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
				r := bufio.NewReaderSize(c, 512)
				for {
					line, e := r.ReadSlice('\n') // a long line comes in pieces (ErrBufferFull)
					if bytes.HasPrefix(line, []byte("data:")) {
						first = time.Since(s)
						break
					}
					if e != nil && e != bufio.ErrBufferFull {
						err = e
						break
					}
				}
				_ = c.SetReadDeadline(time.Time{})
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				if c != nil {
					c.Close()
				}
				return
			}
			lat = append(lat, first)
			conns = append(conns, c)
		}()
	}
	wg.Wait()
	took := time.Since(start)
	time.Sleep(*hold)
	with := rss(*pid)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(float64(len(lat)-1)*p)]
	}
	fmt.Printf("clients %d connected, %d failed, in %s\n", len(conns), failed, took.Round(time.Millisecond))
	fmt.Printf("request to first event: p50 %s, p99 %s, max %s\n", pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	if *pid > 0 && before > 0 && with > 0 && len(conns) > 0 {
		fmt.Printf("server RSS %.1f MB before, %.1f MB with the clients: %.1f KB per client\n", float64(before)/1e6, float64(with)/1e6, float64(with-before)/1024/float64(len(conns)))
	}
	for _, c := range conns {
		c.Close()
	}
}
