// A dialog about a listing, as two people (K11). Driven by
// tests/browser_dialog_test.go's TestBrowserDialog: PLATFORM is the app,
// LISTING the path of Fornebu Anlegg's listing, COOKIE_A Ola's session
// (Sandvika Bygg, on a phone at 390 px) and COOKIE_B Kari's (Fornebu's
// admin, at 1280 px). Ola makes contact and writes twice (the second with
// htmx); Kari finds the dialog unread, reads and replies; Ola sees the
// reply and that Kari has seen his messages.
import { launch, blankTiles, check, done, axe, until } from "./lib.mjs";

const P = process.env.PLATFORM;
const SHOTS = process.env.SHOTS;
const browser = await launch();

async function person(cookie, width) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 } });
  await blankTiles(ctx);
  const [name, ...value] = cookie.split("=");
  await ctx.addCookies([{ name, value: value.join("="), url: P, sameSite: "Lax" }]);
  return ctx.newPage();
}
async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/dialog-${name}.png`, fullPage: true });
}
async function noViolations(page, what) {
  const v = await axe(page);
  check(v.length === 0, `${what}: no axe violations`, v);
}
const text = (page) => page.textContent("main");

const a = await person(process.env.COOKIE_A, 390);
const b = await person(process.env.COOKIE_B, 1280);

// Ola finds Fornebu's listing and makes contact.
await a.goto(P + process.env.LISTING);
await a.click('a.ds-button:has-text("Ta kontakt")');
await a.waitForURL(/\/dialogs\/new\?listing=/);
await noViolations(a, "the contact form");
await shot(a, "1-contact");
await a.fill("#dtext", "Hei! Er sprengsteinen ledig fra mars? Vi trenger 5 000 t til fyllingen på Kadettangen.");
await a.click('button[type=submit]:has-text("Ta kontakt")');
await a.waitForURL(/\/dialogs\/[0-9a-f-]{36}$/);
const url = a.url();
check((await text(a)).includes("Vi trenger 5 000 t"), "Ola's first message is in the dialog");
// A second message through htmx: the thread is swapped, the page stays.
await a.fill("#mtext", "Vi kan hente selv med egne biler.");
await a.click('button[type=submit]:has-text("Send")');
const swapped = await until(a, () => document.querySelector("#thread") && document.querySelector("#thread").textContent.includes("hente selv"));
check(!!swapped, "the htmx form swapped in the thread with the new message");
check(a.url() === url, "the page stayed (htmx)", a.url());
check((await a.textContent("#dialog-count")) === "Meldinger: 2", "the page's message count follows the htmx reply (out of band)", await a.textContent("#dialog-count"));
await shot(a, "2-sent");

// Kari sees the dialog unread, first, and opens it.
await b.goto(P + "/t/baerum/dialogs");
check((await text(b)).includes("2 ulest"), "Kari's dialog list shows 2 unread", await text(b));
await noViolations(b, "the dialog list");
await b.click(`a[href="${new URL(url).pathname}"]`);
await b.waitForURL(url);
check((await text(b)).includes("hente selv"), "Kari reads Ola's messages");
check((await text(b)).includes("Del nøyaktig plassering"), "Kari is offered to share the exact values");
await noViolations(b, "the dialog as its owner");
await b.fill("#mtext", "Hei Ola! Ja, fra uke 10. Jeg deler prisen med dere.");
await b.click('button[type=submit]:has-text("Send")');
await until(b, () => document.querySelector("#thread").textContent.includes("fra uke 10"));
await b.click('button:has-text("Del nøyaktig plassering")');
await b.waitForURL(/notice=Saved/);
await shot(b, "3-reply");
await b.goto(P + "/t/baerum/dialogs");
check(!(await text(b)).includes("ulest"), "nothing unread for Kari after reading", await text(b));

// Ola sees the reply, the disclosure and that Kari has seen his messages.
await a.goto(P + "/t/baerum/dialogs");
check((await text(a)).includes("1 ulest"), "Ola's list shows Kari's reply unread", await text(a));
await a.goto(url);
const t = await text(a);
check(t.includes("fra uke 10"), "Ola reads Kari's reply");
check(t.includes("Sett av Kari"), "Ola sees that Kari has seen his messages", t);
check(t.includes("har delt nøyaktig plassering, mengde og pris med dere"), "Ola is told of the disclosure");
await noViolations(a, "the dialog on a phone");
const sw = await a.evaluate(() => document.documentElement.scrollWidth);
check(sw <= 390, "no sideways scroll on a phone", sw);
await shot(a, "4-read");

// The listing card starts with its heading (no empty band above it), and
// on the owner's listing page at 1280 px the actions, forms included, share
// one row.
await b.goto(url);
const gap = await b.evaluate(() => { const c = document.querySelector(".dialog-listing"); return Math.round(c.querySelector("h2").getBoundingClientRect().top - c.getBoundingClientRect().top); });
check(gap <= 32, "the dialog's listing card has no empty space above its heading", gap);
await b.goto(P + process.env.LISTING);
const rows = await b.evaluate(() => ["Rediger", "Dialoger om annonsen", "Avslutt annonsen"].map((t) => [...document.querySelectorAll("main .ds-button")].find((x) => x.textContent.trim() === t)).map((x) => x && Math.round(x.getBoundingClientRect().top)));
check(rows.every((y) => y !== null && y === rows[0]), "the owner's listing actions (Rediger … Avslutt annonsen) share one row at 1280 px", rows);

await browser.close();
done();
