// <masseflyt-listings tenant="baerum" fraction="sprengstein" kind="surplus" lang="nb">
// A filterable list of a region's published listings, in the region's
// branding; each listing opens on the region's marketplace.
import { html, css, nothing } from "lit";
import { WidgetBase, load, refresh, brand, period, band, number, baseStyles } from "./common.js";

const PAGE = 25;

class MasseflytListings extends WidgetBase {
  static properties = {
    tenant: { type: String },
    kind: { type: String },
    fraction: { type: String },
    base: { type: String },
    lang: { type: String, reflect: true },
    _cfg: { state: true },
    _data: { state: true },
    _err: { state: true },
    _shown: { state: true },
  };

  static styles = [
    baseStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        padding: 0.6rem 0.75rem 0;
      }
      label {
        display: flex;
        flex-direction: column;
        font-size: 0.85rem;
        font-weight: 600;
        gap: 0.15rem;
      }
      .count {
        margin: 0.5rem 0.75rem 0.25rem;
        font-size: 0.9rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0 0.75rem;
        max-height: var(--mf-list-height, 420px);
        overflow: auto;
      }
      li {
        padding: 0.5rem 0;
        border-bottom: 1px solid #e1e4e6;
      }
      li a {
        font-weight: 600;
      }
      .meta {
        display: block;
        font-size: 0.88rem;
      }
      .more {
        margin: 0.5rem 0.75rem;
      }
    `,
  ];

  constructor() {
    super();
    this.kind = "";
    this.fraction = "";
    this._shown = PAGE;
  }

  willUpdate(changed) {
    if (changed.has("tenant") || changed.has("lang")) this._reload(false);
  }

  async _reload(again) {
    if (!this.tenant) return;
    const get = again ? refresh : load;
    try {
      const [cfg, data] = await Promise.all([load(this._base, this.tenant, "config", this.lang), get(this._base, this.tenant, "listings")]);
      this._cfg = cfg;
      this._data = data;
      this._err = null;
      brand(this, cfg);
    } catch (e) {
      this._err = e;
    }
  }

  _items() {
    const all = (this._data && this._data.listings) || [];
    return all.filter((l) => (!this.kind || l.kind === this.kind) && (!this.fraction || (l.fractions || []).includes(this.fraction)));
  }

  render() {
    const state = this._state(this._cfg && this._data);
    if (state) return state;
    const c = this._cfg, t = c.labels, items = this._items();
    return html`<section aria-labelledby="h">
      ${this._header(t.listings)}
      <form @submit=${(e) => e.preventDefault()} aria-label=${t.filters}>
        <label>${t.kind}
          <select @change=${(e) => { this.kind = e.target.value; this._shown = PAGE; }}>
            <option value="">${t.all}</option>
            ${c.kinds.filter((k) => k.code !== "facility").map((k) => html`<option value=${k.code} ?selected=${k.code === this.kind}>${k.name}</option>`)}
          </select>
        </label>
        <label>${t.fraction}
          <select @change=${(e) => { this.fraction = e.target.value; this._shown = PAGE; }}>
            <option value="">${t.all}</option>
            ${c.fractions.map((f) => html`<option value=${f.code} ?selected=${f.code === this.fraction}>${f.name}</option>`)}
          </select>
        </label>
      </form>
      <p class="count" role="status" aria-live="polite">${number(this.lang, items.length)} ${items.length === 1 ? t.listing_one : t.listing_many}</p>
      <ul>
        ${items.slice(0, this._shown).map(
          (l) => html`<li>
            <span class="kind ${l.kind}">${this._kindName(l.kind)}</span>
            <a href=${new URL(l.url, this._base + "/").href} target="_top">${l.title}</a>
            <span class="meta">${(l.fractions || []).map((f) => this._fracName(f)).join(", ")} · ${band(this.lang, l.quantity_band)} · ${period(this.lang, l.period)}</span>
            <span class="meta muted">${l.organization_name}</span>
          </li>`
        )}
      </ul>
      ${items.length > this._shown
        ? html`<button class="more" @click=${() => (this._shown += PAGE)}>${t.show_more} (${number(this.lang, items.length - this._shown)})</button>`
        : nothing}
      ${this._footer()}
    </section>`;
  }
}

if (!customElements.get("masseflyt-listings")) customElements.define("masseflyt-listings", MasseflytListings);
