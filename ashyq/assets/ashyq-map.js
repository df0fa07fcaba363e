/* Ashyq maps: draws each map block (render/maps.py) with Plotly scatter traces over nothing (no
   tiles, nothing outside the site fetched). Loaded only by pages with a map, after the script with
   the map's shapes (assets/maps/<division>.js); a venue map's points (elections/<id>/venues-<contest>.js)
   are fetched here when the map nears the screen. Every text comes
   prepared from the page, in its language: this script only draws, switches and follows links. */
(function () {
  "use strict";
  if (window.ashyqMaps) return;  // a page with two maps names this script twice: it runs once
  window.ashyqMaps = true;

  var CONFIG = {responsive: true, displayModeBar: false, scrollZoom: false, doubleClick: false};

  function layout(map, height) {
    return {
      height: height, margin: {l: 0, r: 0, t: 0, b: 0}, hovermode: "closest", dragmode: false,
      showlegend: false, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      xaxis: {visible: false, fixedrange: true},
      yaxis: {visible: false, fixedrange: true, scaleanchor: "x", scaleratio: map.aspect},
      hoverlabel: {namelength: 0}
    };
  }

  // Regions: one filled outline per region; cities also get a dot, to be seen and tapped.
  function regionTraces(map, m) {
    var np = map.notPublished, fills = map.measures[m].fill, small = [];
    var traces = map.regions.map(function (region, i) {
      if (region.dot) small.push(i);
      var outline = map.shapes[region.code];
      var trace = {
        type: "scatter", mode: "lines", x: outline[0], y: outline[1], fill: "toself",
        fillcolor: fills[i] || np.fill, line: {color: "#757575", width: 0.6},
        hoveron: "fills", hoverinfo: "text", text: region.hover[m], name: ""
      };
      if (!fills[i]) trace.fillpattern = {shape: "/", fgcolor: np.hatch, bgcolor: np.fill, size: 7, solidity: 0.25};
      return trace;
    });
    traces.push({
      type: "scatter", mode: "markers", name: "", hoverinfo: "text", customdata: small,
      x: small.map(function (i) { return map.regions[i].dot[0]; }),
      y: small.map(function (i) { return map.regions[i].dot[1]; }),
      text: small.map(function (i) { return map.regions[i].hover[m]; }),
      marker: {size: 11, color: small.map(function (i) { return fills[i] || np.fill; }),
               symbol: small.map(function (i) { return fills[i] ? "circle" : "circle-x"; }),
               line: {color: "#333333", width: 1}}
    });
    return traces;
  }

  // Venues: a point each, grey where nothing was published for what is shown.
  function venueTraces(map, m) {
    var measure = map.measures[m], shown = [], missing = [];
    map.show.forEach(function (i) { (measure.fill[i] ? shown : missing).push(i); });
    function trace(indexes, colour) {
      return {
        type: "scatter", mode: "markers", name: "", hoverinfo: "text", customdata: indexes,
        x: indexes.map(function (i) { return map.venues[i].x; }),
        y: indexes.map(function (i) { return map.venues[i].y; }),
        text: indexes.map(function (i) {
          return map.venues[i].head + "<br>" + measure.label + ": " + map.venues[i].texts[m];
        }),
        marker: {size: indexes.map(function (i) { return map.venues[i].size; }), color: indexes.map(colour),
                 line: {color: "#333333", width: 0.5}, opacity: 0.9}
      };
    }
    return [trace(missing, function () { return map.notPublished.fill; }),
            trace(shown, function (i) { return measure.fill[i]; })];
  }

  function heightRatio(map) {
    if (!map.venues) return map.height;
    var xs = map.show.map(function (i) { return map.venues[i].x; });
    var ys = map.show.map(function (i) { return map.venues[i].y; });
    var width = Math.max(Math.max.apply(null, xs) - Math.min.apply(null, xs), 0.001);
    var ratio = (Math.max.apply(null, ys) - Math.min.apply(null, ys)) * map.aspect / width;
    return Math.max(0.4, Math.min(1.2, ratio));
  }

  function setLegend(block, map, m) {
    var list = block.querySelector(".ashyq-map-legend");
    var keep = list.querySelector(".ashyq-map-np");
    list.textContent = "";
    map.measures[m].legend.forEach(function (item) {
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "ashyq-map-swatch";
      swatch.style.background = item[0];
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(item[1]));
      list.appendChild(li);
    });
    if (keep) list.appendChild(keep);
    var summary = map.summaries ? map.summaries[m] : map.measures[m].summary;
    block.querySelector("figcaption").textContent = summary;
    block.querySelector(".ashyq-map").setAttribute("aria-label", summary);
  }

  // The page's part (inline JSON) joined with the shapes or points its script registered.
  function mapOf(block) {
    var page = JSON.parse(block.querySelector(".ashyq-map-data").textContent);
    if (page.set) {
      var points = (window.ashyqMapData || {})[page.set];
      if (!points) return null;
      return Object.assign({}, points, page);
    }
    var shapes = (window.ashyqBoundaries || {})[page.division];
    return shapes ? Object.assign({shapes: shapes}, page) : null;
  }

  function draw(block) {
    if (block.dataset.drawn || typeof Plotly === "undefined") return;
    var map = mapOf(block);
    if (!map) return;
    block.dataset.drawn = "1";
    var div = block.querySelector(".ashyq-map");
    var select = block.querySelector("select");
    var m = map["default"];
    var height = Math.max(180, Math.min(560, Math.round(div.clientWidth * heightRatio(map))));
    var traces = function () { return map.venues ? venueTraces(map, m) : regionTraces(map, m); };
    Plotly.newPlot(div, traces(), layout(map, height), CONFIG);
    div.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      if (!point) return;
      var index = point.customdata !== undefined ? point.customdata : point.curveNumber;
      var item = map.venues ? map.venues[index] : map.regions[index];
      if (item && item.url) window.location.href = (map.base || "") + item.url;
    });
    if (select) {
      select.addEventListener("change", function () {
        m = parseInt(select.value, 10);
        Plotly.react(div, traces(), layout(map, height), CONFIG);
        setLegend(block, map, m);
      });
    }
  }

  // A venue map's points (elections/<id>/venues-<contest>.js, named by its data's "points") are
  // fetched when the map comes within a screen of view, once per page, then every block using them is
  // drawn. Without IntersectionObserver they are fetched at once.
  var fetched = {};

  function loadPoints(block) {
    var src = JSON.parse(block.querySelector(".ashyq-map-data").textContent).points;
    if (!src || fetched[src]) return;
    fetched[src] = true;
    var script = document.createElement("script");
    script.src = src;
    script.onload = init;
    document.head.appendChild(script);
  }

  function init() {
    var waiting = [];
    document.querySelectorAll(".ashyq-map-block").forEach(function (block) {
      draw(block);
      if (!block.dataset.drawn) waiting.push(block);
    });
    if (!waiting.length) return;
    if (!("IntersectionObserver" in window)) return waiting.forEach(loadPoints);
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        loadPoints(entry.target);
      });
    }, {rootMargin: "100% 0px"});
    waiting.forEach(function (block) { observer.observe(block); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
