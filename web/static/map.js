// Map pages: the directory map (#map, from the tenant's GeoJSON) and the
// site mini map (#sitemap). Progressive enhancement: the data is also listed
// on the sites page for those without JavaScript.
(function () {
  "use strict";
  var tiles = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png";
  var attribution = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>';
  var colors = { project: "#d9480f", facility: "#1864ab" };

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function mini(el) {
    var p = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    var m = L.map(el, { scrollWheelZoom: false }).setView(p, 13);
    L.tileLayer(tiles, { attribution: attribution, maxZoom: 18 }).addTo(m);
    L.circleMarker(p, { radius: 9, color: "#000", weight: 2, fillColor: colors.facility, fillOpacity: 0.9 }).addTo(m);
  }

  function big(el) {
    var m = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], parseInt(el.dataset.zoom, 10) || 10);
    L.tileLayer(tiles, { attribution: attribution, maxZoom: 18 }).addTo(m);
    var layer = L.layerGroup().addTo(m);
    var form = document.getElementById("mapfilter");
    function load() {
      var q = new URLSearchParams(new FormData(form));
      fetch(el.dataset.geojson + "?" + q.toString(), { headers: { Accept: "application/geo+json" } })
        .then(function (r) { return r.json(); })
        .then(function (fc) {
          layer.clearLayers();
          (fc.features || []).forEach(function (f) {
            var c = f.geometry.coordinates, p = f.properties;
            var label = p.kind === "project" ? el.dataset.labelProject : el.dataset.labelFacility;
            L.circleMarker([c[1], c[0]], { radius: 8, color: "#000", weight: 1, fillColor: colors[p.kind] || "#555", fillOpacity: 0.85 })
              .bindPopup('<div class="map-popup"><a href="' + el.dataset.base + "/sites/" + esc(p.id) + '">' + esc(p.name) + "</a><br>" +
                esc(label) + " · " + esc(p.organization_name) + "</div>")
              .addTo(layer);
          });
        });
    }
    form.addEventListener("change", load);
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
