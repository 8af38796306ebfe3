// A plain page on another site embeds the map and listing widgets of two
// tenants side by side (script-tag and custom-element forms) and a third
// tenant that has not allowed the page. Checks content, branding, style
// isolation both ways, language choice, keyboard use, no cookies, the
// link to the marketplace, axe-core on the widgets and on the public
// portal, and the PWA (manifest, service worker, offline page).
import { launch, check, done, axe, until, blankTiles } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const PLATFORM = process.env.PLATFORM; // http://127.0.0.1:port
const HOST = process.env.HOST_PAGE; // http://localhost:port/ (another site)
const expect = JSON.parse(process.env.EXPECT);
const shots = process.env.SHOTS;
if (shots) mkdirSync(shots, { recursive: true });

const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
await blankTiles(ctx);
// A cookie of the platform is in the browser; widget traffic must not carry it.
await ctx.addCookies([{ name: "mf_probe", value: "secret", url: PLATFORM, sameSite: "Lax" }]);
const page = await ctx.newPage();
const platformRequests = [];
page.on("request", (r) => {
  if (r.url().startsWith(PLATFORM)) platformRequests.push(r);
});
const setCookies = [];
page.on("response", async (r) => {
  if (r.url().startsWith(PLATFORM)) {
    const h = await r.allHeaders();
    if (h["set-cookie"]) setCookies.push(r.url());
  }
});
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));

// widgetsReady: all five widgets have rendered their content or their
// refusal, and every map has drawn (Leaflet, after the first render) a
// marker for each place it lists and its tiles (loaded, faded in: what
// axe-core sees behind the map's controls depends on them).
const widgetsReady = () => {
  const els = [...document.querySelectorAll("masseflyt-listings, masseflyt-map")];
  return (
    els.length === 5 &&
    els.every((el) => {
      const r = el.shadowRoot;
      if (!r) return false;
      if (r.querySelector("[role=alert]")) return true;
      if (!r.querySelector("h2")) return false;
      if (el.localName !== "masseflyt-map") return true;
      const tiles = [...r.querySelectorAll(".leaflet-tile")];
      return (
        !!r.querySelector(".leaflet-container") &&
        !r.querySelector(".leaflet-zoom-anim") &&
        r.querySelectorAll(".leaflet-interactive").length === r.querySelectorAll("details li").length &&
        tiles.length > 0 &&
        tiles.every((t) => t.complete && getComputedStyle(t).opacity === "1")
      );
    })
  );
};
// widgetsState describes each widget, for a failure message.
const widgetsState = () =>
  [...document.querySelectorAll("masseflyt-listings, masseflyt-map")].map((el) => {
    const r = el.shadowRoot;
    if (!r) return [el.localName, el.getAttribute("tenant"), "no shadow root"];
    const tiles = [...r.querySelectorAll(".leaflet-tile")];
    return [el.localName, el.getAttribute("tenant"), r.textContent.trim().slice(0, 60), { markers: r.querySelectorAll(".leaflet-interactive").length, places: r.querySelectorAll("details li").length, tiles: tiles.length, tilesDrawn: tiles.filter((t) => t.complete && getComputedStyle(t).opacity === "1").length }];
  });

await page.goto(HOST);
const ready = await until(page, widgetsReady, null, 20000);
check(!!ready, "the widgets render, maps with their places", ready ? undefined : await page.evaluate(widgetsState));

