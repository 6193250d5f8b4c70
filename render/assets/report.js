/* statusproof report: click a finding to see its run and its cells; filter the findings.
   Inline, no network, no storage; without it every section is still shown. */
(function () {
  "use strict";
  var doc = document;
  function byId(id) { return doc.getElementById(id); }
  function all(selector) { return Array.prototype.slice.call(doc.querySelectorAll(selector)); }
  function words(element, name) {
    var value = element.getAttribute(name);
    return value ? value.split(" ").filter(Boolean) : [];
  }
  var folded = byId("view-folded");
  var full = byId("view-full");
  var toggle = byId("show-mismatches");
  var selection = byId("selection");
  var selected = null;

  function fullShown() { return !!(full && full.open); }
  function showFull(on) {
    if (!full) { return; }
    full.open = on;
    if (folded) { folded.hidden = on; }
    if (toggle) { toggle.checked = on; }
    if (selected) { highlight(selected); }
  }
  function clear() {
    all(".hl").forEach(function (el) { el.classList.remove("hl"); });
    all(".selected").forEach(function (el) { el.classList.remove("selected"); });
    if (selection) { selection.textContent = ""; }
  }
  function highlight(row) {
    clear();
    var useFull = fullShown();
    var edges = words(row, useFull ? "data-full-edges" : "data-edges");
    var nodes = words(row, useFull ? "data-full-nodes" : "data-nodes");
    edges.concat(nodes, words(row, "data-cells")).forEach(function (id) {
      var el = byId(id);
      if (el) { el.classList.add("hl"); }
    });
    row.classList.add("selected");
    all('.point[data-finding="' + row.id.replace("finding-", "") + '"]').forEach(
      function (el) { el.classList.add("selected"); });
    if (selection) {
      selection.textContent = "Finding " + row.id.replace("finding-", "") + ": " +
        edges.length + " step(s) and " + nodes.length + " status(es) highlighted" +
        (row.getAttribute("data-needs-full") === "1" && useFull ?
          "; its run takes steps the columns contradict, so every step is drawn" : "") + ".";
    }
  }
  function select(row) {
    selected = row;
    if (row.getAttribute("data-needs-full") === "1" && !fullShown()) {
      showFull(true);
    } else {
      highlight(row);
    }
  }

  all("tr.finding").forEach(function (row) {
    row.tabIndex = 0;
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, summary, details")) { return; }
      select(row);
    });
    row.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(row); }
    });
  });
  all("a.show[data-finding]").forEach(function (link) {
    link.addEventListener("click", function () {
      var row = byId("finding-" + link.getAttribute("data-finding"));
      if (row) { select(row); }
    });
  });
  if (toggle) {
    toggle.addEventListener("change", function () { showFull(toggle.checked); });
  }
  if (full) {
    full.addEventListener("toggle", function () {
      if (folded) { folded.hidden = full.open; }
      if (toggle) { toggle.checked = full.open; }
      if (selected) { highlight(selected); }
    });
  }
  var clearButton = byId("clear-selection");
  if (clearButton) {
    clearButton.addEventListener("click", function () { selected = null; clear(); });
  }

  /* filters: severity, code, status */
  var code = byId("filter-code");
  var search = byId("filter-status");
  var count = byId("filter-count");
  function applyFilters() {
    var severities = {};
    all('input[name="severity"]').forEach(function (box) {
      severities[box.value] = box.checked;
    });
    var wanted = code ? code.value : "";
    var query = search ? search.value.trim().toLowerCase() : "";
    var rows = all("tr.finding");
    var shown = 0;
    rows.forEach(function (row) {
      var statuses = (row.getAttribute("data-statuses") || "").toLowerCase();
      var visible = !!severities[row.getAttribute("data-severity")] &&
        (!wanted || row.getAttribute("data-code") === wanted) &&
        (!query || statuses.indexOf(query) >= 0);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    all(".match").forEach(function (el) { el.classList.remove("match"); });
    all("tr.status").forEach(function (row) {
      var hit = !!query && row.getAttribute("data-name").toLowerCase().indexOf(query) >= 0;
      if (hit) {
        row.classList.add("match");
        words(row, "data-nodes").forEach(function (id) {
          var el = byId(id);
          if (el) { el.classList.add("match"); }
        });
      }
    });
    if (count) { count.textContent = shown + " of " + rows.length + " findings shown"; }
  }
  all('input[name="severity"]').forEach(function (box) {
    box.addEventListener("change", applyFilters);
  });
  if (code) { code.addEventListener("change", applyFilters); }
  if (search) { search.addEventListener("input", applyFilters); }
  ["filters", "controls"].forEach(function (id) {
    var el = byId(id);
    if (el) { el.hidden = false; }
  });
  applyFilters();
}());
