// Command loadhardening floods a running server for a bounded time with the
// four kinds of abuse of issue 10 — anonymous page requests without a
// cookie, large anonymous bodies, live-view (SSE) connections, and lab
// import bombs from a member — while another region's member reads and
// writes from another client address. It samples the server's RSS and
// prints the peak and the other region's latency percentiles. Run it
// through scripts/load-hardening.sh, which starts a server with demo data.
//
//	go run ./scripts/loadhardening -base http://127.0.0.1:18090 -pid PID \
//	  -attacker TOKEN -victim TOKEN -duration 60s
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	base     = flag.String("base", "http://127.0.0.1:18090", "server URL")
	pid      = flag.Int("pid", 0, "server process ID (RSS is read from /proc)")
	attacker = flag.String("attacker", "", "API token of a member of the attacked region (baerum)")
	victim   = flag.String("victim", "", "API token of a member of the other region (rogaland)")
	duration = flag.Duration("duration", 60*time.Second, "how long the floods run")
	pages    = flag.Int("pages", 32, "concurrent anonymous page requesters")
	bodies   = flag.Int("bodies", 8, "concurrent large-body senders")
	bodyMB   = flag.Int("body-mb", 23, "size of each large body")
	streams  = flag.Int("sse", 500, "live-view streams to hold open")
	bombs    = flag.Int("bombs", 4, "concurrent import-bomb senders")
	role     = flag.String("role", "both", "both: floods and the other region in this process; attacker: the floods only; victim: the other region only (run the two in separate processes, the attacker possibly under nice, to keep the load generator's own CPU contention out of the victim's latencies)")
)

// client dials from a given loopback address, so that rate limits and
// caps see the attacker and the other region as different clients.
func client(local string, timeout time.Duration) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 256, DisableCompression: true}}
}

func rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", *pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return -1
}

// cpu is the server's CPU time so far (user + system, from /proc/PID/stat).
func cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", *pid))
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)        // utime, field 14
	st, _ := strconv.ParseInt(f[12], 10, 64)        // stime, field 15
	return time.Duration(ut+st) * time.Second / 100 // clock ticks (USER_HZ 100)
}

type stats struct {
	mu     sync.Mutex
	lat    []time.Duration
	status map[int]int
}

func (s *stats) add(d time.Duration, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat = append(s.lat, d)
	if s.status == nil {
		s.status = map[int]int{}
	}
	s.status[code]++
}

func (s *stats) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lat) == 0 {
		return "no requests"
	}
	l := append([]time.Duration(nil), s.lat...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	q := func(p float64) time.Duration { return l[min(len(l)-1, int(p*float64(len(l))))] }
	return fmt.Sprintf("n=%d p50=%v p90=%v p99=%v max=%v statuses=%v", len(l), q(0.5).Round(time.Millisecond), q(0.9).Round(time.Millisecond), q(0.99).Round(time.Millisecond), l[len(l)-1].Round(time.Millisecond), s.status)
}

func do(c *http.Client, req *http.Request, st *stats) {
	start := time.Now()
	res, err := c.Do(req)
	code := 0
	if err == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		code = res.StatusCode
	}
	if st != nil {
		st.add(time.Since(start), code)
	}
}

func api(c *http.Client, method, path, token string, body any) (map[string]any, int) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, *base+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return nil, 0
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return out, res.StatusCode
}

// ownListing creates a listing of the token's first organization.
func ownListing(c *http.Client, slug, token string, lat, lon float64) string {
	me, code := api(c, "GET", "/api/v1/tenants/"+slug+"/me", token, nil)
	orgs, _ := me["organizations"].(map[string]any)
	if code != 200 || len(orgs) == 0 {
		fmt.Fprintf(os.Stderr, "%s: /me %d %v\n", slug, code, me)
		os.Exit(1)
	}
	var org string
	for id := range orgs {
		org = id
	}
	now := time.Now()
	in := map[string]any{"kind": "surplus", "title": "Lasttest " + now.Format(time.RFC3339), "organization_id": org, "fractions": []string{"leire"},
		"quantity": 5000, "unit": "t", "available_from": now.AddDate(0, 1, 0).Format("2006-01"), "available_to": now.AddDate(0, 12, 0).Format("2006-01"),
		"lat": lat, "lon": lon, "transport": "seller_delivers"}
	l, code := api(c, "POST", "/api/v1/tenants/"+slug+"/listings", token, in)
	id, _ := l["id"].(string)
	if code != 201 || id == "" {
		fmt.Fprintf(os.Stderr, "%s: create listing %d %v\n", slug, code, l)
		os.Exit(1)
	}
	return id
}

