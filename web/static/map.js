// Map pages: the directory map (#map, from the tenant's GeoJSON) and the
// site mini map (#sitemap). Progressive enhancement: the data is also listed
// on the sites page for those without JavaScript.
(function () {
  "use strict";
  // The tenant's tiles (data-tiles, data-attribution), else OpenStreetMap.
  function tileLayer(el) {
    var url = el.dataset.tiles || "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    var attribution = el.dataset.attribution ? esc(el.dataset.attribution) : "&copy; OpenStreetMap";
    return L.tileLayer(url, { attribution: attribution, maxZoom: 18, subdomains: "abc" });
  }
  var colors = { surplus: "#d9480f", need: "#1864ab", capacity: "#2b8a3e", project: "#862e9c", facility: "#495057" };

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function mini(el) {
    var p = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    var m = L.map(el, { scrollWheelZoom: false }).setView(p, 13);
    tileLayer(el).addTo(m);
    L.circleMarker(p, { radius: 9, color: "#000", weight: 2, fillColor: colors.facility, fillOpacity: 0.9 }).addTo(m);
  }

  function big(el) {
    var m = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], parseInt(el.dataset.zoom, 10) || 10);
    tileLayer(el).addTo(m);
    var layer = L.layerGroup().addTo(m);
    var form = document.getElementById("mapfilter");
    function label(kind) { return el.dataset["label" + kind.charAt(0).toUpperCase() + kind.slice(1)] || kind; }
    var pending = null, timer = null;
    function load() {
      var q = new URLSearchParams(new FormData(form));
      var sites = q.get("layer") === "sites";
      q.delete("layer");
      if (sites) { q.delete("fraction"); if (q.get("kind") && ["project", "facility"].indexOf(q.get("kind")) < 0) q.delete("kind"); }
      if (!sites) {
        // Issue 16: only what the screen shows, clustered by the server
        // when many (a region of 50 000 listings stays usable on a phone).
        var b = m.getBounds();
        q.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(4); }).join(","));
        q.set("zoom", String(m.getZoom()));
      }
      if (pending) pending.abort();
      pending = typeof AbortController === "function" ? new AbortController() : null;
      fetch((sites ? el.dataset.sites : el.dataset.listings) + "?" + q.toString(), { headers: { Accept: "application/geo+json" }, signal: pending ? pending.signal : undefined })
        .then(function (r) { return r.json(); })
        .then(function (fc) {
          layer.clearLayers();
          (fc.features || []).forEach(function (f) {
            var c = f.geometry.coordinates, p = f.properties;
            if (p.cluster) {
              var n = p.count, r = Math.min(28, 10 + Math.log(n) * 3);
              var mk = L.circleMarker([c[1], c[0]], { radius: r, color: "#000", weight: 1, fillColor: "#1f5f3f", fillOpacity: 0.75 })
                .bindTooltip(String(n), { permanent: true, direction: "center", className: "map-count" }).addTo(layer);
              mk.on("click", function () {
                var bb = p.bbox;
                if (bb && (bb[0] !== bb[2] || bb[1] !== bb[3])) m.fitBounds([[bb[1], bb[0]], [bb[3], bb[2]]], { padding: [20, 20] });
                else m.setView([c[1], c[0]], Math.min(18, m.getZoom() + 2));
              });
              return;
            }
            var isSite = sites || p.kind === "facility";
            var href = el.dataset.base + (isSite ? "/sites/" : "/listings/") + esc(p.id);
            var text = '<div class="map-popup"><a href="' + href + '">' + esc(p.title || p.name) + "</a><br>" + esc(label(p.kind));
            if (p.band) text += " · " + esc(p.band) + " · " + esc(p.period);
            if (p.organization_name) text += " · " + esc(p.organization_name);
            if (p.approx) text += "<br><em>" + esc(el.dataset.labelApprox) + "</em>";
            var style = { radius: p.kind === "facility" ? 6 : 8, color: "#000", weight: 1, fillColor: colors[p.kind] || "#555", fillOpacity: 0.85 };
            if (p.approx) { L.circle([c[1], c[0]], { radius: 550, color: colors[p.kind], weight: 1, fillOpacity: 0.25 }).bindPopup(text + "</div>").addTo(layer); return; }
            L.circleMarker([c[1], c[0]], style).bindPopup(text + "</div>").addTo(layer);
          });
        });
    }
    form.addEventListener("change", load);
    m.on("moveend", function () { clearTimeout(timer); timer = setTimeout(load, 150); });
    load();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    var b = document.getElementById("map");
    if (b) big(b);
    var s = document.getElementById("sitemap");
    if (s) mini(s);
  });
})();
