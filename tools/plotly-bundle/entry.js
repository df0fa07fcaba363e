'use strict';
// The site's plotly.js: plotly.js's own src/core.js with only what the site draws — the scatter
// trace (line charts, and the maps: filled polygons and markers), the bar trace, and the components
// its figures use (annotations, legend for the PNG/SVG files, hover labels) or that plotly's cartesian
// code requires anyway (selections, shapes, colour scales and bars, the modebar it lays out even when
// hidden), in plotly's own order. Not registered, so not bundled: the pie and other traces, world
// calendars, sliders, menus, range sliders and selectors, images, error bars, grids, 3-D annotations.
// English number formats only: the charts' texts are prepared in the page's language by the build
// (ashyq/render/charts.py).
exports.version = require('plotly.js/src/version').version;
require('native-promise-only');
require('plotly.js/build/plotcss');

var Registry = require('plotly.js/src/registry');
var register = exports.register = Registry.register;

var plotApi = require('plotly.js/src/plot_api');
Object.keys(plotApi).forEach(function(name) {
    if(name.charAt(0) !== '_') exports[name] = plotApi[name];
    register({moduleType: 'apiMethod', name: name, fn: plotApi[name]});
});

register(require('plotly.js/src/traces/scatter'));
register(require('plotly.js/src/traces/bar'));
register([
    require('plotly.js/src/components/annotations'),
    require('plotly.js/src/components/selections'),
    require('plotly.js/src/components/shapes'),
    require('plotly.js/src/components/colorscale'),
    require('plotly.js/src/components/colorbar'),
    require('plotly.js/src/components/legend'), // after shapes: its defaults read them
    require('plotly.js/src/components/fx'), // after legend: unified hover reads it
    require('plotly.js/src/components/modebar')
]);
register([require('plotly.js/src/locale-en'), require('plotly.js/src/locale-en-us')]);
