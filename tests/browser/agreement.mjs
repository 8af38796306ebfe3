// From a match to a signed agreement, as two people (K11, K6). Driven by
// tests/browser_agreement_test.go's TestBrowserAgreement: PLATFORM is the
// app, LISTING the path of Kari's listing (Fornebu Anlegg), NEED the path
// and NEED_TITLE the title of Sandvika Bygg's need that it matches,
// COOKIE_A Kari's session (Fornebu's admin, at 1280 px) and COOKIE_B Ola's
// (Sandvika's admin, on a phone at 390 px). Kari makes contact from the
// match and writes; Ola finds the dialog unread on "Mitt" and replies; Kari
// proposes an agreement from the dialog, Ola counter-proposes, Kari
// accepts, both sign, the signed PDF downloads, and both listings show what
// was agreed and what is left.
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { launch, blankTiles, check, done, axe, until } from "./lib.mjs";

const P = process.env.PLATFORM;
const SHOTS = process.env.SHOTS;
const NEED_TITLE = process.env.NEED_TITLE;
const browser = await launch();

async function person(cookie, width) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  await blankTiles(ctx);
  const [name, ...value] = cookie.split("=");
  await ctx.addCookies([{ name, value: value.join("="), url: P, sameSite: "Lax" }]);
  return ctx.newPage();
}
async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/agreement-${name}.png`, fullPage: true });
}
async function noViolations(page, what) {
  const v = await axe(page);
  check(v.length === 0, `${what}: no axe violations`, v);
}
async function fits(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  check(w <= 390, `${what} fits 390 px`, w);
}
const text = (page) => page.textContent("main");
// must fails the run at once: later steps make no sense without this one.
function must(ok, what, detail) {
  check(ok, what, detail);
  if (!ok) done();
}
// The listing's "Avtalt 10 000 t · igjen 2 000 t" (numbers with any spaces).
const agreedRe = /Avtalt\s*([\d\s\u00a0\u202f]+)\s*t\s*·\s*igjen\s*([\d\s\u00a0\u202f]+)\s*t/;
const tonnes = (s) => Number(s.replace(/[^\d]/g, ""));

const a = await person(process.env.COOKIE_A, 1280);
const b = await person(process.env.COOKIE_B, 390);

// Kari opens her own listing's matches and makes contact about Sandvika's need.
await a.goto(P + process.env.LISTING);
const row = a.locator("#matches ~ .table-wrap tr", { has: a.locator(`a:text-is("${NEED_TITLE}")`) });
must((await row.count()) === 1, "Kari's listing shows Sandvika's need among its matches");
await shot(a, "1-matches");
await row.locator('a.ds-button:has-text("Ta kontakt")').click();
await a.waitForURL(/\/dialogs\/new\?listing=[0-9a-f-]{36}&match=[0-9a-f-]{36}$/);
check((await a.locator('input[name="match_listing_id"]').count()) === 1, "the contact form carries the match");
check((await text(a)).includes(NEED_TITLE), "the contact form is about Sandvika's need");
await noViolations(a, "the contact form from a match");
await a.fill("#dtext", "Hei Ola! Sprengsteinen fra stasjonshallen passer til forsterkningslaget deres. Skal vi lage en avtale?");
await a.click('button[type=submit]:has-text("Ta kontakt")');
await a.waitForURL(/\/dialogs\/[0-9a-f-]{36}$/);
const dialogURL = a.url();
const dialogPath = new URL(dialogURL).pathname;
const dialogID = dialogPath.split("/").pop();
check((await text(a)).includes("passer til forsterkningslaget"), "Kari's message is in the dialog");
await shot(a, "2-dialog");

// Ola, on his phone, finds the dialog unread on "Mitt", reads and replies.
await b.goto(P + "/t/baerum/mitt");
const item = b.locator("#mdialogs-h ~ ul li", { has: b.locator(`a[href="${dialogPath}"]`) });
must((await item.count()) === 1, "Ola's \"Mitt\" lists the dialog");
check((await item.textContent()).includes("1 ulest"), "the dialog is unread for Ola", await item.textContent());
await noViolations(b, "\"Mitt\" at 390 px");
await fits(b, "\"Mitt\"");
await shot(b, "3-mitt");
await item.locator(`a[href="${dialogPath}"]`).click();
await b.waitForURL(dialogURL);
check((await text(b)).includes("passer til forsterkningslaget"), "Ola reads Kari's message");
await b.fill("#mtext", "Hei Kari! Ja, 10 000 t holder for oss. Send et forslag.");
await b.click('button[type=submit]:has-text("Send")');
check(!!(await until(b, () => document.querySelector("#thread")?.textContent.includes("10 000 t holder"))), "Ola's reply is in the thread");
await noViolations(b, "the dialog at 390 px");
await fits(b, "the dialog");
await shot(b, "4-reply");

// Kari reads the reply and proposes an agreement from the dialog.
await a.goto(dialogURL);
check((await text(a)).includes("10 000 t holder"), "Kari reads Ola's reply");
await a.click('a.ds-button:has-text("Foreslå avtale")');
await a.waitForURL(/\/agreements\/new\?listing=/);
check((await a.inputValue('input[name="dialog_id"]')) === dialogID, "the new agreement is linked to the dialog", await a.inputValue('input[name="dialog_id"]'));
const listings = await a.locator('input[name="listing_ids"]').evaluateAll((els) => els.map((e) => e.value));
check(listings.length === 2, "the agreement draws from both listings of the match", listings);
check((await a.inputValue("#quantity_tonnes")) === "12000", "the form is prefilled with what the listings have left (the need's 12 000 t)", await a.inputValue("#quantity_tonnes"));
check((await a.inputValue("#delivery_point")) !== "", "the delivery point is the receiver's site");
check((await a.inputValue("#supplier_org")) !== "" && (await a.inputValue("#receiver_org")) !== "", "both parties are filled in");
await noViolations(a, "the new agreement form");
await shot(a, "5-new");
await a.fill("#opening_hours", "Man–fre 07:00–15:00");
await a.fill("#price_nok", "30");
await a.click('button[type=submit]:has-text("Lagre utkast")');
await a.waitForURL(/\/agreements\/[0-9a-f-]{36}\?/);
const url = a.url().split("?")[0];
check((await text(a)).includes("Utkast"), "the draft is saved");
check((await a.locator(`main a[href="${dialogPath}"]`).count()) === 1, "the agreement links back to the dialog");
await a.click('button:has-text("Send forslag")');
await a.waitForURL(/notice=Saved/);
check((await text(a)).includes("Foreslått"), "Kari proposed it");

// Ola counter-proposes less.
await b.goto(url);
check((await text(b)).includes("Foreslått"), "Ola sees the proposal");
await b.click('a.ds-button:has-text("Motforslag")');
await b.waitForURL(/\/edit$/);
await b.fill("#quantity_tonnes", "10000");
await b.fill("#quantity_m3", "");
await fits(b, "the counter-proposal form");
await shot(b, "6-counter");
await b.click('button:has-text("Send motforslag")');
await b.waitForURL(/notice=Saved/);
check((await b.locator("#changes").count()) === 1, "the counter-proposal shows what changed");

// Kari sees the changes, accepts and signs.
await a.goto(url);
const changes = await a.textContent("main");
check(changes.includes("Endringer fra versjon 1 til 2") && /12\s000/.test(changes) && /10\s000/.test(changes), "Kari sees the changed quantity", changes.slice(0, 300));
await noViolations(a, "the agreement page with changes");
await shot(a, "7-changes");
await a.click('button:has-text("Godta vilkårene")');
await a.waitForURL(/notice=Saved/);
await a.click('button:has-text("Signer avtalen")');
await a.waitForURL(/notice=Saved/);
check((await a.locator('button:has-text("Signer avtalen")').count()) === 0, "Kari has signed");

// Ola signs: the agreement is sealed.
await b.goto(url);
await b.click('button:has-text("Signer avtalen")');
await b.waitForURL(/notice=Saved/);
const sealed = await text(b);
check(sealed.includes("Signert") && sealed.includes("Forseglingen er kontrollert"), "both signed: the agreement is sealed and verified", sealed.slice(0, 300));
check((await b.locator(".list li").count()) >= 2, "both signatures are listed");
const hash = ((sealed.match(/SHA-256:\s*([0-9a-f]{64})/) || [])[1]) || "";
check(hash !== "", "the seal's SHA-256 is shown");
check((await b.textContent("pre.agreement-text")).includes("Sandvika"), "the agreement's text is shown");
check((await b.locator(`main a[href="${dialogPath}"]`).count()) === 1, "the sealed agreement still links to the dialog");
await noViolations(b, "the signed agreement at 390 px");
await fits(b, "the signed agreement");
await shot(b, "8-signed");

// The PDF downloads with both signatures and the seal's hash.
const [dl] = await Promise.all([b.waitForEvent("download"), b.click('a:has-text("Last ned PDF")')]);
const pdf = readFileSync(await dl.path());
check(pdf.subarray(0, 4).toString() === "%PDF", "the signed PDF downloads", pdf.subarray(0, 8).toString());
check(pdf.length > 2000, "the PDF has content", pdf.length);
let pdfText = pdf.toString("latin1");
for (const m of pdf.toString("latin1").matchAll(/stream\r?\n([\s\S]*?)endstream/g)) {
  try {
    pdfText += inflateSync(Buffer.from(m[1], "latin1")).toString("latin1");
  } catch {} // not a Flate stream
}
check(hash !== "" && pdfText.includes(hash), "the PDF carries the seal's SHA-256");

// Both listings show what was agreed and what is left.
await a.goto(P + process.env.LISTING);
const ma = (await text(a)).match(agreedRe);
check(!!ma && tonnes(ma[1]) === 10000, "Kari's listing shows \"Avtalt 10 000 t · igjen … t\"", ma && ma[0]);
await shot(a, "9-listing");
await b.goto(P + process.env.NEED);
const mb = (await text(b)).match(agreedRe);
check(!!mb && tonnes(mb[1]) === 10000 && tonnes(mb[2]) === 2000, "Sandvika's need shows \"Avtalt 10 000 t · igjen 2 000 t\"", mb && mb[0]);
await fits(b, "Sandvika's need with what was agreed");
await shot(b, "10-need");

await browser.close();
done();
