// Lighthouse (mobile, the default: an emulated mid-range phone on a
// throttled 4G network with 4× CPU slowdown) over the portal pages of a
// running server, in Debian's Chromium. Prints each page's scores and exits
// non-zero when performance is under MIN_PERFORMANCE (95) or accessibility
// under MIN_ACCESSIBILITY (100) on any page. Run by scripts/lighthouse.sh:
//   node scripts/lighthouse/run.mjs http://127.0.0.1:18099 baerum [report-dir]
// RUNS=n runs each page n times and keeps the median performance score;
// ONLY=live,region-home runs only those pages.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { writeFileSync } from "node:fs";

const [base, slug, reports] = process.argv.slice(2);
const runs = Number(process.env.RUNS || 1);
const minPerf = Number(process.env.MIN_PERFORMANCE || 95);
const minA11y = Number(process.env.MIN_ACCESSIBILITY || 100);

// A published listing of the region, from its open feed.
const feed = await (await fetch(`${base}/api/v1/tenants/${slug}/feed/listings?limit=1`)).json();
const listing = (feed.listings || [])[0];
if (!listing || !listing.id) throw new Error("no public listing in the region's feed");

const pages = [
  ["landing", "/"],
  ["region home", `/t/${slug}/`],
  ["market", `/t/${slug}/listings`],
  ["listing", `/t/${slug}/listings/${listing.id}`],
  ["map", `/t/${slug}/map`],
  ["statistics", `/t/${slug}/statistics`],
  ["live", `/t/${slug}/live`],
];

// ONLY=live,map measures those pages only.
const only = (process.env.ONLY || "").split(",").filter(Boolean);
if (only.length) pages.splice(0, pages.length, ...pages.filter(([name]) => only.includes(name.replace(/ /g, "-"))));

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const cats = ["performance", "accessibility", "best-practices", "seo"];
let failed = false;
const rows = [];
try {
  for (const [name, path] of pages) {
    const results = [];
    let attempts = 0;
    for (let i = 0; i < runs; i++) {
      const r = await lighthouse(base + path, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: cats,
        // Map tiles come from OpenStreetMap, which this machine may not
        // reach: the page is measured without them.
        blockedUrlPatterns: ["*tile.openstreetmap.org*", "*cache.kartverket.no*"],
      });
      if (r.lhr.runtimeError && attempts++ < 3) {
        // A trace Chromium did not record (NO_NAVSTART and the like) is
        // the tool's failure, not the page's: try again.
        console.log(`       (${name}: ${r.lhr.runtimeError.code}; running again)`);
        i--;
        continue;
      }
      results.push(r.lhr);
    }
    results.sort((a, b) => a.categories.performance.score - b.categories.performance.score);
    const lhr = results[Math.floor(results.length / 2)];
    const score = (c) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
    const s = Object.fromEntries(cats.map((c) => [c, score(c)]));
    const ok = s.performance >= minPerf && s.accessibility >= minA11y;
    failed ||= !ok;
    const m = (id) => lhr.audits[id]?.displayValue || "";
    rows.push({ name, path, ...s, fcp: m("first-contentful-paint"), lcp: m("largest-contentful-paint"), tbt: m("total-blocking-time"), cls: m("cumulative-layout-shift") });
    console.log(`${ok ? "ok  " : "FAIL"} ${name.padEnd(12)} performance ${String(s.performance).padStart(3)}  accessibility ${String(s.accessibility).padStart(3)}  best practices ${String(s["best-practices"]).padStart(3)}  SEO ${String(s.seo).padStart(3)}   FCP ${m("first-contentful-paint")}, LCP ${m("largest-contentful-paint")}, TBT ${m("total-blocking-time")}, CLS ${m("cumulative-layout-shift")}   ${path}`);
    // What cost points: failed audits of the four categories.
    for (const c of cats) {
      for (const ref of lhr.categories[c].auditRefs) {
        const a = lhr.audits[ref.id];
        if (ref.weight > 0 && a.score !== null && a.score < (c === "performance" ? 0.9 : 1)) {
          console.log(`       ${c}: ${a.id} (${a.score})${a.displayValue ? " " + a.displayValue : ""}`);
        }
      }
    }
    if (reports) writeFileSync(`${reports}/${name.replace(/ /g, "-")}.json`, JSON.stringify(lhr));
  }
} finally {
  await chrome.kill();
}
if (reports) writeFileSync(`${reports}/summary.json`, JSON.stringify(rows, null, 1));
console.log(failed ? `below the targets (performance ≥ ${minPerf}, accessibility ≥ ${minA11y}) on some page` : `every page meets performance ≥ ${minPerf} and accessibility ≥ ${minA11y}`);
process.exit(failed ? 1 : 0);
