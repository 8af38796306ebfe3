// <masseflyt-map tenant="baerum" kind="surplus" fraction="leire" lang="nb" height="420">
// The region's live map of published listings and facilities (Leaflet, in
// Shadow DOM), with the same places as an accessible list.
import { html, css, unsafeCSS } from "lit";
import L from "leaflet";
import leafletCSS from "leaflet/dist/leaflet.css";
import { WidgetBase, load, refresh, brand, period, band, number, baseStyles, KIND_COLORS } from "./common.js";

class MasseflytMap extends WidgetBase {
  static properties = {
    tenant: { type: String },
    kind: { type: String },
    fraction: { type: String },
    base: { type: String },
    height: { type: Number },
    lang: { type: String, reflect: true },
    _cfg: { state: true },
    _fc: { state: true },
    _err: { state: true },
  };

  static styles = [
    baseStyles,
    unsafeCSS(leafletCSS),
    css`
      .map {
        width: 100%;
        height: var(--mf-map-height, 420px);
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem 0.9rem;
        padding: 0.4rem 0.75rem;
        font-size: 0.85rem;
        margin: 0;
        list-style: none;
      }
      .dot.surplus {
        background: ${unsafeCSS(KIND_COLORS.surplus)};
      }
      .dot.need {
        background: ${unsafeCSS(KIND_COLORS.need)};
      }
      .dot.capacity {
        background: ${unsafeCSS(KIND_COLORS.capacity)};
      }
      .dot.facility {
        background: ${unsafeCSS(KIND_COLORS.facility)};
      }
      .dot {
        display: inline-block;
        width: 0.8rem;
        height: 0.8rem;
        border-radius: 50%;
        border: 1px solid #000;
        vertical-align: -0.1rem;
        margin-right: 0.25rem;
      }
      details {
        padding: 0.3rem 0.75rem 0.5rem;
      }
      details ul {
        max-height: 240px;
        overflow: auto;
        padding-left: 1.1rem;
        margin: 0.3rem 0 0;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
      }
      .leaflet-container {
        font: inherit;
        font-size: 0.9rem;
      }
      .leaflet-container a {
        color: #0b4f8a;
      }
      .leaflet-control-attribution a {
        color: #0b4f8a;
      }
    `,
  ];

  constructor() {
    super();
    this.kind = "";
    this.fraction = "";
    this.height = 420;
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    if (this._map) {
      this._map.remove();
      this._map = null;
    }
  }

  willUpdate(changed) {
    if (changed.has("height")) {
      // CSSOM, not a style attribute: pages with a strict CSP allow it.
      this.style.setProperty("--mf-map-height", Math.max(200, Math.min(1200, this.height || 420)) + "px");
    }
    if (changed.has("tenant") || changed.has("lang") || changed.has("kind") || changed.has("fraction")) this._reload(false);
  }

  _what() {
    const q = new URLSearchParams();
    if (this.kind) q.set("kind", this.kind);
    if (this.fraction) q.set("fraction", this.fraction);
    // Issue 16: only the part the map shows, clustered by the server.
    if (this._view) {
      q.set("bbox", this._view.bbox);
      q.set("zoom", String(this._view.zoom));
    }
    const s = q.toString();
    return "map" + (s ? "?" + s : "");
  }