const info = await page.evaluate(() =>
  [...document.querySelectorAll("masseflyt-listings, masseflyt-map")].map((el) => {
    const r = el.shadowRoot;
    const h = r.querySelector("header");
    const a = r.querySelector("li a");
    return {
      tag: el.localName,
      tenant: el.getAttribute("tenant"),
      title: (r.querySelector("h2") || {}).textContent || "",
      alert: (r.querySelector("[role=alert]") || {}).textContent || "",
      headerBg: h ? getComputedStyle(h).backgroundColor : "",
      h2Display: r.querySelector("h2") ? getComputedStyle(r.querySelector("h2")).display : "",
      linkColor: a ? getComputedStyle(a).color : "",
      font: getComputedStyle(el).fontFamily,
      links: [...r.querySelectorAll("ul a")].map((x) => x.href),
      markers: r.querySelectorAll(".leaflet-interactive").length,
      mapHeight: r.querySelector(".map") ? r.querySelector(".map").clientHeight : 0,
      dot: r.querySelector(".legend .dot.surplus") ? getComputedStyle(r.querySelector(".legend .dot.surplus")).backgroundColor : "",
      leaflet: !!r.querySelector(".leaflet-container"),
    };
  })
);
const rgb = (hex) => "rgb(" + [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ") + ")";
for (const w of info) {
  const e = expect[w.tenant];
  const label = w.tag + "[" + w.tenant + "]";
  if (!e.allowed) {
    check(w.alert.includes("localhost") && w.alert.includes(e.name) && w.links.length === 0, label + " refuses a page that is not on the allowlist", w.alert);
    continue;
  }
  check(w.title.startsWith(e.name), label + " shows the tenant's name", w.title);
  check(w.headerBg === rgb(e.color), label + " uses the tenant's colour", [w.headerBg, e.color]);
  check(w.h2Display !== "none", label + " is not styled by the host page (h2 hidden there)");
  check(!/serif/.test(w.font) || /sans-serif/.test(w.font), label + " keeps its own font", w.font);
  if (w.tag === "masseflyt-listings") {
    check(w.links.length > 0, label + " lists listings", w.links.length);
    check(w.linkColor !== "rgb(255, 0, 0)", label + " link colour not from the host page", w.linkColor);
    const own = w.links.every((l) => l.startsWith(PLATFORM + "/t/" + w.tenant + "/listings/"));
    const ids = w.links.map((l) => l.split("/").pop());
    check(own, label + " links to its own tenant's marketplace");
    check(ids.every((id) => e.ids.includes(id)), label + " shows only its tenant's listings");
    if (e.kind) check(w.links.length === e.kindCount, label + " filters by kind=" + e.kind, [w.links.length, e.kindCount]);
  } else {
    check(w.leaflet && w.markers > 0, label + " draws a Leaflet map with markers in its shadow root", w.markers);
    check(w.mapHeight >= 300 && w.mapHeight <= 340, label + " has its height under a strict CSP (no style attributes)", w.mapHeight);
    check(w.dot !== "" && w.dot !== "rgba(0, 0, 0, 0)", label + " legend is coloured under a strict CSP", w.dot);
    check(w.links.length > 0, label + " offers the places as a list too", w.links.length);
  }
}
// Numbers in the widget's language (Intl.NumberFormat): the quantity bands
// group thousands with a no-break space in Norwegian ("10 000–50 000 t")
// and a comma in English ("10,000–50,000 t"), whatever the server sent.
const bands = (sel) =>
  page.evaluate((sel) => {
    const el = document.querySelector(sel);
    return el ? [...el.shadowRoot.querySelectorAll(".meta, details li .muted")].map((x) => x.textContent) : [];
  }, sel);
const nbBand = /\d{1,3}(\u00a0\d{3})+–\d{1,3}(\u00a0\d{3})+[\u00a0 ]t/;
const enBand = /\d{1,3}(,\d{3})+–\d{1,3}(,\d{3})+[\u00a0 ]t/;
const nbTexts = await bands('masseflyt-listings[tenant="baerum"]');
check(nbTexts.some((s) => nbBand.test(s)) && !nbTexts.some((s) => enBand.test(s)), "the Bokmål listing widget writes tonnes as 10 000 (no-break space)", nbTexts.slice(0, 3));
const enTexts = await bands('masseflyt-map[tenant="rogaland"]');
check(enTexts.some((s) => enBand.test(s)) && !enTexts.some((s) => nbBand.test(s)), "the English map widget writes tonnes as 10,000", enTexts.slice(0, 3));

// Widget styles do not leak out: the host's own header keeps its colour.
const hostHeader = await page.evaluate(() => getComputedStyle(document.getElementById("host-header")).backgroundColor);
check(hostHeader === "rgb(1, 2, 3)", "host page header untouched by the widgets", hostHeader);
check(consoleErrors.length === 0, "no script errors", consoleErrors);

// No cookies and no personal data in widget traffic.
const withCookie = [];
for (const r of platformRequests) {
  const h = await r.allHeaders();
  if (h.cookie) withCookie.push(r.url());
}
check(platformRequests.length >= 5, "widget traffic reached the platform", platformRequests.length);
check(withCookie.length === 0, "no widget request carries a cookie", withCookie);
check(setCookies.length === 0, "no widget response sets a cookie", setCookies);
const dataReqs = platformRequests.filter((r) => r.url().includes("/widgets/v1/data/"));
check(dataReqs.every((r) => !/[?&](email|user|name)=/.test(r.url())), "data requests carry no personal parameters");

// Accessibility of the widgets.
const v = await axe(page, ["masseflyt-listings", "masseflyt-map"]);
check(v.length === 0, "axe-core: widgets meet WCAG 2.1 AA", v);

if (shots) await page.screenshot({ path: shots + "/widgets-1280.png", fullPage: true });

