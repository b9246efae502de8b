// radsched — tiny progressive enhancement, no framework, no build step.
// Copy buttons: <button type="button" class="copy" data-copy="text to copy">Copy</button>
// or data-copy="#element-id" to copy that element's value / text.
(function () {
  "use strict";

  function textFor(button) {
    var spec = button.getAttribute("data-copy") || "";
    if (spec.charAt(0) === "#") {
      var el = document.getElementById(spec.slice(1));
      if (!el) return "";
      return "value" in el ? el.value : el.textContent;
    }
    return spec;
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return fallbackCopy(text);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    event.preventDefault();
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    copy(textFor(button)).then(function () {
      button.setAttribute("data-copied", "true");
      button.textContent = button.getAttribute("data-done") || "Copied";
    }, function () {
      button.textContent = "Copy failed";
    }).then(function () {
      window.setTimeout(function () {
        button.removeAttribute("data-copied");
        button.textContent = label;
      }, 2000);
    });
  });
})();
