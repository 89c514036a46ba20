// Live log viewer (issue 4). One EventSource per page; the server sends batches of entries:
//   event "history" {entries: [...]}  (the recent part, on a fresh connection)
//   event "entries" {entries: [...]}  (new ones; the event id is the resume position)
// An entry is {t: epoch seconds, c: category, m: message, e: is error, p: position, s?: session}.
// No inline script and no innerHTML with log text (CSP, and logs are untrusted input).
(function () {
  "use strict";

  var root = document.getElementById("logview");
  if (!root) return;

  var MAX_ROWS = 5000; // rows kept in the DOM: a million-line log must not freeze the tab
  var OLDER_PAGE = 500;
  var merged = root.dataset.merged === "1";
  var urls = {
    stream: root.dataset.streamUrl,
    search: root.dataset.searchUrl,
    older: root.dataset.olderUrl,
    download: root.dataset.downloadUrl,
  };
  var rowsBox = document.getElementById("lv-rows");
  var followBtn = document.getElementById("lv-follow");
  var newCount = document.getElementById("lv-new-count");
  var statusEl = document.getElementById("lv-status");
  var banner = document.getElementById("lv-banner");
  var bannerText = document.getElementById("lv-banner-text");
  var level = document.getElementById("lv-level");
  var cat = document.getElementById("lv-cat");
  var cats = document.getElementById("lv-cats");
  var fromInput = document.getElementById("lv-from");
  var toInput = document.getElementById("lv-to");
  var fromEpoch = document.getElementById("lv-from-epoch");
  var toEpoch = document.getElementById("lv-to-epoch");
  var wrap = document.getElementById("lv-wrap");
  var download = document.getElementById("lv-download");
  var searchForm = document.getElementById("lv-search");
  var q = document.getElementById("lv-q");
  var searchClear = document.getElementById("lv-search-clear");
  var results = document.getElementById("lv-results");
  var resultsRows = document.getElementById("lv-results-rows");
  var resultsTitle = document.getElementById("lv-results-title");
  var resultsMore = document.getElementById("lv-results-more");

  var source = null; // the EventSource
  var following = true; // new entries are appended and the view sticks to the bottom
  var live = true; // the DOM's last row is the newest entry (false when showing an older window)
  var pending = []; // entries received while paused
  var pendingCount = 0;
  var loadingOlder = false;
  var olderDone = false;
  var knownCats = {};
  var searchNext = null;
  var lastSearch = "";

  // ---------------------------------------------------------------- rendering

  var ANSI_RE = /\x1b\[([0-9;]*)m/g;
  var OTHER_ESC_RE = /\x1b(?:\[[0-9;?]*[A-Za-z]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

  // SGR codes to CSS classes; text goes in with textContent, so nothing in a log can inject HTML.
  function appendAnsi(parent, text, highlight) {
    var state = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false };
    var last = 0;
    var match;
    ANSI_RE.lastIndex = 0;
    function emit(chunk) {
      if (!chunk) return;
      chunk = chunk.replace(OTHER_ESC_RE, "");
      var classes = [];
      if (state.fg !== null) classes.push("ansi-fg-" + state.fg);
      if (state.bg !== null) classes.push("ansi-bg-" + state.bg);
      if (state.bold) classes.push("ansi-bold");
      if (state.dim) classes.push("ansi-dim");
      if (state.italic) classes.push("ansi-italic");
      if (state.underline) classes.push("ansi-underline");
      var target = parent;
      if (classes.length) {
        target = document.createElement("span");
        target.className = classes.join(" ");
        parent.appendChild(target);
      }
      appendHighlighted(target, chunk, highlight);
    }
    while ((match = ANSI_RE.exec(text)) !== null) {
      emit(text.slice(last, match.index));
      last = ANSI_RE.lastIndex;
      var codes = match[1] === "" ? [0] : match[1].split(";").map(Number);
      for (var i = 0; i < codes.length; i++) {
        var c = codes[i];
        if (c === 0) state = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false };
        else if (c === 1) state.bold = true;
        else if (c === 2) state.dim = true;
        else if (c === 3) state.italic = true;
        else if (c === 4) state.underline = true;
        else if (c === 22) { state.bold = false; state.dim = false; }
        else if (c === 23) state.italic = false;
        else if (c === 24) state.underline = false;
        else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) state.fg = c;
        else if (c === 39) state.fg = null;
        else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) state.bg = c;
        else if (c === 49) state.bg = null;
        else if ((c === 38 || c === 48) && codes[i + 1] === 5) i += 2; // 256 colours: skipped
        else if ((c === 38 || c === 48) && codes[i + 1] === 2) i += 4; // true colour: skipped
      }
    }
    emit(text.slice(last));
  }

  function appendHighlighted(parent, text, needle) {
    if (!needle) { parent.appendChild(document.createTextNode(text)); return; }
    var lower = text.toLowerCase();
    var n = needle.toLowerCase();
    var at = 0;
    var i;
    while ((i = lower.indexOf(n, at)) !== -1) {
      if (i > at) parent.appendChild(document.createTextNode(text.slice(at, i)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(i, i + n.length);
      parent.appendChild(mark);
      at = i + n.length;
    }
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  var timeFormat = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });

  function stripAnsi(text) { return text.replace(ANSI_RE, "").replace(OTHER_ESC_RE, ""); }

  function makeRow(e, highlight) {
    var row = document.createElement("div");
    row.className = "lv-row" + (e.e ? " lv-err" : "");
    row.dataset.pos = e.p;
    row.dataset.t = e.t;
    if (e.s) row.dataset.src = e.s;
    var date = new Date(e.t * 1000);
    var time = document.createElement("a");
    time.className = "lv-time";
    time.href = permalink(e);
    time.title = date.toISOString() + " (permalink)";
    time.textContent = timeFormat.format(date); // the browser's time zone
    row.appendChild(time);
    if (merged) {
      var src = document.createElement("span");
      src.className = "lv-src";
      src.textContent = e.s || "";
      row.appendChild(src);
    }
    var c = document.createElement("span");
    c.className = "lv-cat";
    c.textContent = e.c;
    row.appendChild(c);
    var msg = document.createElement("span");
    msg.className = "lv-msg";
    appendAnsi(msg, e.m, highlight);
    row.appendChild(msg);
    var copy = document.createElement("button");
    copy.type = "button";
    copy.className = "lv-copy";
    copy.textContent = "Copy";
    copy.title = "Copy this line";
    row.appendChild(copy);
    if (e.c && !knownCats[e.c]) {
      knownCats[e.c] = true;
      var opt = document.createElement("option");
      opt.value = e.c;
      cats.appendChild(opt);
    }
    return row;
  }

  // In the merged view a permalink opens the entry in its own session's log.
  function permalink(e) {
    var hash = "#p=" + encodeURIComponent(e.p);
    if (!merged || !root.dataset.sessionLogUrl) return hash;
    return root.dataset.sessionLogUrl.replace("__session__", encodeURIComponent(e.s || "")) + hash;
  }

  function atBottom() {
    return rowsBox.scrollHeight - rowsBox.scrollTop - rowsBox.clientHeight < 40;
  }

  function scrollToEnd() { rowsBox.scrollTop = rowsBox.scrollHeight; }

  function clearRows() {
    rowsBox.textContent = "";
    olderDone = false;
  }

  function appendEntries(entries) {
    if (!entries.length) return;
    var frag = document.createDocumentFragment();
    for (var i = 0; i < entries.length; i++) frag.appendChild(makeRow(entries[i]));
    var empty = document.getElementById("lv-empty");
    if (empty) empty.remove();
    rowsBox.appendChild(frag);
    // Keep the DOM bounded: drop the oldest rows (scrolling up fetches them again).
    var extra = rowsBox.children.length - MAX_ROWS;
    if (extra > 0) {
      for (var j = 0; j < extra; j++) rowsBox.firstElementChild.remove();
      olderDone = false;
    }
  }

  function prependEntries(entries) {
    if (!entries.length) return;
    var before = rowsBox.scrollHeight;
    var frag = document.createDocumentFragment();
    for (var i = 0; i < entries.length; i++) frag.appendChild(makeRow(entries[i]));
    rowsBox.insertBefore(frag, rowsBox.firstChild);
    rowsBox.scrollTop += rowsBox.scrollHeight - before; // keep what the user looks at in place
    var extra = rowsBox.children.length - MAX_ROWS;
    if (extra > 0) {
      for (var j = 0; j < extra; j++) rowsBox.lastElementChild.remove();
      live = false; // the newest rows are gone from the DOM: "resume" reloads them
    }
  }

  // ---------------------------------------------------------------- follow / pause

  function setStatus(text) { statusEl.textContent = text; }

  function updateFollowButton() {
    followBtn.hidden = false;
    followBtn.setAttribute("aria-pressed", following ? "true" : "false");
    followBtn.querySelector(".lv-follow-label").textContent = following ? "Pause" : "Follow";
    newCount.hidden = following || pendingCount === 0;
    newCount.textContent = pendingCount > 9999 ? "9999+ new" : pendingCount + " new";
  }

  function pause() {
    if (!following) return;
    following = false;
    updateFollowButton();
  }

  function resume() {
    following = true;
    if (!live) { pending = []; pendingCount = 0; connect(); return; }
    var take = pending;
    pending = [];
    pendingCount = 0;
    appendEntries(take.length > MAX_ROWS ? take.slice(-MAX_ROWS) : take);
    updateFollowButton();
    scrollToEnd();
  }

  function onEntries(entries) {
    if (!entries.length) return;
    if (!following || !live) {
      pendingCount += entries.length;
      if (live) {
        pending = pending.concat(entries);
        if (pending.length > MAX_ROWS) pending = pending.slice(-MAX_ROWS);
      }
      updateFollowButton();
      return;
    }
    appendEntries(entries);
    scrollToEnd();
  }

  // ---------------------------------------------------------------- the stream

  function filterParams() {
    var params = new URLSearchParams();
    if (level.value) params.set("level", level.value);
    if (cat.value.trim()) params.set("cat", cat.value.trim());
    var from = fromInput.value ? Math.floor(new Date(fromInput.value).getTime() / 1000) : "";
    var to = toInput.value ? Math.floor(new Date(toInput.value).getTime() / 1000) : "";
    fromEpoch.value = from;
    toEpoch.value = to;
    if (from !== "") params.set("from", String(from));
    if (to !== "") params.set("to", String(to));
    return params;
  }

  function updateDownload() {
    var params = filterParams();
    var text = params.toString();
    download.href = urls.download + (text ? "?" + text : "");
  }

  function connect() {
    if (source) source.close();
    clearRows();
    live = true;
    banner.hidden = true;
    pending = [];
    pendingCount = 0;
    updateFollowButton();
    var params = filterParams();
    var url = urls.stream + (params.toString() ? "?" + params.toString() : "");
    setStatus("Connecting…");
    source = new EventSource(url);
    source.addEventListener("open", function () { setStatus("Live"); root.dataset.state = "live"; });
    source.addEventListener("error", function () {
      // The browser reconnects by itself and sends Last-Event-ID: nothing is lost or repeated.
      setStatus(source.readyState === EventSource.CLOSED ? "Disconnected" : "Reconnecting…");
      root.dataset.state = "reconnecting";
    });
    source.addEventListener("history", function (ev) {
      var data = JSON.parse(ev.data);
      announce(data.entries);
      if (!live) return; // a permalink window is on screen
      clearRows();
      appendEntries(data.entries);
      if (!data.entries.length) showEmpty();
      scrollToEnd();
      root.dataset.state = "live";
    });
    source.addEventListener("entries", function (ev) {
      var entries = JSON.parse(ev.data).entries;
      announce(entries);
      onEntries(entries);
    });
  }

  // Extension point for tests and integrations: every batch the stream delivers (history and
  // live, whether paused or not) as a bubbling "logview:entries" event on #logview,
  // detail = the entries array. The DOM keeps only MAX_ROWS rows, so it cannot tell what arrived.
  function announce(entries) {
    root.dispatchEvent(new CustomEvent("logview:entries", { bubbles: true, detail: entries }));
  }

  function showEmpty() {
    if (rowsBox.children.length) return;
    var p = document.createElement("p");
    p.className = "lv-empty muted";
    p.id = "lv-empty";
    p.textContent = "No log entries yet.";
    rowsBox.appendChild(p);
  }

  // ---------------------------------------------------------------- older entries on scroll up

  function firstPos() {
    if (!merged) {
      var first = rowsBox.querySelector(".lv-row");
      return first ? first.dataset.pos : null;
    }
    // Merged view: per session, the oldest row shown.
    var seen = {};
    var rows = rowsBox.querySelectorAll(".lv-row");
    for (var i = rows.length - 1; i >= 0; i--) seen[rows[i].dataset.src] = rows[i].dataset.pos;
    return Object.keys(seen).map(function (k) { return k + "=" + seen[k]; }).join(",");
  }

  function loadOlder() {
    if (loadingOlder || olderDone) return;
    var before = firstPos();
    if (!before) return;
    loadingOlder = true;
    var params = filterParams();
    params.set("before", before);
    params.set("n", String(OLDER_PAGE));
    fetch(urls.older + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        olderDone = data.done;
        prependEntries(data.entries);
      })
      .catch(function () { setStatus("Could not load older entries"); })
      .finally(function () { loadingOlder = false; });
  }

  rowsBox.addEventListener("scroll", function () {
    if (rowsBox.scrollTop < 200) loadOlder();
    if (atBottom()) {
      if (!following && live && rowsBox.dataset.userPaused !== "1") resume();
    } else if (following) {
      pause(); // scrolling up to read stops the view from jumping away
    }
  });

  followBtn.addEventListener("click", function () {
    if (following) { rowsBox.dataset.userPaused = "1"; pause(); }
    else { rowsBox.dataset.userPaused = "0"; resume(); }
  });

  // ---------------------------------------------------------------- search over the whole log

  function runSearch(more) {
    var text = q.value.trim();
    if (!text) { closeSearch(); return; }
    var params = filterParams();
    params.set("q", text);
    if (more && searchNext) params.set("before", searchNext);
    if (!more) { resultsRows.textContent = ""; lastSearch = text; }
    results.hidden = false;
    searchClear.hidden = false;
    resultsTitle.textContent = "Searching…";
    fetch(urls.search + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var frag = document.createDocumentFragment();
        data.entries.forEach(function (e) {
          var row = makeRow(e, lastSearch);
          row.classList.add("lv-result");
          frag.appendChild(row);
        });
        resultsRows.appendChild(frag);
        searchNext = data.next;
        resultsMore.hidden = !data.next;
        var count = resultsRows.children.length;
        resultsTitle.textContent = count + (data.next ? "+" : "") + " match" + (count === 1 ? "" : "es") +
          " for “" + lastSearch + "”, newest first";
      })
      .catch(function () { resultsTitle.textContent = "Search failed"; });
  }

  function closeSearch() {
    results.hidden = true;
    searchClear.hidden = true;
    resultsRows.textContent = "";
    searchNext = null;
    q.value = "";
  }

  searchForm.addEventListener("submit", function (ev) { ev.preventDefault(); runSearch(false); });
  resultsMore.addEventListener("click", function () { runSearch(true); });
  searchClear.addEventListener("click", closeSearch);

  // ---------------------------------------------------------------- permalinks

  function showAround(pos) {
    // A window of the log around one entry; live updates are counted, not shown.
    if (merged) return; // merged permalinks name a session: open that session's log instead
    live = false;
    following = false;
    updateFollowButton();
    banner.hidden = false;
    bannerText.textContent = "Showing the log around a linked entry.";
    var params = filterParams();
    var before = new URLSearchParams(params); before.set("before", pos); before.set("n", "100");
    var after = new URLSearchParams(params); after.set("after", pos); after.set("n", "400");
    Promise.all([
      fetch(urls.older + "?" + before.toString(), { credentials: "same-origin" }).then(function (r) { return r.json(); }),
      fetch(urls.older + "?" + after.toString(), { credentials: "same-origin" }).then(function (r) { return r.json(); }),
    ]).then(function (pages) {
      clearRows();
      appendEntries(pages[0].entries.concat(pages[1].entries));
      olderDone = pages[0].done;
      var target = rowsBox.querySelector('.lv-row[data-pos="' + CSS.escape(pos) + '"]');
      if (target) {
        target.classList.add("lv-target");
        target.scrollIntoView({ block: "center" });
      }
    }).catch(function () { setStatus("Could not load the linked entry"); });
  }

  function hashPos() {
    var m = /^#p=(.+)$/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }

  window.addEventListener("hashchange", function () {
    var pos = hashPos();
    if (pos) showAround(pos);
  });

  document.getElementById("lv-live").addEventListener("click", function () {
    history.replaceState(null, "", location.pathname + location.search);
    following = true;
    connect();
  });

  // ---------------------------------------------------------------- copy a line

  rowsBox.addEventListener("click", onCopy);
  resultsRows.addEventListener("click", onCopy);
  resultsRows.addEventListener("click", function (ev) {
    var link = ev.target.closest(".lv-time");
    if (link && !merged) {
      ev.preventDefault();
      location.hash = link.getAttribute("href").slice(1);
      showAround(hashPos()); // also when the hash did not change
    }
  });

  function onCopy(ev) {
    var btn = ev.target.closest(".lv-copy");
    if (!btn) return;
    var row = btn.closest(".lv-row");
    var text = stripAnsi(row.querySelector(".lv-msg").textContent);
    var line = row.querySelector(".lv-time").textContent + " " + row.querySelector(".lv-cat").textContent + " " + text;
    var done = function () { btn.textContent = "Copied"; setTimeout(function () { btn.textContent = "Copy"; }, 1200); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(line).then(done, function () { fallbackCopy(line); done(); });
    } else {
      fallbackCopy(line);
      done();
    }
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "lv-offscreen";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing else to try */ }
    area.remove();
  }

  // ---------------------------------------------------------------- filters and options

  [level, fromInput, toInput].forEach(function (el) {
    el.addEventListener("change", function () { updateDownload(); following = true; connect(); });
  });
  var catTimer = null;
  cat.addEventListener("input", function () {
    clearTimeout(catTimer);
    catTimer = setTimeout(function () { updateDownload(); following = true; connect(); }, 300);
  });
  wrap.addEventListener("change", function () { rowsBox.classList.toggle("wrap", wrap.checked); });
  document.getElementById("lv-filters").addEventListener("submit", function (ev) { ev.preventDefault(); });

  // ---------------------------------------------------------------- start

  updateDownload();
  connect();
  var initial = hashPos();
  if (initial) showAround(initial);
})();
