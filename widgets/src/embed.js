// The widget loader: /widgets/v1/embed.js (short cache). It knows the
// content-hashed bundle names of this build, turns
//   <script src=".../embed.js" data-tenant="baerum" data-widget="map"></script>
// into <masseflyt-map tenant="baerum"> right after the script tag, and loads
// the bundles for every <masseflyt-*> element on the page.
/* global __BUNDLES__ */
(function () {
  "use strict";
  var bundles = __BUNDLES__;
  var cur = document.currentScript;
  var base = cur && cur.src ? cur.src.replace(/[^/]*(\?.*)?$/, "") : "/widgets/v1/";
  var loaded = (window.__masseflytWidgets = window.__masseflytWidgets || {});
  function need(name) {
    if (loaded[name] || !bundles[name]) return;
    loaded[name] = true;
    var s = document.createElement("script");
    s.src = base + bundles[name];
    s.async = true;
    (document.head || document.documentElement).appendChild(s);
  }
  if (cur && cur.dataset && cur.dataset.widget && bundles[cur.dataset.widget]) {
    var el = document.createElement("masseflyt-" + cur.dataset.widget);
    var attrs = ["tenant", "kind", "fraction", "lang", "height", "base"];
    for (var i = 0; i < attrs.length; i++) {
      var v = cur.getAttribute("data-" + attrs[i]);
      if (v != null) el.setAttribute(attrs[i], v);
    }
    cur.parentNode.insertBefore(el, cur.nextSibling);
  }
  function scan() {
    for (var name in bundles) {
      if (document.querySelector("masseflyt-" + name)) need(name);
    }
  }
  scan();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
})();
