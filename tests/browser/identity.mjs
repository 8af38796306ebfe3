// Production identity in a browser (issue 11), against the fake Kratos:
// register with an invited address, verify it (the invitation is
// accepted), log out and in, add TOTP, step up to AAL2 from the 403 page,
// perform an admin action (invite a supervisor), log out. Every
// self-service page passes axe-core (WCAG 2.1 AA) at 390 and 1280 px.
// PLATFORM is the platform's base URL; EXPECT carries the fake's codes and
// the invited address.
import { launch, check, done, axe, blankTiles } from "./lib.mjs";

const PLATFORM = process.env.PLATFORM;
const X = JSON.parse(process.env.EXPECT);
const shots = process.env.SHOTS;

const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: "block" });
await blankTiles(ctx);
const page = await ctx.newPage();
// Script errors (a refused 403 page is not one).
const errors = [];
page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text()); });
page.on("pageerror", (e) => errors.push(String(e)));

// axeBoth checks the page at a phone's width and at 1280 px.
async function axeBoth(what) {
  for (const w of [{ width: 390, height: 844 }, { width: 1280, height: 900 }]) {
    await page.setViewportSize(w);
    const v = await axe(page);
    for (const x of v) console.log("AXE  " + x.id + " " + what + " @" + w.width + " " + JSON.stringify(x.nodes));
    check(v.length === 0, "axe-core: " + what + " @" + w.width + " meets WCAG 2.1 AA", v.map((x) => x.id));
    if (shots) await page.screenshot({ path: shots + "/identity-" + what.replace(/[^a-z0-9]+/gi, "_") + "-" + w.width + ".png", fullPage: true });
  }
}

async function submit(group) {
  await Promise.all([page.waitForNavigation(), page.click(`form[data-group="${group}"] button[type="submit"]`)]);
}

const text = () => page.textContent("main");

// Register on the region's page, with the invited address.
let res = await page.goto(PLATFORM + "/t/baerum/registration");
check(res.status() === 200 && new URL(page.url()).pathname === "/registration", "registration page from Kratos' flow", page.url());
check((await page.title()).includes(X.tenant), "registration page in the region's branding", await page.title());
check((await text()).includes("Opprett konto med ID-porten"), "the OIDC provider shows without code");
await axeBoth("registration");
await page.fill('form[data-group="password"] input[name="traits.email"]', X.email);
await page.fill('form[data-group="password"] input[name="password"]', "et langt passord");
await submit("password");
check(new URL(page.url()).pathname === "/verification", "registration leads to verification", page.url());
await axeBoth("verification");

// A wrong code, then the right one.
await page.fill('form[data-group="code"] input[name="code"]', "000000");
await submit("code");
check((await text()).includes("Koden er ugyldig eller allerede brukt."), "a wrong verification code is refused in Norwegian");
await page.fill('form[data-group="code"] input[name="code"]', X.verifyCode);
await submit("code");
check((await text()).includes("E-postadressen er bekreftet."), "the address is verified");

// The invitation waited for the verified address: tenant admin now.
await page.goto(PLATFORM + "/t/baerum/me");
check((await text()).includes("regionadministrator"), "the invitation was accepted", await text());

// Log out and in again.
await page.goto(PLATFORM + "/auth/logout?return_to=" + encodeURIComponent(PLATFORM + "/t/baerum/"));
res = await page.goto(PLATFORM + "/t/baerum/login");
check(new URL(page.url()).pathname === "/login", "login page", page.url());
await axeBoth("login");
await page.fill('form[data-group="password"] input[name="identifier"]', X.email);
await page.fill('form[data-group="password"] input[name="password"]', "feil passord");
await submit("password");
check((await text()).includes("Feil e-post eller passord."), "a wrong password is refused in Norwegian");
await page.fill('form[data-group="password"] input[name="identifier"]', X.email);
await page.fill('form[data-group="password"] input[name="password"]', "et langt passord");
await submit("password");
check(new URL(page.url()).pathname === "/t/baerum/", "login returns to the region", page.url());

