// Shared helpers for the browser tests: Debian's Chromium through
// playwright-core (no browser download), axe-core, and failure collection.
import { chromium, errors } from "playwright-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

// blankTiles answers the browser's requests for OpenStreetMap tiles with a
// light grey pixel (Leaflet stretches it): the tests do not depend on the
// tile server, and maps finish drawing quickly and the same way every time.
// On a context, it covers its pages and service workers.
const TILE = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGN48eIFAAV0ArnZwsdlAAAAAElFTkSuQmCC", "base64");
export async function blankTiles(target) {
  await target.route(
    (url) => url.hostname === "tile.openstreetmap.org" || url.hostname.endsWith(".tile.openstreetmap.org"),
    (route) => route.fulfill({ status: 200, contentType: "image/png", headers: { "access-control-allow-origin": "*", "cache-control": "no-store" }, body: TILE })
  );
}

const failures = [];
export function check(ok, what, detail) {
  if (!ok) failures.push(what + (detail === undefined ? "" : ": " + JSON.stringify(detail)));
  else console.log("ok   " + what);
}
// until waits, up to timeout ms, for fn(arg) to return a truthy value in
// the page (polled every animation frame) and returns that value, or null if
// it never did. Tests wait this way for the condition they assert, never for
// a fixed time; a page that dies or navigates away is an error, not a "no".
export async function until(page, fn, arg, timeout = 10000) {
  try {
    const handle = await page.waitForFunction(fn, arg, { timeout });
    return await handle.jsonValue();
  } catch (e) {
    if (e instanceof errors.TimeoutError) return null;
    throw e;
  }
}

export function done() {
  for (const f of failures) console.log("FAIL " + f);
  process.exit(failures.length ? 1 : 0);
}

// axe runs WCAG 2.1 A and AA rules on the page (or the given hosts,
// shadow roots included) and returns the violations.
export async function axe(page, include) {
  await page.evaluate(axeSource);
  return page.evaluate(async (include) => {
    const ctx = include && include.length ? { include: include.map((s) => [s]) } : document;
    const r = await window.axe.run(ctx, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " " + (n.failureSummary || "").slice(0, 160)) }));
  }, include || null);
}
