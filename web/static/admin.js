// Tenant admin: copy the embed code to the clipboard.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var b = e.target.closest("button.copy");
    if (!b) return;
    var t = document.getElementById(b.dataset.copy);
    t.select();
    var done = function () { b.setAttribute("aria-live", "polite"); b.textContent = "✓ " + b.textContent.replace(/^✓ /, ""); };
    if (navigator.clipboard) navigator.clipboard.writeText(t.value).then(done, function () { document.execCommand("copy"); done(); });
    else { document.execCommand("copy"); done(); }
  });
})();
