// Shared by the widgets: where the Masseflyt server is, tenant configuration
// (branding, tiles, labels in the chosen language) and the listing data.
// Requests never carry cookies and send nothing about the visitor.
import { LitElement, html, css, nothing } from "lit";

// The origin the widget script was loaded from (set while the bundle runs).
const current = document.currentScript;
export const SCRIPT_BASE = (() => {
  try {
    return current && current.src ? new URL(current.src).origin : location.origin;
  } catch (e) {
    return location.origin;
  }
})();

export const LANGS = [
  ["nb", "Bokmål"],
  ["nn", "Nynorsk"],
  ["en", "English"],
];

const cache = new Map();

async function getJSON(url) {
  const r = await fetch(url, { credentials: "omit", mode: "cors", cache: "no-cache", referrerPolicy: "strict-origin" });
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    body = null;
  }
  if (!r.ok) {
    const err = new Error((body && (body.detail || body.title)) || "HTTP " + r.status);
    err.status = r.status;
    throw err;
  }
  return body;
}

// load fetches (once per page and language) a tenant's config and data.
export function load(base, tenant, what, lang) {
  const url = base + "/widgets/v1/data/" + encodeURIComponent(tenant) + "/" + what + (lang ? "?lang=" + encodeURIComponent(lang) : "");
  if (!cache.has(url)) {
    const p = getJSON(url);
    p.catch(() => cache.delete(url));
    cache.set(url, p);
  }
  return cache.get(url);
}

// refresh fetches again (revalidated with the ETag by the browser cache).
export function refresh(base, tenant, what, lang) {
  const url = base + "/widgets/v1/data/" + encodeURIComponent(tenant) + "/" + what + (lang ? "?lang=" + encodeURIComponent(lang) : "");
  cache.delete(url);
  return load(base, tenant, what, lang);
}

export function pickLang(el) {
  const l = (el.getAttribute("lang") || "nb").toLowerCase();
  return LANGS.some(([c]) => c === l) ? l : "nb";
}

// Readable text on a brand colour: black or white, whichever contrasts more.
export function onColor(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return "#fff";
  const n = parseInt(m[1], 16);
  const lin = (c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  const L = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return (L + 0.05) / 0.05 > 1.05 / (L + 0.05) ? "#000" : "#fff";
}

export function brand(el, cfg) {
  el.style.setProperty("--mf-primary", cfg.color_primary);
  el.style.setProperty("--mf-on-primary", onColor(cfg.color_primary));
  el.style.setProperty("--mf-accent", cfg.color_accent);
}

// LOCALES are the Intl locales of each widget language, best first: a
// browser without Nynorsk data writes nn numbers and dates as Bokmål
// (the same separators), never as the browser's own language.
const LOCALES = { nb: ["nb-NO", "no"], nn: ["nn-NO", "nb-NO", "no"], en: ["en-GB"] };

const numberFormats = new Map();

// number writes n in lang's notation with at most `digits` decimals:
// "85 000" and "17,5" (nb, nn; the group separator is a no-break space),
// "85,000" and "17.5" (en). Every number a widget shows goes through it
// (counts, and the tonnes of quantity bands through band).
export function number(lang, n, digits = 0) {
  const key = lang + "/" + digits;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALES[lang] || LOCALES.nb, { maximumFractionDigits: digits });
    numberFormats.set(key, f);
  }
  return f.format(n);
}

// band writes a quantity band from the server ("1 000–5 000 t", written
// with no-break spaces whatever the language) with lang's digit grouping:
// "1,000–5,000 t" in English. Bands hold whole numbers only.
export function band(lang, s) {
  return (s || "").replace(/\d+(?:[\u00a0\u202f ]\d{3})*/g, (m) => number(lang, Number(m.replace(/\D/g, ""))));
}

export function month(lang, ym) {
  const [y, m] = (ym || "").split("-").map(Number);
  if (!y || !m) return ym || "";
  try {
    return new Intl.DateTimeFormat(LOCALES[lang] || LOCALES.nb, { month: "short", year: "numeric" }).format(new Date(Date.UTC(y, m - 1, 15)));
  } catch (e) {
    return ym;
  }
}

export function period(lang, p) {
  const [a, b] = (p || "").split("/");
  return a === b ? month(lang, a) : month(lang, a) + "–" + month(lang, b);
}

