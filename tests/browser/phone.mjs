// Phone width: no page scrolls sideways at 390 px, the menu is a
// disclosure that leaves room for content, and wide tables either become
// cards or scroll inside themselves. Driven by tests/browser_phone_test.go:
// PLATFORM is the app, COOKIE a tenant admin's session cookie ("name=value"),
// PAGES a JSON list of paths.
import { launch, blankTiles, check, done } from "./lib.mjs";

const PLATFORM = process.env.PLATFORM;
const PAGES = JSON.parse(process.env.PAGES);
const SHOTS = process.env.SHOTS;
const [cname, ...cval] = process.env.COOKIE.split("=");

const browser = await launch();
for (const width of [390, 1280]) {
  const ctx = await browser.newContext({ viewport: { width, height: 844 } });
  await blankTiles(ctx);
  await ctx.addCookies([{ name: cname, value: cval.join("="), url: PLATFORM, sameSite: "Lax" }]);
  const page = await ctx.newPage();
  for (const path of PAGES) {
    const res = await page.goto(PLATFORM + path, { waitUntil: "load" });
    check(res.status() === 200, `${path} at ${width} px answers 200`, res.status());
    const m = await page.evaluate(() => {
      const sw = document.documentElement.scrollWidth;
      const main = document.querySelector("main");
      const nav = document.querySelector(".menu");
      return {
        sw,
        mainTop: main ? Math.round(main.getBoundingClientRect().top) : -1,
        summary: nav ? getComputedStyle(nav.querySelector("summary")).display : "",
        navVisible: !!document.querySelector(".main-nav a") && document.querySelector(".main-nav a").checkVisibility(),
      };
    });
    check(m.sw <= width, `${path} at ${width} px has no horizontal scroll (scrollWidth ${m.sw})`, m);
    if (path.endsWith("/live")) continue; // the bare big-screen view has no menu
    if (width === 390) {
      check(m.mainTop <= 80, `${path} at 390 px: content starts within 80 px (menu collapsed)`, m.mainTop);
      check(m.summary !== "none" && !m.navVisible, `${path} at 390 px: the menu is a closed disclosure`, m);
    } else {
      check(m.summary === "none" && m.navVisible, `${path} at 1280 px: the menu is shown without a disclosure`, m);
    }
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/phone-${width}-${path.replace(/[^a-z0-9]+/gi, "_")}.png` });
  }
  if (width === 390) {
    // The disclosure opens without script and shows the links.
    await page.goto(PLATFORM + PAGES[0], { waitUntil: "load" });
    await page.click(".menu > summary");
    const shown = await page.evaluate(() => [...document.querySelectorAll(".main-nav a")].filter((a) => a.checkVisibility()).length);
    check(shown >= 5, "the opened menu shows the main links", shown);
    // Tables marked .stack are cards: every cell fits the screen.
    for (const path of PAGES) {
      await page.goto(PLATFORM + path, { waitUntil: "load" });
      const wide = await page.evaluate(() => [...document.querySelectorAll("table.stack > tbody > tr > :is(td, th)")].filter((c) => c.checkVisibility() && c.getBoundingClientRect().right > window.innerWidth + 1).map((c) => c.textContent.trim().slice(0, 40)));
      check(wide.length === 0, `${path}: stacked table cells fit 390 px`, wide);
    }
  }
  await ctx.close();
}
await browser.close();
done();
