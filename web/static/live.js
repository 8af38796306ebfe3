// The live view: the region's map and totals, updated over Server-Sent
// Events as listings are published or closed and matches are found. It
// starts in a task after the deferred scripts' (Leaflet's), and the map's
// data and the event stream each in one more, so the page never blocks
// input for long while it starts (issue 16: Lighthouse on a phone).
setTimeout(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || typeof L === "undefined") return;
  var labels = JSON.parse(document.getElementById("live-labels").textContent || "{}");
  var lang = root.dataset.lang;
  var colors = { surplus: "#e8590c", need: "#339af0", capacity: "#51cf66", facility: "#adb5bd" };
  // No tile fade: on a phone its animation frames blocked input (Lighthouse).
  var map = L.map("live-map", { zoomControl: false, attributionControl: true, fadeAnimation: false }).setView([parseFloat(root.dataset.lat), parseFloat(root.dataset.lon)], parseInt(root.dataset.zoom, 10) || 10);
  L.tileLayer(root.dataset.tiles, { attribution: esc(root.dataset.attribution), maxZoom: 18, subdomains: "abc" }).addTo(map);
  var layer = L.layerGroup().addTo(map);
  var markers = {};
  // Markers grow with the screen, like the type (1920 px wide = 1).
  var scale = Math.max(1, window.innerWidth / 1920);
  var fmt = new Intl.NumberFormat(lang === "en" ? "en-GB" : "nb-NO", { maximumFractionDigits: 0 });
  var fmt1 = new Intl.NumberFormat(lang === "en" ? "en-GB" : "nb-NO", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fractions(list) {
    return (list || []).map(function (f) { return (labels.fractions || {})[f] || f; }).join(", ");
  }
  function add(id, kind, lat, lon, approx, title, fresh) {
    remove(id);
    var m = approx
      ? L.circle([lat, lon], { radius: 550, color: colors[kind] || "#fff", weight: 2 * scale, fillOpacity: 0.35 })
      : L.circleMarker([lat, lon], { radius: (kind === "facility" ? 6 : 9) * scale, color: "#fff", weight: 1.5 * scale, fillColor: colors[kind] || "#888", fillOpacity: 0.95 });
    m.bindTooltip(esc(title));
    m.addTo(layer);
    markers[id] = m;
    if (fresh) pulse(m);
  }
  // pulse restarts a marker's highlight animation.
  function pulse(m) {
    var el = m && m.getElement && m.getElement();
    if (!el) return;
    el.classList.remove("pulse");
    el.getBoundingClientRect(); // reflow, so the animation starts again
    el.classList.add("pulse");
  }
  function remove(id) {
    if (markers[id]) { layer.removeLayer(markers[id]); delete markers[id]; }
  }
  // Listings published (id → listing) or closed (id → null) while the map
  // loads; applied after it, so a load never wipes out a newer event.
  var during = null;
  function loadMap() {
    during = {};
    fetch(root.dataset.map, { headers: { Accept: "application/geo+json" } }).then(function (r) { return r.json(); }).then(function (fc) {
      layer.clearLayers();
      markers = {};
      var pts = [];
      (fc.features || []).forEach(function (f) {
        var c = f.geometry.coordinates, p = f.properties;
        add(p.id, p.kind, c[1], c[0], !!p.approx, p.title, false);
        pts.push([c[1], c[0]]);
      });
      var seen = during || {};
      during = null;
      Object.keys(seen).forEach(function (id) {
        var l = seen[id];
        if (l) add(l.id, l.kind, l.area.lat, l.area.lon, !l.area.exact, l.title, false);
        else remove(id);
      });
      // The whole region's activity fills the screen, whatever its size.
      if (pts.length > 1) map.fitBounds(pts, { padding: [40 * scale, 40 * scale], maxZoom: 14 });
    }).catch(function () { during = null; });
  }
  function activity(kind, html) {
    var ol = document.getElementById("live-activity");
    var li = document.createElement("li");
    li.className = "new";
    li.innerHTML = '<span class="kind ' + kind + '">' + esc(kind === "match" ? labels.match : kind === "agreement" ? labels.agreement : (labels.kinds || {})[kind] || kind) + "</span> " + html;
    ol.insertBefore(li, ol.firstChild);
    while (ol.children.length > 12) ol.removeChild(ol.lastChild);
  }
  function setKPI(k, text) {
    var dd = document.querySelector('#live-kpis dd[data-k="' + k + '"]');
    if (!dd || dd.textContent === text) return;
    dd.textContent = text;
    dd.classList.remove("bump");
    void dd.offsetWidth;
    dd.classList.add("bump");
  }
  function amount(a) { // a band, never exact tonnes; fewer than 3 listings are not shown
    if (!a || a.suppressed) return labels.fewer || "< 3";
    return a.band || "0 t";
  }
  function stats(s) {
    setKPI("offered", amount(s.offered));
    setKPI("needed", amount(s.needed));
    setKPI("matches", fmt.format(s.matches));
    setKPI("rate", fmt.format(Math.round(s.match_rate * 100)) + " %");
    setKPI("open", fmt.format(s.open_listings));
    setKPI("co2", s.estimated_co2e_saved_tonnes == null ? (labels.fewer || "< 3") : fmt1.format(s.estimated_co2e_saved_tonnes) + " t");
    var r = s.realized; // realized figures (B5): a band, never exact tonnes; fewer than 3 agreements are not shown
    if (r) {
      setKPI("reused", r.reused_band || (r.suppressed ? labels.fewerAgreements : "0 t"));
      setKPI("rco2", r.co2e_saved_tonnes == null ? (r.suppressed ? labels.fewerAgreements : "–") : fmt1.format(r.co2e_saved_tonnes) + " t");
    }
  }
  var status = document.getElementById("live-status");
  function connected(on) {
    status.classList.toggle("on", on);
    status.querySelector(".text").textContent = on ? labels.live : labels.offline;
  }
  function connect() {
    var es = new EventSource(root.dataset.events);
    es.onopen = function () { connected(true); };
    es.onerror = function () { connected(false); };
    es.addEventListener("stats", function (e) { stats(JSON.parse(e.data)); });
    es.addEventListener("listing.published", function (e) {
      var d = JSON.parse(e.data).data || {};
      var l = d.listing;
      if (!l) return; // members-only: counted in the totals, not shown
      if (during) during[l.id] = l;
      var fresh = !markers[l.id];
      add(l.id, l.kind, l.area.lat, l.area.lon, !l.area.exact, l.title, true);
      if (fresh) activity(l.kind, esc(l.title) + '<br><span class="muted">' + esc(fractions(l.fractions)) + " · " + esc(l.quantity_band) + "</span>");
    });
    es.addEventListener("listing.closed", function (e) {
      var d = JSON.parse(e.data).data || {};
      if (during) during[d.id] = null;
      remove(d.id);
    });
    es.addEventListener("match.found", function (e) {
      var d = JSON.parse(e.data).data || {};
      if (d.members_only) { activity("match", ""); return; } // a match among members: only that it exists
      var saving = d.saving_kg_co2e > 0 ? esc(labels.saving) + " " + fmt.format(d.saving_kg_co2e) + " kg CO₂e" : "";
      activity("match", esc(fractions([d.fraction])) + " · " + esc(d.band) + '<br><span class="muted">' + saving + "</span>");
      [d.listing_id, d.counterpart_id].forEach(function (id) { pulse(markers[id]); });
    });
    es.addEventListener("agreement.sealed", function (e) { // "ny avtale: 20 000 t sprengstein, 7 km" (no parties)
      var d = JSON.parse(e.data).data || {};
      activity("agreement", esc(labels.agreement || "") + ": " + fmt.format(d.tonnes) + " t " + esc(fractions([d.fraction]).toLowerCase()) + (d.distance_km ? ", " + fmt.format(d.distance_km) + " km" : ""));
    });
    es.addEventListener("resync", loadMap);
    window.__masseflytLive = es;
  }
  function tick() {
    var el = document.getElementById("live-clock");
    el.textContent = new Date().toLocaleTimeString(lang === "en" ? "en-GB" : "nb-NO", { hour: "2-digit", minute: "2-digit" });
  }
  tick();
  setInterval(tick, 10000);
  setTimeout(loadMap, 0);
  setTimeout(connect, 0);
}, 0);