// Host-page styles stop at the shadow root; :host resets what would
// otherwise be inherited (fonts, colours, line height).
export const baseStyles = css`
  :host {
    all: initial;
    display: block;
    font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
    font-size: 16px;
    line-height: 1.45;
    color: #1b1b1b;
    background: #fff;
    border: 1px solid #c8ccd0;
    border-radius: 6px;
    overflow: hidden;
    --mf-primary: #1f5f3f;
    --mf-on-primary: #fff;
    --mf-accent: #b7791f;
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  header {
    display: flex;
    align-items: center;
    gap: 0.6rem;
    padding: 0.5rem 0.75rem;
    background: var(--mf-primary);
    color: var(--mf-on-primary);
  }
  header img {
    width: 32px;
    height: 32px;
    object-fit: contain;
    background: #fff;
    border-radius: 4px;
  }
  h2 {
    font-size: 1.05rem;
    margin: 0;
    flex: 1;
  }
  select,
  button {
    font: inherit;
    font-size: 0.95rem;
    padding: 0.3rem 0.4rem;
    border: 1px solid #6b7075;
    border-radius: 4px;
    background: #fff;
    color: #1b1b1b;
  }
  header select {
    border-color: var(--mf-on-primary);
  }
  a {
    color: #0b4f8a;
  }
  a:focus-visible,
  select:focus-visible,
  button:focus-visible,
  summary:focus-visible,
  [tabindex]:focus-visible {
    outline: 3px solid #f2b705;
    outline-offset: 2px;
  }
  .vh {
    position: absolute !important;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .muted {
    color: #50565c;
  }
  .msg {
    padding: 0.75rem;
  }
  footer {
    padding: 0.4rem 0.75rem;
    font-size: 0.85rem;
    border-top: 1px solid #e1e4e6;
    display: flex;
    justify-content: space-between;
    gap: 0.5rem;
    flex-wrap: wrap;
  }
  .kind {
    display: inline-block;
    font-size: 0.78rem;
    padding: 0 0.35rem;
    border-radius: 3px;
    color: #fff;
    font-weight: 600;
  }
  .kind.surplus {
    background: #a63c0b;
  }
  .kind.need {
    background: #1864ab;
  }
  .kind.capacity {
    background: #2b6b34;
  }
  .kind.facility {
    background: #495057;
  }
`;

export const KIND_COLORS = { surplus: "#c2410c", need: "#1864ab", capacity: "#2b8a3e", facility: "#495057" };

// WidgetBase is what both widgets share: where the server is, the
// language, a refresh every minute, the branded header with the language
// choice, and the loading and error states.
export class WidgetBase extends LitElement {
  get _base() {
    return (this.base || SCRIPT_BASE).replace(/\/$/, "");
  }

  connectedCallback() {
    super.connectedCallback();
    this.lang = pickLang(this);
    this._timer = setInterval(() => this._reload(true), 60000);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearInterval(this._timer);
  }

  _kindName(k) {
    return (this._cfg.kinds.find((x) => x.code === k) || { name: k }).name;
  }

  _fracName(f) {
    return (this._cfg.fractions.find((x) => x.code === f) || { name: f }).name;
  }

  // _state renders the error or loading state, or nothing once ready.
  _state(ready) {
    if (this._err) {
      // A refusal explains itself (in the page's language); other failures get the widget's message.
      const msg = this._err.status === 403 || !this._cfg ? this._err.message : this._cfg.labels.error;
      return html`<div class="msg" role="alert">${msg}</div>`;
    }
    if (!ready) return html`<div class="msg" role="status" aria-live="polite">…</div>`;
    return null;
  }

  _header(title) {
    const c = this._cfg, t = c.labels;
    return html`<header>
      ${c.logo_url ? html`<img src=${c.logo_url} alt="" />` : nothing}
      <h2 id="h">${c.name}: ${title}</h2>
      <label class="vh" for="lang">${t.language}</label>
      <select id="lang" @change=${(e) => (this.lang = e.target.value)}>
        ${LANGS.map(([code, name]) => html`<option value=${code} lang=${code} ?selected=${code === this.lang}>${name}</option>`)}
      </select>
    </header>`;
  }

  _footer() {
    const c = this._cfg;
    return html`<footer><a href=${c.marketplace_url} target="_top">${c.labels.open_marketplace}</a><span class="muted">Masseflyt</span></footer>`;
  }
}
