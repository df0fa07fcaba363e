/* Ashyq: draws the charts (Plotly, loaded only on pages with charts), makes tables sortable
   (tablesort), and runs the "find your station" box. Everything local; no requests elsewhere. */
(function () {
  "use strict";

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
  // pages/election.py index_key); only the file for what was typed is fetched. Opened from disk
  // (the offline copy), fetch() is blocked: the same list is loaded as a script, find/<key>.js,
  // which files it under its own URL in window.__ashyqFind (publish/offline.py writes it).
  function indexKey(text) {
    var first = text.charAt(0).toLowerCase();
    return /^[a-z0-9]$/.test(first) ? first : "_";
  }

  function findStation(form) {
    var input = form.querySelector("input");
    var list = form.querySelector(".ashyq-find-results");
    var loaded = {};
    function loadScript(url) {
      return new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = url;
        script.onload = function () { resolve((window.__ashyqFind || {})[script.src] || []); };
        script.onerror = function () { resolve([]); };
        document.head.appendChild(script);
      });
    }
    function load(key) {
      if (!loaded[key]) {
        loaded[key] = location.protocol === "file:" ? loadScript(form.dataset.index + key + ".js")
          : fetch(form.dataset.index + key + ".json").then(function (r) {
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
          // From disk a folder opens as a listing: name its page.
          a.href = form.dataset.base + encodeURIComponent(r[2]) + "/" + (location.protocol === "file:" ? "index.html" : "");
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
