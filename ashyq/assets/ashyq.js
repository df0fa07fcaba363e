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

  function findStation(form) {
    var input = form.querySelector("input");
    var list = form.querySelector(".ashyq-find-results");
    var index = null;
    function load() {
      if (index) return Promise.resolve(index);
      return fetch(form.dataset.index).then(function (r) { return r.json(); }).then(function (data) {
        index = data;
        return data;
      });
    }
    function show() {
      var query = input.value.trim().toLowerCase();
      list.textContent = "";
      if (!query) return;
      load().then(function (rows) {
        var hits = rows.filter(function (r) {
          return r[0].toLowerCase() === query;
        }).concat(rows.filter(function (r) {
          return r[0].toLowerCase() !== query &&
            (r[0].toLowerCase().indexOf(query) === 0 || r[1].toLowerCase().indexOf(query) !== -1);
        })).slice(0, 20);
        list.textContent = "";
        hits.forEach(function (r) {
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
    input.addEventListener("focus", function () { load(); });
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
