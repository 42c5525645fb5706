/* paperprov reviewer's page. Inlined; the CSP allows it by its sha256.
   Builds a unit's details from the JSON in #pp-data with textContent only: no value from
   the record is ever parsed as markup, used as a URL or as an event handler. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pp-data").textContent);
  var units = data.units;
  var detail = document.getElementById("detail");
  var EVIDENCE_ORDER = ["marker", "sidecar", "trailer", "author-name", "session", "note", "git-ai", "agent-trace", "blame", "review"];
  var EVIDENCE_NAMES = {
    "marker": "Markers in the source", "sidecar": "provenance.yaml annotations", "trailer": "Commit trailers",
    "author-name": "Commit author names", "session": "Sessions", "note": "Notes (paperprov tag)",
    "git-ai": "git-ai authorship notes (line ranges)", "agent-trace": "Agent Trace records (line ranges)",
    "blame": "Blame: line counts", "review": "Review records"
  };
  var selected = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function unitName(i) {
    return units[i] ? units[i].display : "?";
  }

  function unitLink(i) {
    var a = el("a", "ulink", unitName(i));
    a.href = "#r" + Number(i);
    a.setAttribute("data-u", String(Number(i)));
    return a;
  }

  function field(dl, name, value) {
    if (value === undefined || value === null || value === "") { return; }
    dl.appendChild(el("dt", null, name));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
    dl.appendChild(dd);
  }

  function list(parent, title, items, render) {
    parent.appendChild(el("h3", null, title));
    if (!items || !items.length) {
      parent.appendChild(el("p", "src", "none"));
      return;
    }
    var ul = el("ul");
    items.forEach(function (item) {
      var li = el("li");
      render(li, item);
      ul.appendChild(li);
    });
    parent.appendChild(ul);
  }

  function evidence(parent, u) {
    var groups = {};
    u.evidence.forEach(function (e) { (groups[e.source] = groups[e.source] || []).push(e); });
    var sources = Object.keys(groups).sort(function (a, b) {
      var ia = EVIDENCE_ORDER.indexOf(a), ib = EVIDENCE_ORDER.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
    });
    if (!sources.length) { list(parent, "Evidence", [], null); return; }
    sources.forEach(function (s) {
      list(parent, (EVIDENCE_NAMES[s] || s), groups[s], function (li, e) {
        li.appendChild(document.createTextNode(e.detail));
        var where = e.commit ? "commit " + e.commit.slice(0, 12) : e.where;
        if (where) { li.appendChild(el("span", "src", " (" + where + ")")); }
      });
    });
  }

  function render(i) {
    var u = units[i];
    detail.textContent = "";
    detail.appendChild(el("h2", null, unitName(i)));
    if (u.title && u.label) { detail.appendChild(el("p", null, u.title)); }
    var dl = el("dl");
    field(dl, "kind", u.kind + (u.name && u.name.toLowerCase() !== u.kind ? " (" + u.name + ")" : ""));
    field(dl, "id", u.id);
    field(dl, "label", u.label);
    var where = el("a", null, u.file + ":" + u.lines[0] + "\u2013" + u.lines[1]);
    where.href = "#s" + Number(i);
    field(dl, "where", where);
    field(dl, "origin", u.origin + (u.ai_pct ? " (" + u.ai_pct + "% of lines from AI-tagged work)" : ""));
    field(dl, "decided by", u.decided_by);
    field(dl, "declared", u.declared);
    field(dl, "measured", u.measured);
    field(dl, "lines", u.lines_by_origin.filter(function (p) { return p[1]; })
      .map(function (p) { return p[1] + " " + p[0]; }).join(", "));
    field(dl, "agents", u.agents.join(", "));
    field(dl, "role", u.role);
    field(dl, "review", u.review);
    field(dl, "checks", u.check_status);
    if (u.parent !== null && u.parent !== undefined) { field(dl, u.kind === "proof" ? "proof of" : "in", unitLink(u.parent)); }
    detail.appendChild(dl);
    if (u.conflicts.length) {
      list(detail, "Conflicts", u.conflicts, function (li, c) { li.className = "bad"; li.textContent = c; });
    }
    evidence(detail, u);
    list(detail, "Reviews", u.reviews, function (li, r) {
      li.textContent = r.by + (r.stale ? " (stale: the text changed since)" : " (current)") +
        (r.commit ? " at " + r.commit.slice(0, 12) : "") + " [" + r.source + "]";
      if (r.stale) { li.className = "bad"; }
    });
    list(detail, "Claim checks", u.checks, function (li, c) {
      li.textContent = c.outcome + ": " + c.nodeid;
      if (c.outcome !== "passed") { li.className = "bad"; }
    });
    if (u.proofs.length) { list(detail, "Proofs", u.proofs, function (li, p) { li.appendChild(unitLink(p)); }); }
    if (u.rests_on) {
      list(detail, "Rests on (transitively)", u.rests_on, function (li, s) { li.appendChild(unitLink(s)); });
      list(detail, "Rested on by (transitively)", u.rested_by, function (li, s) { li.appendChild(unitLink(s)); });
      list(detail, "AI-drafted without a current review, here or below", u.unreviewed, function (li, s) {
        li.appendChild(unitLink(s));
      });
      list(detail, "Checks not passed, here or below", u.bad_checks, function (li, c) {
        li.className = "bad";
        li.appendChild(document.createTextNode(c.outcome + ": " + c.nodeid + " \u2014 "));
        if (c.unit !== null && c.unit !== undefined) { li.appendChild(unitLink(c.unit)); }
      });
    }
    detail.scrollTop = 0;
  }

  function mark(cls, indexes) {
    document.querySelectorAll("." + cls).forEach(function (e) { e.classList.remove(cls); });
    (indexes || []).forEach(function (i) {
      var n = document.getElementById("n" + Number(i));
      if (n) { n.classList.add(cls); }
    });
  }

  function show(i) {
    if (!(i >= 0 && i < units.length)) { return; }
    selected = i;
    render(i);
    document.querySelectorAll(".sel").forEach(function (e) { e.classList.remove("sel"); });
    ["n", "r", "s"].forEach(function (p) {
      var e = document.getElementById(p + i);
      if (e) { e.classList.add("sel"); }
    });
    var u = units[i];
    mark("dep", u.rests_on);
    mark("user", u.rested_by);
    document.querySelectorAll("path.edge.on").forEach(function (e) { e.classList.remove("on"); });
    document.querySelectorAll('path.edge[data-t="' + Number(i) + '"], path.edge[data-s="' + Number(i) + '"]')
      .forEach(function (e) { e.classList.add("on"); });
  }

  function target(ev) {
    var t = ev.target.closest ? ev.target.closest("[data-u]") : null;
    return t && !t.closest("#filters") ? t : null;
  }

  document.addEventListener("click", function (ev) {
    var t = target(ev);
    if (!t) { return; }
    var i = Number(t.getAttribute("data-u"));
    if (t.tagName === "A" && t.closest("#detail")) {
      ev.preventDefault();
      show(i);
      var n = document.getElementById("n" + i) || document.getElementById("r" + i);
      if (n && n.scrollIntoView) { n.scrollIntoView({block: "nearest", inline: "nearest"}); }
      return;
    }
    show(i);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" && ev.key !== " ") { return; }
    var t = target(ev);
    if (t && t.tagName !== "A") { ev.preventDefault(); show(Number(t.getAttribute("data-u"))); }
  });

  var origins = Array.prototype.slice.call(document.querySelectorAll("input.f-origin"));
  var onlyUnreviewed = document.getElementById("f-unreviewed");
  var onlyFailing = document.getElementById("f-failing");
  var count = document.getElementById("f-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#graph-svg .node, table.units tbody tr"));
  var edges = Array.prototype.slice.call(document.querySelectorAll("#graph-svg path.edge"));

  function applyFilters() {
    var allowed = {};
    origins.forEach(function (c) { allowed[c.value] = c.checked; });
    var hidden = {}, shown = 0, total = 0;
    rows.forEach(function (e) {
      var ok = allowed[e.getAttribute("data-o")] &&
        (!onlyUnreviewed.checked || e.getAttribute("data-ur") === "1") &&
        (!onlyFailing.checked || e.getAttribute("data-f") === "1");
      e.classList.toggle("hidden", !ok);
      if (e.tagName.toLowerCase() === "tr") { total += 1; shown += ok ? 1 : 0; }
      if (!ok) { hidden[e.getAttribute("data-u")] = true; }
    });
    edges.forEach(function (e) {
      e.classList.toggle("hidden", !!(hidden[e.getAttribute("data-s")] || hidden[e.getAttribute("data-t")]));
    });
    count.textContent = shown + " of " + total + " units shown";
  }

  origins.concat([onlyUnreviewed, onlyFailing]).forEach(function (c) { c.addEventListener("change", applyFilters); });
  applyFilters();

  var m = /^#[nrs](\d+)$/.exec(window.location.hash);
  if (m) { show(Number(m[1])); }
  window.requestAnimationFrame(function () {
    document.body.getBoundingClientRect();
    window.paperprovReady = window.performance.now();
    if (window.performance.mark) { window.performance.mark("paperprov-ready"); }
  });
})();
