// The live view on one app instance receives an event published through
// another instance (Postgres LISTEN/NOTIFY): prints READY when connected
// and the map has drawn its places, reads the expected listing title on
// stdin, and waits for it to appear.
import { launch, check, done, until } from "./lib.mjs";
import { createInterface } from "node:readline";

const MARKERS = "#live-map .leaflet-interactive";
const OFFERED = '#live-kpis dd[data-k="offered"]';

const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
await page.goto(process.env.LIVE_URL);
await page.waitForSelector("#live-status.on", { timeout: 15000 });
// The feed being connected says nothing about the map: the page draws its
// places from a separate request that may still be under way (and that,
// answered late, would also wipe a marker added by the feed). Take the
// baseline once the map shows every place of the map data; nothing is
// published before READY, so that data stays the same meanwhile.
const places = await page.evaluate(async () => {
  const r = await fetch(document.getElementById("live").dataset.map, { headers: { Accept: "application/geo+json" } });
  const fc = await r.json();
  return new Set((fc.features || []).map((f) => f.properties.id)).size;
});
const drawn = await until(page, ([sel, n]) => document.querySelectorAll(sel).length === n, [MARKERS, places], 15000);
const before = await page.evaluate((sel) => document.querySelectorAll(sel).length, MARKERS);
check(places > 0 && drawn, "the live map shows the region's places before anything is published", { places, markers: before });
const offeredBefore = await page.textContent(OFFERED);
console.log("READY");
const rl = createInterface({ input: process.stdin });
const title = await new Promise((resolve) => rl.once("line", resolve));
const t0 = Date.now();
const shown = await until(page, (t) => document.getElementById("live-activity").textContent.includes(t), title);
if (shown) check(true, "live view shows the listing published on the other instance (" + (Date.now() - t0) + " ms)");
else check(false, "live view shows the listing published on the other instance", await page.textContent("#live-activity"));
const added = await until(page, ([sel, n]) => document.querySelectorAll(sel).length === n + 1, [MARKERS, before]);
const after = await page.evaluate((sel) => document.querySelectorAll(sel).length, MARKERS);
check(added, "the new listing appears on the map", [before, after]);
// The totals follow in a "stats" message shortly after the event. Digits
// only: the first "stats" after connecting may reformat the server's
// rendering without changing the figure.
const offered = await until(
  page,
  ([sel, was]) => {
    const t = document.querySelector(sel).textContent;
    return t.replace(/\D/g, "") !== was ? t : null;
  },
  [OFFERED, offeredBefore.replace(/\D/g, "")]
);
check(offered !== null, "running totals updated without reload", [offeredBefore, offered]);
if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/live-1920.png" });
rl.close();
await browser.close();
done();
