// The planned transports' map (#transportmap): a line per transport from
// its loading place to its delivery place, thicker for more loads, from
// the JSON the page embeds (#transportdata). The same transports are in
// the week calendar and the list below, for those without JavaScript.
(function () {
  "use strict";
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function init() {
    var el = document.getElementById("transportmap");
    var data = document.getElementById("transportdata");
    if (!el || !data || typeof L === "undefined") return;
    var items = [];
    try { items = JSON.parse(data.textContent) || []; } catch (e) { items = []; }
    var m = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], parseInt(el.dataset.zoom, 10) || 10);
    var url = el.dataset.tiles || "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    L.tileLayer(url, { attribution: el.dataset.attribution ? esc(el.dataset.attribution) : "&copy; OpenStreetMap", maxZoom: 18, subdomains: "abc" }).addTo(m);
    var bounds = [];
    items.forEach(function (it) {
      var a = [it.from.lat, it.from.lon], b = [it.to.lat, it.to.lon];
      // Corridors (the public aggregate) have no rhythm: their loads per
      // working week stand in for it.
      var n = it.loads_per_day || Math.max(1, Math.round((it.loads || 0) / 5));
      var w = Math.max(2, Math.min(10, 2 + Math.log(1 + n) * 2));
      var color = it.kind === "order" ? "#1864ab" : it.kind === "plan" ? "#d9480f" : "#5f3dc4";
      var line = L.polyline([a, b], { color: color, weight: w, opacity: 0.8 }).addTo(m);
      var title = it.kind === "corridor" ? esc(it.from.name) : esc(it.from.name) + " → " + esc(it.to.name);
      line.bindPopup("<strong>" + title + "</strong><br>" + esc((it.organizations || []).join(", ")) +
        "<br>" + esc(it.loads) + " " + esc(el.dataset.labelLoads));
      L.circleMarker(a, { radius: 5, color: "#000", weight: 1, fillColor: color, fillOpacity: 0.9 }).addTo(m);
      L.circleMarker(b, { radius: 5, color: "#000", weight: 1, fillColor: "#fff", fillOpacity: 0.9 }).addTo(m);
      bounds.push(a, b);
    });
    if (bounds.length) m.fitBounds(bounds, { padding: [30, 30], maxZoom: 13 });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