// Language: switch the Bærum listing widget to English.
await page.evaluate(() => {
  const el = document.querySelector('masseflyt-listings[tenant="baerum"]');
  const s = el.shadowRoot.querySelector("#lang");
  s.value = "en";
  s.dispatchEvent(new Event("change"));
});
await page.waitForFunction(() => document.querySelector('masseflyt-listings[tenant="baerum"]').shadowRoot.querySelector("h2").textContent.includes("Mass listings"), null, { timeout: 10000 });
check(true, "language can be switched in the widget");
const switched = await bands('masseflyt-listings[tenant="baerum"]');
check(switched.some((s) => enBand.test(s)) && !switched.some((s) => nbBand.test(s)), "switched to English, the listing widget writes tonnes as 10,000", switched.slice(0, 3));

// Keyboard: Tab reaches controls inside the widgets.
await page.evaluate(() => document.activeElement && document.activeElement.blur());
let reached = null;
for (let i = 0; i < 30 && !reached; i++) {
  await page.keyboard.press("Tab");
  reached = await page.evaluate(() => {
    const a = document.activeElement;
    if (!a || !a.shadowRoot || !a.localName.startsWith("masseflyt-")) return null;
    const inner = a.shadowRoot.activeElement;
    return inner ? a.localName + " " + inner.localName : null;
  });
}
check(!!reached, "keyboard focus enters the widgets", reached);

// Clicking a listing opens it on the tenant's marketplace.
const first = info.find((w) => w.tag === "masseflyt-listings" && w.tenant === "rogaland").links[0];
await Promise.all([
  page.waitForURL((u) => u.href === first, { timeout: 10000 }),
  page.evaluate(() => document.querySelector('masseflyt-listings[tenant="rogaland"]').shadowRoot.querySelector("ul a").click()),
]);
const heading = await page.textContent("h1");
check(page.url() === first && heading.length > 0, "a listing opens on the marketplace", page.url());

// Phone width.
const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
const pp = await phone.newPage();
await pp.goto(HOST);
// Every widget, maps included: one still loading would not show an overflow yet.
const phoneReady = await until(pp, widgetsReady, null, 20000);
check(!!phoneReady, "the widgets render at phone width", phoneReady ? undefined : await pp.evaluate(widgetsState));
const overflow = await pp.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
check(!overflow, "widgets fit a 390 px phone without horizontal scrolling");
if (shots) await pp.screenshot({ path: shots + "/widgets-390.png", fullPage: true });
await phone.close();

// The public portal, without login: axe-core on every page.
const portal = await ctx.newPage();
for (const path of expect.portal) {
  const res = await portal.goto(PLATFORM + path);
  check(res.status() === 200, "portal " + path + " answers without login", res.status());
  // axe checks what is drawn: wait for what the page's scripts add (the
  // live feed's status; each map's markers, from a data request, and its
  // tiles, which decide the background behind the map's attribution).
  const drawn = await until(portal, () => {
    const live = document.getElementById("live-status");
    if (live && !live.classList.contains("on")) return false;
    return [...document.querySelectorAll(".leaflet-container")].every((m) => {
      const tiles = [...m.querySelectorAll(".leaflet-tile")];
      return !m.querySelector(".leaflet-zoom-anim") && m.querySelector(".leaflet-interactive") && tiles.length > 0 && tiles.every((t) => t.complete && getComputedStyle(t).opacity === "1");
    });
  });
  check(!!drawn, "portal " + path + " finishes drawing");
  const pv = await axe(portal);
  check(pv.length === 0, "axe-core: " + path + " meets WCAG 2.1 AA", pv);
  if (shots) await portal.screenshot({ path: shots + "/portal" + path.replace(/\//g, "_") + ".png", fullPage: path.indexOf("live") < 0 });
}

// PWA: the manifest is the tenant's; the service worker serves the
// offline page when the network is gone.
const home = PLATFORM + "/t/baerum/";
await portal.goto(home);
const manifest = await portal.evaluate(async () => {
  const href = document.querySelector('link[rel="manifest"]').href;
  return (await fetch(href)).json();
});
check(manifest.name.startsWith(expect.baerum.name) && manifest.theme_color === expect.baerum.color && manifest.icons.length >= 3, "manifest in the tenant's branding", manifest);
const iconOK = await portal.evaluate(async (src) => {
  const r = await fetch(src);
  return r.ok && r.headers.get("content-type") === "image/png";
}, manifest.icons[0].src);
check(iconOK, "manifest icon is a PNG");
await portal.evaluate(() => navigator.serviceWorker.ready);
await portal.reload(); // now controlled by the worker
await portal.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 10000 });
await ctx.setOffline(true);
await portal.goto(PLATFORM + "/t/baerum/listings").catch(() => {});
const offlineText = await portal.textContent("h1").catch(() => "");
check(offlineText === expect.offlineTitle, "offline page shown without network", offlineText);
await ctx.setOffline(false);

await browser.close();
done();
