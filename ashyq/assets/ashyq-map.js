/* Ashyq maps: draws each map block (render/maps.py) with Plotly scatter polygons over nothing (no
   tiles, nothing fetched). Loaded only by pages with a map, after the outlines script
   (assets/maps/<division>.js). Every text comes prepared from the page, in its language. */
(function () {
  "use strict";

  var CONFIG = {responsive: true, displayModeBar: false, scrollZoom: false, doubleClick: false};

  function layout(data, height) {
    return {
      height: height, margin: {l: 0, r: 0, t: 0, b: 0}, hovermode: "closest", dragmode: false,
      showlegend: false, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      xaxis: {visible: false, fixedrange: true},
      yaxis: {visible: false, fixedrange: true, scaleanchor: "x", scaleratio: data.aspect},
      hoverlabel: {namelength: 0}
    };
  }

  function regionTraces(data, shapes, m) {
    var np = data.notPublished;
    var small = [];
    data.regions.forEach(function (region, i) { if (region.dot) small.push(i); });
    var traces = data.regions.map(function (region, i) {
      var fill = data.measures[m].fill[i];
      var outline = shapes[region.code];
      var trace = {
        type: "scatter", mode: "lines", x: outline[0], y: outline[1], fill: "toself",
        fillcolor: fill || np.fill, line: {color: "#757575", width: 0.6},
        hoveron: "fills", hoverinfo: "text", text: region.hover[m], name: ""
      };
      if (!fill) trace.fillpattern = {shape: "/", fgcolor: np.hatch, bgcolor: np.fill, size: 7, solidity: 0.25};
      return trace;
    });
    // Cities are specks at country scale: a dot of their colour, to be seen, hovered and tapped.
    traces.push({
      type: "scatter", mode: "markers", name: "", hoverinfo: "text", customdata: small,
      x: small.map(function (i) { return data.regions[i].dot[0]; }),
      y: small.map(function (i) { return data.regions[i].dot[1]; }),
      text: small.map(function (i) { return data.regions[i].hover[m]; }),
      marker: {size: 11, color: small.map(function (i) { return data.measures[m].fill[i] || np.fill; }),
               symbol: small.map(function (i) { return data.measures[m].fill[i] ? "circle" : "circle-x"; }),
               line: {color: "#333333", width: 1}}
    });
    return traces;
  }

  function venueTraces(data, m) {
    var measure = data.measures[m];
    var shown = [], missing = [];
    data.venues.forEach(function (v, i) { (measure.fill[i] ? shown : missing).push(i); });
    function trace(indexes, colours) {
      return {
        type: "scatter", mode: "markers", x: indexes.map(function (i) { return data.venues[i].x; }),
        y: indexes.map(function (i) { return data.venues[i].y; }),
        text: indexes.map(function (i) {
          return data.venues[i].head + "<br>" + measure.label + ": " + data.venues[i].texts[m];
        }), hoverinfo: "text",
        customdata: indexes, name: "",
        marker: {size: indexes.map(function (i) { return data.venues[i].size; }), color: colours(indexes),
                 line: {color: "#333333", width: 0.5}, opacity: 0.9}
      };
    }
    var traces = [];
    if (data.outline) {
      traces.push({type: "scatter", mode: "lines", x: data.outline[0], y: data.outline[1], fill: "toself",
                   fillcolor: "#f4f4f4", line: {color: "#9e9e9e", width: 1}, hoverinfo: "skip", name: ""});
    }
    traces.push(trace(missing, function (ix) { return ix.map(function () { return data.notPublished.fill; }); }));
    traces.push(trace(shown, function (ix) { return ix.map(function (i) { return measure.fill[i]; }); }));
    return traces;
  }

  function setLegend(block, data, m) {
    var list = block.querySelector(".ashyq-map-legend");
    var keep = list.querySelector(".ashyq-map-np");
    list.textContent = "";
    data.measures[m].legend.forEach(function (item) {
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "ashyq-map-swatch";
      swatch.style.background = item[0];
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(item[1]));
      list.appendChild(li);
    });
    if (keep) list.appendChild(keep);
    var summary = data.measures[m].summary;
    block.querySelector("figcaption").textContent = summary;
    block.querySelector(".ashyq-map").setAttribute("aria-label", summary);
  }

  function draw(block) {
    if (block.dataset.drawn || typeof Plotly === "undefined") return;
    var inline = block.querySelector(".ashyq-map-data");
    var data = inline ? JSON.parse(inline.textContent) : (window.ashyqMapData || {})[block.dataset.map];
    if (!data) return;
    var isVenues = !!data.venues;
    var shapes = isVenues ? null : (window.ashyqBoundaries || {})[data.division];
    if (!isVenues && !shapes) return;
    block.dataset.drawn = "1";
    var div = block.querySelector(".ashyq-map");
    var select = block.querySelector("select");
    var m = data["default"];
    var height = Math.max(260, Math.min(520, Math.round(div.clientWidth * (data.height || 0.55))));
    var traces = function () { return isVenues ? venueTraces(data, m) : regionTraces(data, shapes, m); };
    Plotly.newPlot(div, traces(), layout(data, height), CONFIG);
    div.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      if (!point) return;
      var index = point.customdata !== undefined ? point.customdata : point.curveNumber;
      var item = isVenues ? data.venues[index] : data.regions[index];
      var url = item && item.url;
      if (url) window.location.href = url;
    });
    if (select) {
      select.addEventListener("change", function () {
        m = parseInt(select.value, 10);
        Plotly.react(div, traces(), layout(data, height), CONFIG);
        setLegend(block, data, m);
      });
    }
  }

  function init() {
    document.querySelectorAll(".ashyq-map-block").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
