// Registers the tenant's service worker (offline page, cached assets), whose
// scope is the tenant's part of the site.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var m = document.querySelector('link[rel="manifest"]');
  if (!m) return;
  var sw = m.getAttribute("href").replace(/manifest\.webmanifest$/, "sw.js");
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(sw, { scope: sw.replace(/sw\.js$/, "") }).catch(function () {});
  });
})();
