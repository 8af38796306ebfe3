// Public pages are restored from the back/forward cache (issue 16): for
// each page of PAGES (JSON paths on PLATFORM), a visitor opens it, marks
// the document, goes to another page (AWAY) and back; the same
// document must come back (the mark is still there, pageshow said
// "persisted"). Pages sent with Cache-Control: no-store were evicted when
// the next page set a cookie (Chromium: CacheControlNoStoreHTTPOnlyCookieModified),
// as a first visit's CSRF cookie does.
import { chromium } from "playwright-core";
import { check, done, until } from "./lib.mjs";

const platform = process.env.PLATFORM;
const pages = JSON.parse(process.env.PAGES);
// Playwright turns the back/forward cache off (--disable-back-forward-cache):
// this test needs it on, as in every browser.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-component-update", "--disable-sync"],
  ignoreDefaultArgs: ["--disable-back-forward-cache"],
});

async function roundTrip(context, path) {
  const page = await context.newPage();
  await page.goto(platform + path, { waitUntil: "load" });
  await page.evaluate(() => {
    window.__mark = "kept";
    window.__persisted = false;
    addEventListener("pageshow", (e) => { window.__persisted = e.persisted; });
  });
  // Away, as a click on a link would go: another page of the site.
  await Promise.all([page.waitForURL(platform + process.env.AWAY, { waitUntil: "load" }), page.evaluate((to) => { location.href = to; }, platform + process.env.AWAY)]);
  await page.goBack({ waitUntil: "commit" });
  const restored = await until(page, () => window.__mark === "kept" && window.__persisted === true, undefined, 5000);
  const why = restored ? null : await page.evaluate(() => ({ mark: window.__mark || null, type: performance.getEntriesByType("navigation")[0]?.type }));
  await page.close();
  return { restored: !!restored, why };
}

for (const path of pages) {
  // A first visit each time: no cookies yet, as a visitor from a search engine.
  const visitor = await browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: "block" });
  const r = await roundTrip(visitor, path);
  check(r.restored, `${path} comes back from the back/forward cache`, r.why);
  await visitor.close();
}
await browser.close();
done();
