// The driver app offline and back (issue 13, T5). Driven by
// tests/browser_haul_test.go's TestBrowserDriver: PLATFORM is the app,
// COOKIE_D the driver's session (Lars, Lysaker Transport) and COOKIE_G the
// gate's (Ola, Sandvika Bygg), both on phones at 390 px. Lars departs twice
// with the network off: both steps wait on the phone. The network comes
// back, but the first answer is lost on the way (the request reaches the
// server, the phone sees a failure): the phone sends that step again with
// the same key, and the server answers with the first answer. Two loads,
// not three. Ola then receives one at the gate with its code.
import { launch, check, done, axe, until } from "./lib.mjs";

const P = process.env.PLATFORM;
const SHOTS = process.env.SHOTS;
const browser = await launch();

async function phone(cookie) {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const [name, ...value] = cookie.split("=");
  await ctx.addCookies([{ name, value: value.join("="), url: P, sameSite: "Lax" }]);
  return [ctx, await ctx.newPage()];
}
async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/driver-${name}.png`, fullPage: true });
}
async function noViolations(page, what) {
  const v = await axe(page);
  check(v.length === 0, `${what}: no axe violations`, v);
}
// queued reads the phone's queue (IndexedDB), oldest first, with whether
// each photo waits as a Blob.
const queued = (page) => page.evaluate(() => new Promise((ok, bad) => {
  const r = indexedDB.open("masseflyt-haul");
  r.onerror = () => bad(r.error);
  r.onsuccess = () => {
    const g = r.result.transaction("queue").objectStore("queue").getAll();
    g.onerror = () => bad(g.error);
    g.onsuccess = () => {
      r.result.close();
      ok(g.result.filter((x) => x.slug === "baerum").sort((a, b) => a.seq - b.seq)
        .map((x) => ({ ...x, files: (x.files || []).map((f) => ({ filename: f.filename, blob: f.blob instanceof Blob, size: f.blob && f.blob.size })) })));
    };
  };
}));
// A 1×1 PNG: the first departure's photo.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const states = (page) => page.$$eval("#haul-queue li", (lis) => lis.map((li) => li.dataset.state));

const [dctx, d] = await phone(process.env.COOKIE_D);
await d.goto(P + "/t/baerum/driver");
await noViolations(d, "the driver app");
check((await d.textContent("#haul-net")).includes("Tilkoblet"), "the app says it is online");
const big = await d.$eval("button.haul-big", (b) => b.getBoundingClientRect().height);
check(big >= 48, "the departure button is a large touch target", big);
await shot(d, "1-online");

// Offline: two departures wait on the phone.
await dctx.setOffline(true);
check(!!(await until(d, () => document.getElementById("haul-net").dataset.state === "offline")), "the app says it is offline");
await d.fill("#htonnes", "17,5");
await d.setInputFiles("#hphoto", { name: "lass.png", mimeType: "image/png", buffer: PNG });
await d.uncheck("input[data-gps]");
await d.click("button.haul-big");
await until(d, () => document.querySelectorAll("#haul-queue li").length === 1);
await d.fill("#htonnes", "16");
await d.uncheck("input[data-gps]");
await d.click("button.haul-big");
await until(d, () => document.querySelectorAll("#haul-queue li").length === 2);
check(JSON.stringify(await states(d)) === JSON.stringify(["queued", "queued"]), "both departures are queued on the phone", await states(d));
check((await d.textContent("#haul-queue")).includes("i kø"), "the queue says «i kø»");
const queue = await queued(d);
check(queue.length === 2 && queue[0].key !== queue[1].key && queue.every((q) => q.device_at), "each step has its own key and the phone's time", queue);
check(queue[0].files.length === 1 && queue[0].files[0].blob && queue[0].files[0].size === PNG.length && !JSON.stringify(queue[0].body).includes("iVBOR"), "the photo waits in IndexedDB as a Blob, not base64", queue[0]);
check(await d.evaluate(() => localStorage.getItem("masseflyt-haul-baerum") === null), "nothing is queued in localStorage");
await shot(d, "2-offline");

// The first answer is lost on the way back: the server has the step, the
// phone does not know.
let lost = 0;
await d.route("**/api/v1/tenants/baerum/loads", async (route) => {
  if (lost === 0) {
    lost++;
    await route.fetch(); // the server gets it and answers …
    return route.abort("connectionreset"); // … but the answer never arrives
  }
  return route.continue();
});
await dctx.setOffline(false);
const sent = await until(d, () => [...document.querySelectorAll("#haul-queue li")].every((li) => li.dataset.state === "sent"), null, 40000);
check(!!sent, "back online, both departures are sent", await states(d));
check(lost === 1, "one answer was lost and the step sent again", lost);
const after = await queued(d);
const numbers = after.map((q) => q.result && q.result.number);
check(new Set(numbers).size === 2 && numbers.every(Boolean), "two loads, each numbered once", numbers);
check(after.every((q) => q.result && q.result.release_code), "the phone shows each load's release code", after);
await shot(d, "3-synced");

// After a reload the loads are the driver's latest, awaiting release.
await d.goto(P + "/t/baerum/driver");
check((await d.$$("ul.haul-loads li")).length === 2, "the driver's two loads are listed");
await noViolations(d, "the driver app with loads");

// Kari, at Fornebu's gate, releases the first load with the code on
// Lars's phone.
const [, k] = await phone(process.env.COOKIE_R);
await k.goto(P + "/t/baerum/gate");
await k.click("details.haul-release summary");
await k.fill("#grelease", after[0].result.release_code);
await k.click('details.haul-release button[type=submit]');
check(!!(await until(k, () => [...document.querySelectorAll("#haul-queue li")].some((li) => li.dataset.state === "sent"), null, 20000)), "Kari's release is sent", await states(k));

// Lars's phone now shows the load code; Ola types it at Sandvika's gate
// and receives the load in one tap (every check step in order).
await d.goto(P + "/t/baerum/driver");
const code = await d.$$eval("ul.haul-loads li", (lis) => {
  const li = lis.find((x) => x.textContent.includes("Lastekode"));
  return li ? li.querySelector(".haul-show").textContent.trim() : "";
});
check(/^[2-9A-Z]{8}$/.test(code), "the released load shows its load code", code);
const [, g] = await phone(process.env.COOKIE_G);
await g.goto(P + "/t/baerum/gate");
check((await g.textContent("main")).includes(after[0].result.number), "the gate expects the load today");
await g.fill("#gcode", code.toLowerCase());
await g.click("form.haul-find button");
await g.waitForURL(/gate\?code=/);
check((await g.$$(".haul-step")).length === 5, "the receipt check has the five steps of § 9-11");
await noViolations(g, "the gate's receipt check");
await g.fill("#rweight", "17,4");
await shot(g, "4-gate");
await g.click('form[data-queue*="/receipt"] button[type=submit]');
check(!!(await until(g, () => [...document.querySelectorAll("#haul-queue li")].some((li) => li.dataset.state === "sent"), null, 20000)), "the receipt is sent", await states(g));
const num0 = after[0].result.number;
check(!!(await until(g, (n) => { const l = document.getElementById("haul-list"); return l && l.dataset.refreshed && [...l.querySelectorAll("li")].some((li) => li.textContent.includes(n) && li.textContent.includes("mottatt")); }, num0, 20000)), "the gate's list shows the load received after the sync");
await shot(g, "5-received");

done();
