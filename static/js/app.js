// Small page behaviours for heroweb. Loaded with `defer` after htmx; no inline script anywhere (CSP).
(function () {
  "use strict";

  var TOAST_MS = 4000;

  function toast(text, kind) {
    var box = document.getElementById("toasts");
    if (!box || !text) return;
    var el = document.createElement("div");
    el.className = "toast" + (kind === "error" ? " error" : "");
    el.textContent = String(text); // never innerHTML: messages may echo user input
    box.appendChild(el);
    setTimeout(function () {
      el.classList.add("leaving");
      setTimeout(function () { el.remove(); }, 300);
    }, TOAST_MS);
  }
  window.heroToast = toast;

  // Server: HX-Trigger: {"toast": "Saved"} or {"toast": {"message": "...", "kind": "error"}}.
  document.body.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    if (typeof detail === "string") { toast(detail); return; }
    toast(detail.message || detail.value, detail.kind);
  });

  // Failures htmx does not swap (see htmx-config in base.html) still tell the user something.
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    var text = status === 403 ? "You are not allowed to do that."
      : status === 404 ? "That no longer exists; reload the page."
      : "The server answered " + status + "; nothing was changed.";
    toast(text, "error");
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast("The server is not reachable; nothing was changed.", "error");
  });

  // Escape cancels an inline edit: the row's [data-cancel] control (a link or button that
  // fetches the read-only row again) is clicked, so cancelling works the same with the mouse.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var target = event.target;
    if (!(target instanceof Element)) return;
    var editing = target.closest(".editing, [data-inline-edit]");
    if (!editing) return;
    var cancel = editing.querySelector("[data-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });

  // After a swap, focus the element marked [autofocus] inside the new content (inline edit rows).
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail && event.detail.elt;
    if (!(root instanceof Element)) return;
    var field = root.matches("[autofocus]") ? root : root.querySelector("[autofocus]");
    if (field && typeof field.focus === "function") field.focus();
  });

  // Close the user menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // ---- Dashboard (contexts and sessions pages) ----
  document.documentElement.classList.add("js");

  // The header's context switcher is a GET form; with JavaScript it goes on change.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.requestSubmit();
    }
  });

  // Copy a revealed secret: <button data-copy="#element-id">.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = source.textContent || "";
    var done = function () { toast("Copied to the clipboard."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { toast("Copy failed; select the text instead.", "error"); });
    } else {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { document.execCommand("copy"); done(); } catch (e) { toast("Press Ctrl+C to copy.", "error"); }
    }
  });

  // <time datetime="...Z"> is written in UTC; show it in the browser's own zone (UTC stays in the title).
  function localTimes(root) {
    (root || document).querySelectorAll("time[datetime]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime()) || el.dataset.localized) return;
      el.title = el.textContent;
      el.textContent = when.toLocaleString(undefined, {
        year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit"
      });
      el.dataset.localized = "1";
    });
  }
  localTimes(document);
  document.body.addEventListener("htmx:afterSettle", function () { localTimes(document); });
})();
