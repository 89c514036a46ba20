// Small page behaviours for heroweb. Loaded with `defer` after htmx; no inline script anywhere (CSP).
(function () {
  "use strict";

  // Info goes after 4 s; an error stays longer (8 s) so it can be read, and either can be closed.
  var TOAST_MS = { info: 4000, error: 8000 };
  var TOAST_MAX = 3; // quick work (several saves in a row) must not bury the page: oldest go first

  function dismiss(el) {
    if (el.dataset.leaving) return;
    el.dataset.leaving = "1";
    clearTimeout(Number(el.dataset.timer));
    el.classList.add("leaving");
    setTimeout(function () { el.remove(); }, 300);
  }

  // Only a path on this site becomes a link (a toast must not send anyone elsewhere).
  function localPath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\";
  }

  function toast(text, kind, url) {
    var box = document.getElementById("toasts");
    if (!box || !text) return;
    kind = kind === "error" ? "error" : "info";
    var el = document.createElement("div");
    el.className = "toast" + (kind === "error" ? " error" : "");
    var body = document.createElement(localPath(url) ? "a" : "span");
    body.className = "toast-text";
    if (body instanceof HTMLAnchorElement) body.href = url;
    body.textContent = String(text); // never innerHTML: messages may echo user input
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { dismiss(el); });
    el.appendChild(body);
    el.appendChild(close);
    box.appendChild(el);
    var shown = box.querySelectorAll(".toast:not([data-leaving])");
    for (var i = 0; i < shown.length - TOAST_MAX; i++) dismiss(shown[i]);
    el.dataset.timer = String(setTimeout(function () { dismiss(el); }, TOAST_MS[kind]));
  }
  window.heroToast = toast;

  // Server: HX-Trigger: {"toast": "Saved"} or {"toast": {"message": "...", "kind": "error"}}.
  document.body.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    if (typeof detail === "string") { toast(detail); return; }
    toast(detail.message || detail.value, detail.kind, detail.url);
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

  // A message swapped into the page's top area (e.g. "Redis is not reachable") may be far above
  // the control the user is on: say it where they look too.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target instanceof Element && target.id === "messages" && target.textContent.trim()) {
      toast("Nothing was changed: see the message at the top of the page.", "error");
    }
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
    if (!field) { // an inline edit form without a marked field: its first one (so Escape works)
      var form = root.matches("[data-inline-edit]") ? root : root.querySelector("[data-inline-edit]");
      field = form ? form.querySelector("input:not([type=hidden]), textarea, select") : null;
    }
    if (!field || typeof field.focus !== "function") return;
    field.focus();
    // Chromium puts the caret before the value; editing usually appends or replaces the end.
    if (field instanceof HTMLInputElement && field.type === "text" || field instanceof HTMLTextAreaElement) {
      var end = field.value.length;
      field.setSelectionRange(end, end);
    }
  });

  // Saving or cancelling an inline edit replaces the element the keyboard was on; put the focus
  // back on the control that opened the edit (the row's "Edit", "Rotate", the section's "Edit")
  // instead of letting it fall to the top of the page.
  function controlName(el) { return el.getAttribute("aria-label") || (el.textContent || "").trim(); }
  var opener = null; // the last control that opened something: {section: id, name: its label}
  var returnTo = null; // set when an open edit is saved or cancelled
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!(elt instanceof Element)) return;
    var section = elt.closest("section[id]");
    if (!section) return;
    if (elt.closest(".editing, [data-inline-edit]")) {
      if (opener && opener.section === section.id) returnTo = opener;
    } else if (elt.matches("a, button")) {
      opener = { section: section.id, name: controlName(elt) };
    }
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (!returnTo) return;
    var section = document.getElementById(returnTo.section);
    if (!section || !(event.target instanceof Node) || !section.contains(event.target)) return;
    var name = returnTo.name;
    returnTo = null;
    if (section.querySelector(".editing, [data-inline-edit]")) return; // still open (an error)
    var controls = section.querySelectorAll("a, button");
    for (var i = 0; i < controls.length; i++) {
      if (controlName(controls[i]) === name) { controls[i].focus(); return; }
    }
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

  // Plain (non-htmx) forms that destroy something ask first: <form data-confirm="Delete x?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
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
