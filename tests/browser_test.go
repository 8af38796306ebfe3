package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/testenv"
)

// Browser tests run playwright-core (tests/browser) in Debian's Chromium. In
// CI a missing browser, Node or node_modules is a failure; elsewhere the
// tests are skipped with the reason. MASSEFLYT_SCREENSHOTS=dir keeps
// screenshots.
func browserSetup(t *testing.T) (node string) {
	t.Helper()
	missing := func(what string) string {
		msg := what + " (install chromium and nodejs, then: npm ci --prefix tests/browser)"
		testenv.Need(t, "browser tests need "+msg)
		return ""
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		return missing("Chromium at " + chromium)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return missing("node")
	}
	if _, err := os.Stat("browser/node_modules/playwright-core"); err != nil {
		return missing("tests/browser/node_modules")
	}
	return node
}

func runNode(t *testing.T, node, script string, env map[string]string) *exec.Cmd {
	cmd := exec.Command(node, script)
	cmd.Dir = "browser"
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// hostPage is another site's page that embeds the widgets.
func hostPage(t *testing.T, platform string) string {
	page := `<!doctype html><html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kommunens nettside</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src PLATFORM; connect-src PLATFORM; img-src PLATFORM https://tile.openstreetmap.org data:; style-src-elem 'self' 'unsafe-inline'; style-src-attr 'none'">
<style>
 body { font-family: Georgia, serif; color: #222; margin: 0 1rem; }
 a { color: rgb(255, 0, 0) !important; }
 h2 { display: none; }
 header { background: rgb(1, 2, 3); color: #fff; padding: 1rem; }
 .cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 1rem; }
 .cols > div > * { margin-bottom: 1rem; }
</style></head><body>
<header id="host-header"><p>Kommunens nettside</p></header>
<main><h1>Overskuddsmasser i regionen</h1>
<div class="cols">
<div id="a">
<script src="PLATFORM/widgets/v1/embed.js" data-tenant="baerum" data-widget="listings"></script>
<script src="PLATFORM/widgets/v1/embed.js" data-tenant="baerum" data-widget="map" data-height="320"></script>
</div>
<div id="b">
<masseflyt-listings tenant="rogaland" kind="surplus"></masseflyt-listings>
<masseflyt-map tenant="rogaland" lang="en" height="320"></masseflyt-map>
</div>
<div id="c"><masseflyt-listings tenant="trondelag"></masseflyt-listings></div>
</div>
<script src="PLATFORM/widgets/v1/embed.js"></script>
</main></body></html>`
	page = strings.ReplaceAll(page, "PLATFORM", platform)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "/"
}

type tenantExpect struct {
	Name      string   `json:"name"`
	Color     string   `json:"color"`
	Allowed   bool     `json:"allowed"`
	IDs       []string `json:"ids"`
	Kind      string   `json:"kind,omitempty"`
	KindCount int      `json:"kindCount,omitempty"`
}

func TestBrowserWidgetsAndPortal(t *testing.T) {
	node := browserSetup(t)
	e := apitest.New(t, "sqlite")
	platform := apitest.Serve(t, e.App, "127.0.0.1")
	host := hostPage(t, platform)
	origin := strings.TrimSuffix(host, "/")
	exp := map[string]any{}
	for _, slug := range []string{"baerum", "rogaland", "trondelag"} {
		tn := *e.Tenant(slug)
		allowed := slug != "trondelag"
		if allowed {
			tn.EmbedOrigins = "https://www.example.no\n" + origin
			if err := e.App.Tenants.Update(e.Ctx(slug), &tn); err != nil {
				t.Fatal(err)
			}
		}
		f, err := e.App.Market.Feed(e.Ctx(slug), tn.Name, platform)
		if err != nil {
			t.Fatal(err)
		}
		te := tenantExpect{Name: tn.Name, Color: tn.ColorPrimary, Allowed: allowed}
		for _, l := range f.Listings {
			te.IDs = append(te.IDs, l.ID)
			if slug == "rogaland" && l.Kind == "surplus" {
				te.KindCount++
			}
		}
		if slug == "rogaland" {
			te.Kind = "surplus"
			if te.KindCount == 0 {
				t.Fatal("the demo data needs a public surplus listing in Rogaland")
			}
		}
		exp[slug] = te
	}
	exp["portal"] = []string{"/t/baerum/", "/t/baerum/listings", "/t/baerum/map", "/t/baerum/statistics", "/t/baerum/organizations", "/t/baerum/live", "/t/rogaland/statistics"}
	exp["offlineTitle"] = "Du er frakoblet"
	ej, _ := json.Marshal(exp)
	cmd := runNode(t, node, "widgets.mjs", map[string]string{"PLATFORM": platform, "HOST_PAGE": host, "EXPECT": string(ej), "SHOTS": os.Getenv("MASSEFLYT_SCREENSHOTS")})
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("browser checks failed: %v", err)
	}
}

// TestBrowserLiveAcrossInstances: the live view served by one instance
// shows a listing published through another (Postgres LISTEN/NOTIFY).
func TestBrowserLiveAcrossInstances(t *testing.T) {
	node := browserSetup(t)
	apitest.RequirePostgres(t, "several instances share events through LISTEN/NOTIFY")
	e := apitest.New(t, "postgres")
	a := apitest.Serve(t, e.App, "127.0.0.1")
	b := apitest.Serve(t, e.Instance(), "127.0.0.1")
	cmd := runNode(t, node, "live.mjs", map[string]string{"LIVE_URL": a + "/t/baerum/live", "SHOTS": os.Getenv("MASSEFLYT_SCREENSHOTS")})
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var log strings.Builder
	ready := false
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if sc.Text() == "READY" {
			ready = true
			break
		}
	}
	if !ready {
		_ = cmd.Wait()
		t.Fatalf("live view did not connect:\n%s%s", log.String(), stderr.String())
	}
	title := "Direkte fra instans B " + time.Now().Format("150405")
	body, _ := json.Marshal(map[string]any{"kind": "surplus", "title": title, "organization_id": e.OrgID("baerum", "fornebu-anlegg"), "fractions": []string{"sprengstein"},
		"quantity": 12000, "unit": "t", "available_from": apitest.Month(2), "available_to": apitest.Month(13), "lat": 59.91, "lon": 10.62, "transport": "seller_delivers", "publish": true})
	req, _ := http.NewRequest("POST", b+"/api/v1/tenants/baerum/listings", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", apitest.Cookie("kari@fornebu-anlegg.no"))
	req.Header.Set("Sec-Fetch-Site", "same-origin") // as the browser on B's own page sends it
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("publish on instance B: %d %s", res.StatusCode, rb)
	}
	_, _ = io.WriteString(stdin, title+"\n")
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	t.Logf("%s%s", log.String(), stderr.String())
	if err != nil {
		t.Fatalf("live view checks failed: %v", err)
	}
}
