// The driver and gate app (issue 13, T5): each step (a departure, a
// release, a receipt) is queued on the phone, in IndexedDB, with its own
// idempotency key and the phone's time, and sent to the API when the phone
// is online: at once, when the network comes back, and every 15 seconds. A
// resend (the answer was lost, the page closed while sending) carries the
// same key, so the server answers with the first answer and never makes a
// second load. Photos wait as Blobs (not base64 text) and are encoded only
// when sent. Refused steps stay in the list with the server's reason. When
// a queued step is sent, the page's list of loads is read again. Where the
// browser has BarcodeDetector, a code field gets a button that reads the
// QR code with the camera; typing always works.
(function () {
  "use strict";
  var root = document.getElementById("haul");
  if (!root) return;
  setupScan();
  if (!window.indexedDB || !window.fetch || !window.Promise) return;
  var SLUG = root.dataset.slug;
  var LEGACY = "masseflyt-haul-" + SLUG; // the queue's old place (localStorage)
  var net = document.getElementById("haul-net");
  var list = document.getElementById("haul-queue");
  var empty = document.getElementById("haul-queue-empty");
  var syncing = false;
  var dbp = null;

  // The queue: one object store keyed by the idempotency key; each item
  // keeps its region (slug) and its order (seq).
  function db() {
    if (!dbp) {
      dbp = new Promise(function (ok, bad) {
        var r = indexedDB.open("masseflyt-haul", 1);
        r.onupgradeneeded = function () { r.result.createObjectStore("queue", { keyPath: "key" }); };
        r.onsuccess = function () { ok(r.result); };
        r.onerror = function () { bad(r.error); };
      });
    }
    return dbp;
  }
  function req(r) {
    return new Promise(function (ok, bad) {
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { bad(r.error); };
    });
  }
  async function store(mode) {
    return (await db()).transaction("queue", mode).objectStore("queue");
  }
  async function read() {
    var all = await req((await store("readonly")).getAll());
    return all.filter(function (it) { return it.slug === SLUG; }).sort(function (a, b) { return a.seq - b.seq; });
  }
  async function put(it) { await req((await store("readwrite")).put(it)); }
  async function del(key) { await req((await store("readwrite")).delete(key)); }
  // update changes one stored item (read again each time: another tab may
  // have changed it).
  async function update(key, fn) {
    var s = await store("readwrite");
    var it = await req(s.get(key));
    if (it) {
      fn(it);
      await req(s.put(it));
    }
    await render();
  }
  // A queue left in localStorage by an earlier version moves over once.
  async function migrate() {
    var old;
    try { old = JSON.parse(localStorage.getItem(LEGACY) || "null"); } catch (e) { old = null; }
    if (!old || !old.length) return;
    for (var i = 0; i < old.length; i++) {
      var it = old[i];
      it.slug = SLUG;
      it.seq = Date.now() + i;
      if (it.body && it.body.photos) { // base64 in the old queue: kept as it is
        it.photos64 = it.body.photos;
        delete it.body.photos;
      }
      await put(it);
    }
    localStorage.removeItem(LEGACY);
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function when(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleString(document.documentElement.lang || "nb", { dateStyle: "short", timeStyle: "medium" });
  }

  async function render() {
    var q = await read();
    list.innerHTML = "";
    q.slice().reverse().forEach(function (it) {
      var li = document.createElement("li");
      li.dataset.state = it.state;
      li.dataset.key = it.key;
      var h = "<strong>" + esc(it.label) + "</strong> – <span class=\"haul-state\">" + esc(root.dataset[it.state] || it.state) + "</span>";
      if (it.error) h += "<br>" + esc(it.error);
      h += "<br><small>" + esc(root.dataset.deviceTime) + ": " + esc(when(it.device_at));
      if (it.result && it.result.server_at) h += " · " + esc(root.dataset.serverTime) + ": " + esc(when(it.result.server_at));
      h += "</small>";
      var r = it.result;
      if (r) {
        if (r.status === "awaiting_release" && r.release_code) h += "<p>" + esc(root.dataset.releaseCode) + ": <span class=\"haul-show\">" + esc(r.release_code) + "</span></p>";
        if (r.status === "released" && r.code) h += "<p>" + esc(root.dataset.loadCode) + ": <span class=\"haul-show\">" + esc(r.code) + "</span></p>";
        if (r.id) h += "<p><a href=\"" + esc(root.dataset.base) + "/loads/" + esc(r.id) + "\">" + esc(r.number || root.dataset.open) + "</a></p>";
      }
      li.innerHTML = h;
      list.appendChild(li);
    });
    if (empty) empty.hidden = q.length > 0;
  }

  function showNet() {
    var on = navigator.onLine;
    net.textContent = on ? root.dataset.up : root.dataset.down;
    net.dataset.state = on ? "online" : "offline";
  }

  function num(v) {
    v = String(v).trim().replace(",", ".");
    if (v === "") return undefined;
    var f = Number(v);
    return isNaN(f) ? -1 : f;
  }
  // base64 of a Blob, when the step is sent.
  function base64(blob) {
    return new Promise(function (ok, bad) {
      var r = new FileReader();
      r.onload = function () { ok(String(r.result).split(",")[1] || ""); };
      r.onerror = function () { bad(r.error); };
      r.readAsDataURL(blob);
    });
  }
  function position(form) {
    return new Promise(function (ok) {
      var gps = form.querySelector("[data-gps]");
      if (!gps || !gps.checked || !navigator.geolocation) return ok(null);
      var done = false;
      var finish = function (p) { if (!done) { done = true; ok(p); } };
      setTimeout(function () { finish(null); }, 4000);
      navigator.geolocation.getCurrentPosition(function (p) { finish({ lat: p.coords.latitude, lon: p.coords.longitude }); }, function () { finish(null); }, { timeout: 4000, maximumAge: 60000 });
    });
  }

  // body reads a form as the API's JSON: numbers typed with a comma or a
  // point, the check steps as a list; the photos apart, as Blobs.
  function body(form) {
    var out = {}, checks = {}, order = [], files = [];
    var check = function (k) { return (checks[k] = checks[k] || { key: k, ok: true }); };
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || el.name === "_csrf" || el.name === "gps" || el.type === "submit") continue;
      if (el.type === "radio" && !el.checked) continue;
      var name = el.dataset.apiName || el.name;
      if (el.type === "file") {
        for (var j = 0; j < el.files.length; j++) files.push({ filename: el.files[j].name, blob: el.files[j].slice(0, el.files[j].size, el.files[j].type) });
      } else if (name === "check") {
        order.push(el.value);
        check(el.value);
      } else if (name.indexOf("check_") === 0) {
        check(name.slice(6)).ok = el.value !== "no";
      } else if (name.indexOf("note_") === 0) {
        if (el.value) check(name.slice(5)).note = el.value;
      } else if (el.hasAttribute("data-number")) {
        var n = num(el.value);
        if (n !== undefined) out[name] = n;
      } else if (el.value !== "") {
        out[name] = el.value;
      }
    }
    if (order.length) out.checks = order.map(function (k) { return checks[k]; });
    return { body: out, files: files };
  }

  // refreshLoads reads the page again and puts its list of loads in place
  // (the gate's expected loads, the driver's own), after a sent step.
  async function refreshLoads() {
    var cur = document.getElementById("haul-list");
    if (!cur) return;
    try {
      var res = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!res.ok) return;
      var doc = new DOMParser().parseFromString(await res.text(), "text/html");
      var fresh = doc.getElementById("haul-list");
      if (fresh) {
        cur.innerHTML = fresh.innerHTML;
        cur.dataset.refreshed = String(Date.now());
      }
    } catch (e) { /* offline again: the list waits for the next step */ }
  }

  async function sync() {
    if (syncing) return;
    syncing = true;
    var sentAny = false;
    try {
      var q = await read();
      for (var i = 0; i < q.length; i++) {
        var it = q[i];
        if (it.state !== "queued" || !navigator.onLine) continue;
        await update(it.key, function (x) { x.state = "sending"; });
        var res;
        try {
          var b = Object.assign({}, it.body);
          var photos = (it.photos64 || []).slice();
          for (var j = 0; j < (it.files || []).length; j++) photos.push({ filename: it.files[j].filename, data: await base64(it.files[j].blob) });
          if (photos.length) b.photos = photos;
          res = await fetch(it.url, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": it.key }, body: JSON.stringify(b) });
        } catch (e) {
          await update(it.key, function (x) { x.state = "queued"; });
          break; // offline after all: the rest waits too
        }
        if (res.status >= 500 || res.status === 408 || res.status === 429) {
          await update(it.key, function (x) { x.state = "queued"; });
          break;
        }
        var data = {};
        try { data = await res.json(); } catch (e) { data = {}; }
        await update(it.key, function (x) {
          delete x.body; // photos take room; the answer is what is kept
          delete x.files;
          delete x.photos64;
          if (res.ok) {
            x.state = "sent";
            x.result = { id: data.id, number: data.number, code: data.code, release_code: data.release_code, status: data.status, server_at: data.updated_at };
          } else {
            x.state = "refused";
            x.error = (data.title || res.status) + (data.errors ? " " + data.errors.map(function (e) { return e.message; }).join(" ") : "");
          }
        });
        if (res.ok) sentAny = true;
      }
    } finally {
      syncing = false;
    }
    if (sentAny) await refreshLoads();
  }

  // Keep the last 30 answered steps.
  async function prune() {
    var answered = (await read()).filter(function (x) { return x.state === "sent" || x.state === "refused"; });
    for (var i = 0; i < answered.length - 30; i++) await del(answered[i].key);
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-queue]"), function (form) {
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var btn = form.querySelector("[type=submit]");
      if (btn) btn.disabled = true;
      try {
        var r = body(form);
        var pos = await position(form);
        if (pos) { r.body.lat = pos.lat; r.body.lon = pos.lon; }
        r.body.device_at = new Date().toISOString();
        await put({ key: uuid(), slug: SLUG, seq: Date.now(), url: form.dataset.queue, body: r.body, files: r.files, label: form.dataset.label, state: "queued", device_at: r.body.device_at });
        await prune();
        form.reset();
      } catch (e) {
        net.textContent = String(e && e.name === "QuotaExceededError" ? root.dataset.refused : e);
      } finally {
        if (btn) btn.disabled = false;
      }
      await render();
      sync();
    });
  });

  (async function start() {
    try {
      await migrate();
      // A step left "sending" when the page closed is sent again, with its key.
      var q = await read();
      for (var i = 0; i < q.length; i++) if (q[i].state === "sending") await update(q[i].key, function (x) { x.state = "queued"; });
    } catch (e) { /* a private window without IndexedDB: the forms post */ }
    window.addEventListener("online", function () { showNet(); sync(); });
    window.addEventListener("offline", showNet);
    setInterval(sync, 15000);
    showNet();
    await render();
    sync();
  })();

  // setupScan gives each [data-scan] field a camera button where the
  // browser reads QR codes (BarcodeDetector); the code read fills the
  // field, and a find form is sent at once.
  function setupScan() {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    Array.prototype.forEach.call(document.querySelectorAll("input[data-scan]"), function (input) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "ds-button haul-scan";
      btn.dataset.variant = "secondary";
      btn.textContent = root.dataset.scan || "QR";
      btn.setAttribute("aria-controls", input.id);
      input.insertAdjacentElement("afterend", btn);
      btn.addEventListener("click", function () { scan(input); });
    });
  }
  async function scan(input) {
    var dialog = document.createElement("dialog");
    dialog.className = "haul-scanner";
    dialog.setAttribute("aria-label", root.dataset.scan || "QR");
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.muted = true;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "ds-button";
    close.dataset.variant = "secondary";
    close.textContent = root.dataset.scanClose || "×";
    dialog.appendChild(video);
    dialog.appendChild(close);
    document.body.appendChild(dialog);
    var stream = null, open = true;
    var stop = function () {
      open = false;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      if (dialog.open) dialog.close();
      dialog.remove();
      input.focus();
    };
    close.addEventListener("click", stop);
    dialog.addEventListener("cancel", stop);
    dialog.showModal();
    try {
      var det = new window.BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      await video.play();
      var look = async function () {
        if (!open) return;
        var codes = [];
        try { codes = await det.detect(video); } catch (e) { codes = []; }
        if (codes.length && codes[0].rawValue) {
          input.value = codes[0].rawValue.trim();
          var form = input.form;
          stop();
          if (form && input.hasAttribute("data-scan-submit")) {
            if (form.requestSubmit) form.requestSubmit(); else form.submit();
          }
          return;
        }
        setTimeout(look, 250);
      };
      look();
    } catch (e) {
      stop(); // no camera or no permission: the code is typed
    }
  }
})();