// bombs are lab files an attacker might send: a cell in column XFD, an
// XLSX that unpacks to 98 MB, and the largest CSV the limits let through.
func bombFiles() map[string][]byte {
	files := map[string][]byte{}
	sheet := func(body func(w io.Writer)) []byte {
		var out bytes.Buffer
		zw := zip.NewWriter(&out)
		add := func(name, s string) { w, _ := zw.Create(name); _, _ = io.WriteString(w, s) }
		add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
		add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
		add("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
		add("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
		w, _ := zw.Create("xl/worksheets/sheet1.xml")
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		body(w)
		_, _ = io.WriteString(w, `</sheetData></worksheet>`)
		_ = zw.Close()
		return out.Bytes()
	}
	files["xfd.xlsx"] = sheet(func(w io.Writer) {
		_, _ = io.WriteString(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>sample</t></is></c><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>`)
	})
	files["unpacks-98mb.xlsx"] = sheet(func(w io.Writer) {
		row := `<row><c t="inlineStr"><is><t>A</t></is></c><c t="inlineStr"><is><t>As</t></is></c><c><v>1</v></c><c t="inlineStr"><is><t>mg/kg</t></is></c></row>`
		for n := 0; n < 98<<20; n += len(row) {
			_, _ = io.WriteString(w, row)
		}
	})
	var csv strings.Builder
	csv.WriteString("Prøve;Parameter;Verdi;Enhet\n")
	for i := 0; i < 500; i++ {
		for _, p := range []string{"Arsen (As)", "Bly (Pb)", "Kadmium (Cd)", "Kobber (Cu)", "Sink (Zn)", "Sum PAH(16) EPA", "PCB7"} {
			fmt.Fprintf(&csv, "P-%d;%s;<0,5;mg/kg TS\n", i, p)
		}
	}
	files["500-samples.csv"] = []byte(csv.String())
	var big strings.Builder
	big.WriteString("sample;parameter;value;unit\n")
	for i := 0; big.Len() < 11<<20; i++ {
		fmt.Fprintf(&big, "P-%d;As;%d,5;mg/kg TS\n", i, i%50)
	}
	files["600k-samples-11mb.csv"] = []byte(big.String())
	return files
}

func multipartBody(name string, data []byte) (string, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	return w.FormDataContentType(), b.Bytes()
}

// zeros is an endless reader of zeros, for large bodies.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func main() {
	flag.Parse()
	// A connection refused at accept (MASSEFLYT_MAX_CONNS_PER_ADDR) answers
	// before the request; net/http would log each such answer.
	log.SetOutput(io.Discard)
	attacking, defending := *role == "both" || *role == "attacker", *role == "both" || *role == "victim"
	if (attacking && (*attacker == "" || *pid == 0)) || (defending && *victim == "") || !(attacking || defending) {
		fmt.Fprintln(os.Stderr, "need -role both|attacker|victim, -pid and -attacker (floods), -victim (the other region)")
		os.Exit(2)
	}
	setup := client("127.0.0.3", 30*time.Second)
	var attackListing, victimListing string
	var files map[string][]byte
	if attacking {
		attackListing = ownListing(setup, "baerum", *attacker, 59.9, 10.6)
		files = bombFiles()
	} else {
		*pages, *bodies, *streams, *bombs = 0, 0, 0, 0
	}
	if defending {
		victimListing = ownListing(setup, "rogaland", *victim, 58.9, 5.7)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var wg sync.WaitGroup
	var peak atomic.Int64
	start := rss()
	peak.Store(start)
	cpu0 := cpu()
	var counts struct{ pages, bodies, sse, sseRefused, imports atomic.Int64 }
	importCodes := sync.Map{}

	// RSS sampler.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for attacking && ctx.Err() == nil {
			if r := rss(); r > peak.Load() {
				peak.Store(r)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	atk := client("127.0.0.1", 30*time.Second)
	// 1. Anonymous page requests without a cookie.
	for i := 0; i < *pages; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", *base+"/t/baerum/", nil)
				do(atk, req, nil)
				counts.pages.Add(1)
			}
		}()
	}
	// 2. Large anonymous bodies (streamed, never held by the sender).
	for i := 0; i < *bodies; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := int64(*bodyMB) << 20
				req, _ := http.NewRequestWithContext(ctx, "POST", *base+"/t/baerum/listings/"+attackListing+"/documents", io.LimitReader(zeros{}, n))
				req.ContentLength = n
				req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
				do(atk, req, nil)
				counts.bodies.Add(1)
			}
		}()
	}
	// 3. Live-view streams, held open.
	sse := client("127.0.0.1", 0)
	for i := 0; i < *streams; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", *base+"/t/baerum/live/events", nil)
				res, err := sse.Do(req)
				if err != nil {
					time.Sleep(200 * time.Millisecond)
					continue
				}
				if res.StatusCode != 200 {
					counts.sseRefused.Add(1)
					res.Body.Close()
					time.Sleep(500 * time.Millisecond)
					continue
				}
				counts.sse.Add(1)
				_, _ = io.Copy(io.Discard, res.Body) // until the context ends
				res.Body.Close()
			}
		}()
	}
	// 4. Import bombs from a member.
	names := []string{"xfd.xlsx", "unpacks-98mb.xlsx", "600k-samples-11mb.csv", "500-samples.csv"}
	for i := 0; i < *bombs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := i; ctx.Err() == nil; j++ {
				name := names[j%len(names)]
				ct, body := multipartBody(name, files[name])
				req, _ := http.NewRequestWithContext(ctx, "POST", *base+"/api/v1/tenants/baerum/listings/"+attackListing+"/samples/import", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+*attacker)
				req.Header.Set("Content-Type", ct)
				res, err := atk.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					k := name + " " + strconv.Itoa(res.StatusCode)
					v, _ := importCodes.LoadOrStore(k, new(atomic.Int64))
					v.(*atomic.Int64).Add(1)
				}
				counts.imports.Add(1)
			}
		}()
	}
	// The other region: 5 reads and 2.5 writes a second from another client
	// address (450 a minute, under the default API rate limit of 600).
	vc := client("127.0.0.2", 30*time.Second)
	var reads, writes stats
	if defending {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for t := time.NewTicker(200 * time.Millisecond); ctx.Err() == nil; <-t.C {
				req, _ := http.NewRequest("GET", *base+"/api/v1/tenants/rogaland/listings?limit=20", nil)
				req.Header.Set("Authorization", "Bearer "+*victim)
				do(vc, req, &reads)
			}
		}()
		go func() {
			defer wg.Done()
			i := 0
			for t := time.NewTicker(400 * time.Millisecond); ctx.Err() == nil; <-t.C {
				i++
				b, _ := json.Marshal(map[string]any{"name": "V-" + strconv.Itoa(i), "values": []map[string]any{{"parameter": "pb", "value": 12.5, "unit": "mg/kg TS"}}})
				req, _ := http.NewRequest("POST", *base+"/api/v1/tenants/rogaland/listings/"+victimListing+"/samples", bytes.NewReader(b))
				req.Header.Set("Authorization", "Bearer "+*victim)
				req.Header.Set("Content-Type", "application/json")
				do(vc, req, &writes)
			}
		}()
	}
	<-ctx.Done()
	end := rss()
	cpuUsed := cpu() - cpu0
	wg.Wait()
	if !attacking {
		fmt.Printf("other region, reads:  %s\n", &reads)
		fmt.Printf("other region, writes: %s\n", &writes)
		return
	}
	fmt.Printf("duration %v; RSS before %.0f MB, peak %.0f MB, at the end %.0f MB; server CPU %.1f s\n", *duration, float64(start)/(1<<20), float64(peak.Load())/(1<<20), float64(end)/(1<<20), cpuUsed.Seconds())
	fmt.Printf("floods: %d no-cookie page requests, %d large bodies (%d MB each), %d live streams opened (%d refused), %d imports\n",
		counts.pages.Load(), counts.bodies.Load(), *bodyMB, counts.sse.Load(), counts.sseRefused.Load(), counts.imports.Load())
	importCodes.Range(func(k, v any) bool { fmt.Printf("  import %s: %d\n", k, v.(*atomic.Int64).Load()); return true })
	if defending {
		fmt.Printf("other region, reads:  %s\n", &reads)
		fmt.Printf("other region, writes: %s\n", &writes)
	}
}
