/* Ashyq: draws the charts (Plotly, loaded only on pages with charts), makes tables sortable
   (tablesort). The finder box and the search are finder.js. Everything local; no requests elsewhere. */
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

  function init() {
    drawCharts(document);
    sortTables(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