// The same person logs in on a second device.
const other = await (await browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: "block" })).newPage();
await other.goto(PLATFORM + "/t/baerum/login");
await other.fill('form[data-group="password"] input[name="identifier"]', X.email);
await other.fill('form[data-group="password"] input[name="password"]', "et langt passord");
await Promise.all([other.waitForNavigation(), other.click('form[data-group="password"] button[type="submit"]')]);
check(new URL(other.url()).pathname === "/t/baerum/", "logged in on a second device", other.url());

// Admin menu hidden at AAL1; settings: the other device listed, add TOTP.
check(!(await page.$('nav a[href="/t/baerum/admin"]')), "no admin menu at AAL1");
await page.goto(PLATFORM + "/t/baerum/settings");
check((await text()).includes("Autentiseringsapp (TOTP)"), "settings offer TOTP");
check((await page.locator("#h-sessions ~ .table-wrap tbody tr").count()) === 1, "settings list the session on the other device");
await axeBoth("settings");
await page.fill('form[data-group="totp"] input[name="totp_code"]', X.totpCode);
await submit("totp");
check((await text()).includes("Endringene er lagret."), "TOTP added");

// Log the other device out from here.
await Promise.all([page.waitForNavigation(), page.click('#h-sessions ~ .table-wrap button[type="submit"]')]);
check((await text()).includes("1 innlogging(er) på andre enheter er logget ut.") && (await text()).includes("Du er ikke logget inn på andre enheter."), "the other device is logged out", await text());
await other.goto(PLATFORM + "/t/baerum/me");
check(new URL(other.url()).pathname === "/login", "the other device must log in again", other.url());

// Step up from the admin page's offer.
res = await page.goto(PLATFORM + "/t/baerum/admin");
check(res.status() === 403, "admin page at AAL1 is refused", res.status());
await axeBoth("admin at AAL1");
await Promise.all([page.waitForNavigation(), page.click("main a.ds-button")]);
check((await text()).includes("Bekreft med andre faktor"), "the step-up page", page.url());
await axeBoth("step-up");
await page.fill('form[data-group="totp"] input[name="totp_code"]', "111111");
await submit("totp");
check((await text()).includes("Koden er feil."), "a wrong TOTP code is refused in Norwegian");
await page.fill('form[data-group="totp"] input[name="totp_code"]', X.totpCode);
await submit("totp");
check(new URL(page.url()).pathname === "/t/baerum/admin", "step-up returns to the admin page", page.url());
check(!!(await page.$('nav a[href="/t/baerum/admin"]')), "admin menu at AAL2");

// An admin action: invite a supervisor by an address nobody has verified.
await page.fill("#aemail", "tilsyn.ny@example.no");
await page.selectOption("#arole", "supervisor");
await Promise.all([page.waitForNavigation(), page.click('form.inline-form[action$="/admin/assignments"] button[type="submit"]')]);
check((await text()).includes("tilsyn.ny@example.no") && (await text()).includes("invitert, venter"), "the supervisor is invited, not refused");

// Recovery and an error page.
await page.goto(PLATFORM + "/t/baerum/recovery");
await axeBoth("recovery");
await page.goto(PLATFORM + "/t/baerum/error?id=00000000-0000-4000-a000-000000000000");
check((await text()).includes("Noe gikk galt under innloggingen."), "an unknown Kratos error, in Norwegian");
await axeBoth("error");

// Log out: member pages send the visitor to log in.
await page.goto(PLATFORM + "/auth/logout?return_to=" + encodeURIComponent(PLATFORM + "/t/baerum/"));
await page.goto(PLATFORM + "/t/baerum/me");
check(new URL(page.url()).pathname === "/login", "after logout, Min side asks to log in", page.url());

check(errors.length === 0, "no console errors", errors);
await browser.close();
done();
