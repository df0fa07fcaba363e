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
      var after = script;
      if (figure.legend && figure.legend.length) after = addAfter(after, legend(figure.legend));
      var caption = div.parentNode.querySelector("figcaption");
      if (figure.export) addAfter(after, exportButtons(figure, caption ? caption.textContent : ""));
    });
  }

  function addAfter(node, added) {
    node.parentNode.insertBefore(added, node.nextSibling);
    return added;
  }

  // The legend as a list under the chart: it wraps on a phone and is never clipped. Names are text
  // (textContent), colours are the model's #rrggbb.
  function legend(items) {
    var list = document.createElement("ul");
    list.className = "ashyq-chart-legend";
    items.forEach(function (item) {
      var entry = document.createElement("li"), swatch = document.createElement("span");
      swatch.className = "ashyq-chart-swatch";
      swatch.style.backgroundColor = item[1];
      swatch.setAttribute("aria-hidden", "true");
      entry.appendChild(swatch);
      entry.appendChild(document.createTextNode(item[0]));
      list.appendChild(entry);
    });
    return list;
  }

  // Two buttons: the chart as PNG and as SVG, drawn by Plotly in the browser (no request), named
  // after the page's path and the chart (ASCII only). The file has the legend inside it.
  function exportButtons(figure, caption) {
    var bar = document.createElement("div");
    bar.className = "ashyq-chart-export";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", figure.export.label);
    ["png", "svg"].forEach(function (format) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button ashyq-chart-download";
      button.dataset.format = format;
      button.textContent = format.toUpperCase();
      button.setAttribute("aria-label", figure.export[format]);
      button.title = figure.export[format];
      button.addEventListener("click", function () { download(figure, caption, format); });
      bar.appendChild(button);
    });
    return bar;
  }

  function fileName(figure) {
    var path = window.location.pathname.replace(/\/index\.html$/, "").split("/").filter(Boolean);
    var name = path.concat([figure.export.name]).join("-");
    return name.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/-+/g, "-").replace(/^[-.]+|-+$/g, "").slice(0, 150) || "chart";
  }

  // Plotly reads a title as limited HTML: the caption stays text
  function plotlyText(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function download(figure, caption, format) {
    var data = JSON.parse(JSON.stringify(figure.data)), layout = JSON.parse(JSON.stringify(figure.layout)), width = 1000;
    // the chart's one-line summary as the file's title, so the picture says what it shows on its own
    if (caption) {
      layout.title = {text: plotlyText(caption), x: 0, xanchor: "left", pad: {l: 10}, font: {size: 13}};
      layout.margin = Object.assign({}, layout.margin, {t: 50});
      layout.height = (layout.height || 300) + 40;
    }
    var entries = (figure.legend || []).length;
    if (entries) {
      // the legend on the right of the file's chart, one entry per line
      layout.showlegend = true;
      layout.legend = {x: 1.02, y: 1, xanchor: "left", yanchor: "top", traceorder: "normal"};
      layout.height = Math.max(layout.height || 300, 22 * entries + 80);
      width = 1300;
      data.forEach(function (trace) { trace.showlegend = true; });
    }
    Plotly.downloadImage({data: data, layout: layout},
                         {format: format, width: width, height: layout.height || 400, filename: fileName(figure)});
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
