// axe-core on every UI page, at 390 px (a phone) and 1280 px, as a visitor
// and as the user each page is for: WCAG 2.0 and 2.1, A and AA, no
// violations. PAGES is a JSON list of {path, as}; COOKIES maps a user to
// "name\0value" of their session cookie (set by the Go test).
import { launch, check, done, axe, until, blankTiles } from "./lib.mjs";

const PLATFORM = process.env.PLATFORM;
const pages = JSON.parse(process.env.PAGES);
const cookies = JSON.parse(process.env.COOKIES || "{}");
const shots = process.env.SHOTS;

// Violations known, in templates and styles being reworked on
// Designsystemet (layout, CSS, statistics, admin, live, home, listings):
// "rule page-path-pattern". They are printed with their nodes on every run
// (KNOWN lines) without failing it; remove a line once fixed, and a fixed
// one is reported (FIXED) so the list only shrinks.
const known = [];
const seen = new Set();
function isKnown(id, path) {
  return known.some((k) => {
    const [rule, pat] = k.split(/\s+/);
    const hit = rule === id && (!pat || new RegExp(pat).test(path));
    if (hit) seen.add(k);
    return hit;
  });
}

const widths = [
  { name: "390", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  { name: "1280", viewport: { width: 1280, height: 900 } },
];

const browser = await launch();
const users = [...new Set(pages.map((p) => p.as))];
for (const w of widths) {
  for (const user of users) {
    const ctx = await browser.newContext({ viewport: w.viewport, isMobile: !!w.isMobile, hasTouch: !!w.hasTouch, serviceWorkers: "block" });
    await blankTiles(ctx);
    if (user) {
      const [name, value] = cookies[user].split("\u0000");
      await ctx.addCookies([{ name, value, url: PLATFORM }]);
    }
    const page = await ctx.newPage();
    for (const p of pages.filter((p) => p.as === user)) {
      const who = (user || "visitor") + " " + p.path + " @" + w.name;
      const res = await page.goto(PLATFORM + p.path);
      check(res && res.status() === 200, "page answers: " + who, res && res.status());
      // axe checks what is drawn: the live feed connected, each map's
      // markers and tiles in place.
      const drawn = await until(page, () => {
        const live = document.getElementById("live-status");
        if (live && !live.classList.contains("on")) return false;
        return [...document.querySelectorAll(".leaflet-container")].every((m) => {
          const tiles = [...m.querySelectorAll(".leaflet-tile")];
          return !m.querySelector(".leaflet-zoom-anim") && tiles.length > 0 && tiles.every((t) => t.complete && getComputedStyle(t).opacity === "1");
        });
      });
      check(!!drawn, "page finishes drawing: " + who);
      const v = await axe(page);
      const fresh = v.filter((x) => !isKnown(x.id, p.path));
      for (const x of v.filter((x) => isKnown(x.id, p.path))) console.log("KNOWN " + x.id + " " + who + " " + JSON.stringify(x.nodes));
      for (const x of fresh) console.log("AXE  " + x.id + " " + who + " " + JSON.stringify(x.nodes));
      check(fresh.length === 0, "axe-core: " + who + " meets WCAG 2.1 AA", fresh.map((x) => x.id));
      if (shots) await page.screenshot({ path: shots + "/page" + p.path.replace(/\//g, "_") + "-" + (user || "visitor").replace(/[@.]/g, "_") + "-" + w.name + ".png", fullPage: p.path.indexOf("live") < 0 });
    }
    await ctx.close();
  }
}
for (const k of known) if (!seen.has(k)) console.log("FIXED " + k + " (remove it from the known list)");
await browser.close();
done();
