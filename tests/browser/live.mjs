// The live view on one app instance receives an event published through
// another instance (Postgres LISTEN/NOTIFY): prints READY when connected,
// reads the expected listing title on stdin, and waits for it to appear.
import { launch, check, done } from "./lib.mjs";
import { createInterface } from "node:readline";

const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
await page.goto(process.env.LIVE_URL);
await page.waitForSelector("#live-status.on", { timeout: 15000 });
const before = await page.evaluate(() => document.querySelectorAll("#live-map .leaflet-interactive").length);
const offeredBefore = await page.textContent('#live-kpis dd[data-k="offered"]');
console.log("READY");
const rl = createInterface({ input: process.stdin });
const title = await new Promise((resolve) => rl.once("line", resolve));
const t0 = Date.now();
try {
  await page.waitForFunction((t) => document.getElementById("live-activity").textContent.includes(t), title, { timeout: 10000 });
  check(true, "live view shows the listing published on the other instance (" + (Date.now() - t0) + " ms)");
} catch (e) {
  check(false, "live view shows the listing published on the other instance", await page.textContent("#live-activity"));
}
const after = await page.evaluate(() => document.querySelectorAll("#live-map .leaflet-interactive").length);
check(after === before + 1, "the new listing appears on the map", [before, after]);
await page.waitForTimeout(1000);
const offered = await page.textContent('#live-kpis dd[data-k="offered"]');
check(offered !== offeredBefore, "running totals updated without reload", [offeredBefore, offered]);
if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/live-1920.png" });
rl.close();
await browser.close();
done();
