/* urbis search widget: a search-as-you-type box over urbisd's HTTP API
 * (docs/http.md). No dependencies. Put
 *   <link rel="stylesheet" href="https://HOST/widget.css">
 *   <div data-urbis data-endpoint="https://HOST" data-key="SITE-KEY"></div>
 *   <script src="https://HOST/widget.js" defer></script>
 * on a page; data-report-url="https://site/reports/{id}" makes each hit a
 * link to the partner's own page instead of the report view built in. */
(function () {
  "use strict";

  var RTL = { ar: 1, he: 1, fa: 1, ur: 1, yi: 1 };
  var FACETS = [["country", "Country"], ["lang", "Language"]];
  var counter = 0;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  function dirOf(lang) { return RTL[lang] ? "rtl" : "auto"; }

  function Widget(root) {
    var n = ++counter;
    this.root = root;
    this.endpoint = (root.getAttribute("data-endpoint") || "").replace(/\/$/, "");
    this.key = root.getAttribute("data-key") || "";
    this.reportUrl = root.getAttribute("data-report-url") || "";
    this.limit = +(root.getAttribute("data-limit") || 10);
    this.filters = {};          /* field -> {value: true} */
    this.counts = {};           /* field -> counts without its own filters */
    this.active = -1;           /* highlighted suggestion */
    this.timers = {};
    this.aborts = {};
    root.classList.add("urbis");

    var box = el("div", { "class": "urbis-box" });
    var label = el("label", { "for": "urbis-q-" + n, "class": "urbis-label" },
                   root.getAttribute("data-label") || "Search city reports");
    this.input = el("input", {
      id: "urbis-q-" + n, type: "search", dir: "auto", autocomplete: "off",
      spellcheck: "false", role: "combobox", "aria-autocomplete": "list",
      "aria-expanded": "false", "aria-controls": "urbis-list-" + n,
      placeholder: root.getAttribute("data-placeholder") || "refugee housing, València…"
    });
    this.list = el("ul", { id: "urbis-list-" + n, role: "listbox",
                           "class": "urbis-suggestions", "aria-label": "Suggestions" });
    this.list.hidden = true;
    box.appendChild(label);
    box.appendChild(this.input);
    box.appendChild(this.list);
    this.status = el("p", { "class": "urbis-status", role: "status", "aria-live": "polite" });
    this.facets = el("div", { "class": "urbis-facets" });
    this.results = el("ol", { "class": "urbis-results", "aria-label": "Results" });
    this.report = el("article", { "class": "urbis-report", tabindex: "-1" });
    this.report.hidden = true;
    [box, this.status, this.facets, this.results, this.report].forEach(function (c) {
      root.appendChild(c);
    });

    var self = this;
    this.input.addEventListener("input", function () { self.changed(); });
    this.input.addEventListener("keydown", function (e) { self.key_(e); });
    this.input.addEventListener("blur", function () {
      setTimeout(function () { self.close(); }, 150);
    });
    this.list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    this.list.addEventListener("click", function (e) {
      var li = e.target.closest("[role=option]");
      if (li) self.pick(+li.getAttribute("data-i"));
    });
  }

  Widget.prototype.url = function (path, params) {
    var q = [];
    if (this.key) params.push(["key", this.key]);
    params.forEach(function (p) {
      q.push(encodeURIComponent(p[0]) + "=" + encodeURIComponent(p[1]));
    });
    return this.endpoint + path + (q.length ? "?" + q.join("&") : "");
  };

  /* One request of each kind at a time: a newer one aborts the older. */
  Widget.prototype.fetch = function (kind, url, done) {
    if (this.aborts[kind]) this.aborts[kind].abort();
    var ctl = new AbortController(), self = this;
    this.aborts[kind] = ctl;
    fetch(url, { signal: ctl.signal }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; });
    }).then(function (r) {
      if (self.aborts[kind] === ctl) self.aborts[kind] = null;
      if (!r.ok) throw new Error(r.body.message || "HTTP " + r.status);
      done(r.body);
    }).catch(function (e) {
      if (e.name === "AbortError") return;
      self.status.textContent = "Search failed: " + e.message;
    });
  };

  Widget.prototype.later = function (kind, ms, fn) {
    clearTimeout(this.timers[kind]);
    this.timers[kind] = setTimeout(fn, ms);
  };

  Widget.prototype.changed = function () {
    var self = this, text = this.input.value;
    if (!text.trim()) {
      this.close();
      if (this.aborts.suggest) this.aborts.suggest.abort();
      return;
    }
    this.later("suggest", 120, function () {
      self.fetch("suggest", self.url("/suggest", [["q", text], ["limit", "6"]]),
                 function (j) { self.showSuggestions(j.suggestions || []); });
    });
    this.later("search", 300, function () { self.search(); });
  };

  Widget.prototype.showSuggestions = function (items) {
    var self = this;
    this.suggestions = items;
    this.active = -1;
    this.list.textContent = "";
    items.forEach(function (s, i) {
      var li = el("li", { id: self.list.id + "-" + i, role: "option",
                          "aria-selected": "false", "data-i": String(i), dir: "auto" });
      li.appendChild(el("span", { "class": "urbis-s-text" }, s.text));
      li.appendChild(el("span", { "class": "urbis-s-count" }, String(s.count)));
      self.list.appendChild(li);
    });
    var open = items.length > 0 && document.activeElement === this.input;
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", open ? "true" : "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Widget.prototype.close = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Widget.prototype.move = function (d) {
    var opts = this.list.children;
    if (this.list.hidden || !opts.length) return;
    if (this.active >= 0) opts[this.active].setAttribute("aria-selected", "false");
    this.active = (this.active + d + opts.length + 1) % (opts.length + 1) - 1;
    if (this.active < 0) this.active = d > 0 ? 0 : opts.length - 1;
    opts[this.active].setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", opts[this.active].id);
    opts[this.active].scrollIntoView({ block: "nearest" });
  };

  Widget.prototype.pick = function (i) {
    var s = this.suggestions && this.suggestions[i];
    if (!s) return;
    this.input.value = s.text;
    this.close();
    clearTimeout(this.timers.suggest);
    this.search();
  };

  Widget.prototype.key_ = function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); this.move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); this.move(-1); }
    else if (e.key === "Escape" && !this.list.hidden) {
      e.preventDefault(); /* a second Escape clears the box, as browsers do */
      this.close();
    }
    else if (e.key === "Enter") {
      e.preventDefault();
      if (this.active >= 0) this.pick(this.active);
      else { this.close(); this.search(); }
    }
  };

  /* filter= params for every chosen value, except those of field `but`. */
  Widget.prototype.filterParams = function (but) {
    var out = [];
    for (var f in this.filters)
      if (f !== but)
        for (var v in this.filters[f]) out.push(["filter", f + ":" + v]);
    return out;
  };

  Widget.prototype.search = function () {
    clearTimeout(this.timers.search);
    var self = this, text = this.input.value.trim(), filters = this.filterParams(null);
    if (!text && !filters.length) return;
    var params = [["q", text], ["limit", String(this.limit)], ["facets", "country,lang"]];
    this.counts = {};
    this.fetch("search", this.url("/search", params.concat(filters)), function (j) {
      self.showResults(j);
    });
    /* A field with chosen values counts its other values as if none were
     * chosen, so a second one can be added (values of a field are OR). */
    FACETS.forEach(function (fd) {
      var f = fd[0], others = self.filterParams(f);
      if (!Object.keys(self.filters[f] || {}).length || (!text && !others.length)) return;
      var p = [["q", text], ["limit", "0"], ["snippets", "0"], ["facets", f]];
      self.fetch("facet-" + f, self.url("/search", p.concat(others)), function (j) {
        self.counts[f] = (j.facets || {})[f] || {};
        if (self.lastFacets) self.showFacets(self.lastFacets);
      });
    });
  };

  Widget.prototype.showResults = function (j) {
    var self = this;
    this.report.hidden = true;
    this.results.hidden = false;
    this.status.textContent = "";
    if (j.corrected) {
      this.status.appendChild(document.createTextNode("Showing results for "));
      var b = el("button", { type: "button", "class": "urbis-corrected", dir: "auto" }, j.corrected);
      b.addEventListener("click", function () { self.input.value = j.corrected; self.search(); });
      this.status.appendChild(b);
      this.status.appendChild(document.createTextNode(" · "));
    }
    this.status.appendChild(document.createTextNode(
      j.total + (j.total === 1 ? " report" : " reports")));
    this.results.textContent = "";
    (j.hits || []).forEach(function (h) {
      var li = el("li", { "class": "urbis-hit", lang: h.lang || "", dir: dirOf(h.lang) });
      var a = el("a", { href: self.link(h.id), "class": "urbis-title" }, h.title || h.id);
      if (!self.reportUrl)
        a.addEventListener("click", function (e) { e.preventDefault(); self.open(h.id); });
      li.appendChild(a);
      var meta = [h.city, h.country, h.year, h.lang].filter(function (x) { return x; });
      li.appendChild(el("div", { "class": "urbis-meta" }, meta.join(" · ")));
      if (h.snippet) {
        var p = el("p", { "class": "urbis-snippet" });
        p.innerHTML = h.snippet; /* escaped by the server; only <b> is raw */
        li.appendChild(p);
      }
      self.results.appendChild(li);
    });
    this.lastFacets = j.facets || {};
    this.showFacets(this.lastFacets);
  };

  Widget.prototype.showFacets = function (facets) {
    var self = this, had = document.activeElement, refocus = null;
    var focused = this.facets.contains(had) && had.type === "checkbox"
      ? had.closest("fieldset").getAttribute("data-field") + ":" + had.value : null;
    this.facets.textContent = "";
    FACETS.forEach(function (fd) {
      var field = fd[0], chosen = self.filters[field] || {};
      var counts = self.counts[field] || facets[field] || {};
      var values = Object.keys(counts);
      for (var v in chosen) if (!(v in counts)) values.push(v);
      if (!values.length) return;
      var fs = el("fieldset", { "class": "urbis-facet", "data-field": field });
      fs.appendChild(el("legend", null, fd[1]));
      values.sort(function (a, b) { return (counts[b] || 0) - (counts[a] || 0) || (a < b ? -1 : 1); });
      values.forEach(function (v) {
        var lab = el("label", { dir: "auto" });
        var cb = el("input", { type: "checkbox", value: v });
        cb.checked = !!chosen[v];
        if (focused === field + ":" + v) refocus = cb;
        cb.addEventListener("change", function () {
          var m = self.filters[field] = self.filters[field] || {};
          if (cb.checked) m[v] = true; else delete m[v];
          self.search();
        });
        lab.appendChild(cb);
        lab.appendChild(document.createTextNode(" " + v + " "));
        lab.appendChild(el("span", { "class": "urbis-count" }, "(" + (counts[v] || 0) + ")"));
        fs.appendChild(lab);
      });
      self.facets.appendChild(fs);
    });
    if (refocus) refocus.focus(); /* keyboard users keep their place */
  };

  Widget.prototype.link = function (id) {
    if (this.reportUrl) return this.reportUrl.replace("{id}", encodeURIComponent(id));
    return this.url("/doc/" + encodeURIComponent(id), []);
  };

  /* The report view built in: the stored report as text. */
  Widget.prototype.open = function (id) {
    var self = this;
    this.fetch("doc", this.url("/doc/" + encodeURIComponent(id), []), function (d) {
      var r = self.report;
      r.textContent = "";
      r.setAttribute("lang", d.lang || "");
      r.setAttribute("dir", dirOf(d.lang));
      var back = el("button", { type: "button", "class": "urbis-back" }, "← Back to results");
      back.addEventListener("click", function () {
        r.hidden = true;
        self.results.hidden = false;
        self.input.focus();
      });
      r.appendChild(back);
      r.appendChild(el("h2", null, d.title || d.id));
      r.appendChild(el("div", { "class": "urbis-meta" },
        [d.city, d.country, d.year, (d.networks || []).join(", ")].filter(function (x) { return x; }).join(" · ")));
      (d.text || "").split(/\n{2,}/).forEach(function (para) {
        if (para.trim()) r.appendChild(el("p", null, para));
      });
      self.results.hidden = true;
      r.hidden = false;
      r.focus();
    });
  };

  function mountAll() {
    var nodes = document.querySelectorAll("[data-urbis]");
    for (var i = 0; i < nodes.length; i++)
      if (!nodes[i].urbis) nodes[i].urbis = new Widget(nodes[i]);
  }

  window.Urbis = { mount: function (root) { return root.urbis || (root.urbis = new Widget(root)); } };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
