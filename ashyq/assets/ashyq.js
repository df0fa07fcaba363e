/* Ashyq: draws the charts (Plotly, loaded only on pages with charts), makes tables sortable
   (tablesort), and runs the "find your station" box. Everything local; no requests elsewhere. */
(function () {
  "use strict";

  // The theme fetches "<alternate>/sitemap.xml" for every hreflang link in the head, to find the
  // same page in another language. Ours already lead to the same page (and a site has no sitemap
  // per page), so those requests end at once as failed, without touching the network: the theme
  // then lets the language switcher's links navigate as plain links.
  var open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.ashyqSitemap = /\/sitemap\.xml$/.test(String(url));
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (!this.ashyqSitemap) return send.apply(this, arguments);
    var request = this;
    setTimeout(function () { request.dispatchEvent(new Event("error")); }, 0);
  };

  function drawCharts(root) {
    if (typeof Plotly === "undefined") return;
    root.querySelectorAll(".ashyq-chart").forEach(function (div) {
      if (div.dataset.drawn) return;
      var script = div.nextElementSibling;
      if (!script || !script.classList.contains("ashyq-figure")) return;
      var figure = JSON.parse(script.textContent);
      div.dataset.drawn = "1";
      Plotly.newPlot(div, figure.data, figure.layout, {responsive: true, displayModeBar: false});
    });
  }

  function sortTables(root) {
    if (typeof Tablesort === "undefined") return;
    root.querySelectorAll("table.sortable").forEach(function (table) {
      if (table.dataset.sortable) return;
      table.dataset.sortable = "1";
      new Tablesort(table);
    });
  }

  // The station list is split by the first character of the number (find/<key>.json, see
  // pages/election.py index_key); only the file for what was typed is fetched.
  function indexKey(text) {
    var first = text.charAt(0).toLowerCase();
    return /^[a-z0-9]$/.test(first) ? first : "_";
  }

  function findStation(form) {
    var input = form.querySelector("input");
    var list = form.querySelector(".ashyq-find-results");
    var loaded = {};
    function load(key) {
      if (!loaded[key]) {
        loaded[key] = fetch(form.dataset.index + key + ".json").then(function (r) {
          return r.ok ? r.json() : [];
        }).catch(function () { return []; });
      }
      return loaded[key];
    }
    function show() {
      var query = input.value.trim().toLowerCase();
      list.textContent = "";
      if (!query) return;
      load(indexKey(query)).then(function (rows) {
        if (input.value.trim().toLowerCase() !== query) return;  // typed on meanwhile
        var exact = rows.filter(function (r) { return r[0].toLowerCase() === query; });
        var prefix = rows.filter(function (r) {
          return r[0].toLowerCase() !== query && r[0].toLowerCase().indexOf(query) === 0;
        });
        list.textContent = "";
        exact.concat(prefix).slice(0, 20).forEach(function (r) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = form.dataset.base + encodeURIComponent(r[2]) + "/";
          a.textContent = r[1] + (r[3] ? " — " + r[3] : "");
          li.appendChild(a);
          list.appendChild(li);
        });
      });
    }
    input.addEventListener("input", show);
  }

  function init() {
    drawCharts(document);
    sortTables(document);
    document.querySelectorAll("form.ashyq-find").forEach(findStation);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