  // _viewOf is the bbox and zoom of the map, or, before it exists, of the
  // region's centre and zoom at this element's size.
  _viewOf(c) {
    let w, s, e, n, z;
    if (this._map) {
      const b = this._map.getBounds();
      [w, s, e, n, z] = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth(), this._map.getZoom()];
    } else {
      z = c.zoom;
      const deg = 360 / (256 * 2 ** z), half = [(this.offsetWidth || 600) / 2, (this.height || 420) / 2];
      const k = Math.cos((c.center[0] * Math.PI) / 180);
      [w, e] = [c.center[1] - half[0] * deg, c.center[1] + half[0] * deg];
      [s, n] = [c.center[0] - half[1] * deg * k, c.center[0] + half[1] * deg * k];
    }
    const clamp = (x, lim) => Math.max(-lim, Math.min(lim, x)).toFixed(4);
    return { bbox: [clamp(w, 180), clamp(s, 90), clamp(e, 180), clamp(n, 90)].join(","), zoom: Math.max(0, Math.min(22, Math.round(z))) };
  }

  async _reload(again) {
    if (!this.tenant) return;
    try {
      const cfg = await load(this._base, this.tenant, "config", this.lang);
      this._view = this._viewOf(cfg);
      const fc = await (again ? refresh : load)(this._base, this.tenant, this._what());
      this._cfg = cfg;
      this._fc = fc;
      this._err = null;
      brand(this, cfg);
    } catch (e) {
      this._err = e;
    }
  }

  updated() {
    if (!this._cfg || !this._fc) return;
    const el = this.renderRoot.querySelector(".map");
    if (!el) return;
    const c = this._cfg;
    if (!this._map || this._mapEl !== el) {
      if (this._map) this._map.remove();
      this._mapEl = el;
      this._map = L.map(el, { scrollWheelZoom: false, zoomControl: false }).setView(c.center, c.zoom);
      L.control.zoom({ zoomInTitle: c.labels.zoom_in, zoomOutTitle: c.labels.zoom_out }).addTo(this._map);
      L.tileLayer(c.tiles.url, { attribution: escapeHTML(c.tiles.attribution), maxZoom: 18, subdomains: "abc" }).addTo(this._map);
      this._layer = L.layerGroup().addTo(this._map);
      this._map.on("moveend", () => {
        clearTimeout(this._moved);
        this._moved = setTimeout(() => this._reload(true), 200);
      });
      // A map in a shadow root learns its size after layout.
      requestAnimationFrame(() => this._map && this._map.invalidateSize());
    }
    if (this._drawn === this._fc) return;
    this._drawn = this._fc;
    this._layer.clearLayers();
    for (const f of this._fc.features || []) {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      const color = KIND_COLORS[p.kind] || "#555";
      const popup = () => this._popup(p);
      if (p.cluster) {
        const m = L.circleMarker([lat, lon], { radius: Math.min(28, 10 + Math.log(p.count) * 3), color: "#000", weight: 1, fillColor: "#1f5f3f", fillOpacity: 0.75 })
          .bindTooltip(String(p.count), { permanent: true, direction: "center" })
          .addTo(this._layer);
        const b = p.bbox;
        m.on("click", () => (b[0] !== b[2] || b[1] !== b[3] ? this._map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [20, 20] }) : this._map.setView([lat, lon], this._map.getZoom() + 2)));
        continue;
      }
      if (p.approx) {
        L.circle([lat, lon], { radius: 550, color, weight: 1, fillOpacity: 0.3 }).bindPopup(popup).addTo(this._layer);
      } else {
        L.circleMarker([lat, lon], { radius: p.kind === "facility" ? 6 : 8, color: "#000", weight: 1, fillColor: color, fillOpacity: 0.9 })
          .bindPopup(popup)
          .addTo(this._layer);
      }
    }
  }

  _url(p) {
    const c = this._cfg;
    return c.marketplace_url + (p.kind === "facility" ? "/sites/" : "/listings/") + encodeURIComponent(p.id);
  }

  _popup(p) {
    const c = this._cfg, t = c.labels;
    const div = document.createElement("div");
    const a = document.createElement("a");
    a.href = this._url(p);
    a.target = "_top";
    a.textContent = p.title || "";
    div.append(a, document.createElement("br"), this._describe(p));
    if (p.approx) {
      const em = document.createElement("em");
      em.textContent = t.approx;
      div.append(document.createElement("br"), em);
    }
    return div;
  }

  _describe(p) {
    const kind = this._kindName(p.kind);
    const fr = (p.fractions || []).map((f) => this._fracName(f)).join(", ");
    return [kind, fr, band(this.lang, p.band), p.period ? period(this.lang, p.period) : ""].filter(Boolean).join(" · ");
  }

  render() {
    const state = this._state(this._cfg && this._fc);
    if (state) return state;
    const c = this._cfg, t = c.labels, feats = this._fc.features || [];
    const kinds = c.kinds.filter((k) => !this.kind || k.code === this.kind);
    return html`<section aria-labelledby="h">
      ${this._header(t.map)}
      <div class="map" role="region" aria-label=${t.map_label}></div>
      <ul class="legend" aria-label=${t.legend}>
        ${kinds.map((k) => html`<li><span class="dot ${k.code}"></span>${k.name}</li>`)}
      </ul>
      <details>
        <summary>${t.as_list} (${number(this.lang, feats.length)})</summary>
        <ul>
          ${feats.map((f) =>
            f.properties.cluster
              ? html`<li>${number(this.lang, f.properties.count)} ${t.cluster}</li>`
              : html`<li><a href=${this._url(f.properties)} target="_top">${f.properties.title}</a> <span class="muted">${this._describe(f.properties)}</span></li>`,
          )}
        </ul>
      </details>
      ${this._footer()}
    </section>`;
  }
}

function escapeHTML(s) {
  return String(s || "").replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]);
}

if (!customElements.get("masseflyt-map")) customElements.define("masseflyt-map", MasseflytMap);
