/* Ashyq: "find your polling station" and the site search (the magnifier), from the index in find/
   (see ashyq/render/finder.py, which writes it and normalises words the same way as `tokens` here).
   Every file of the index is a script that hands its data to ashyqFind: loaded by a <script> element,
   it works over http and from the offline copy opened via file:// alike. Only files the manifest
   lists are ever requested, and nothing outside the site. */
(function () {
  "use strict";
  if (window.ashyqFind) return;  // the box and the magnifier both load this file

  var NUMBER_WORDS = {};
  ("уик тик ик иу аик оик pec tec uik no nr n участок участка участке учаске учаскесі учаскесы уч " +
   "избирательный избирательного сайлау polling station").split(" ").forEach(function (w) { NUMBER_WORDS[w] = 1; });
  var RU_ENDINGS = ("иями ями ами ией ием иях ого его ому ему ыми ими ая яя ое ее ые ие ый ий ой ей ом ем ах ях " +
                    "ам ям ов ев ую юю а я о е ы и у ю ь").split(" ").sort(function (a, b) { return b.length - a.length; });
  var STEM_MIN = 4;
  var CYRILLIC = /^[а-яёәғқңөұүһі]+$/;
  var WORD = /\p{Nd}+|\p{L}+/gu;
  var NAME_ORDER = {kk: [0, 1, 2], ru: [1, 0, 2], en: [2, 1, 0]};
  var SHOWN_PER_ELECTION = 10, SHOWN_IN_ALL = 30, DEBOUNCE_MS = 90;

  function tokens(text) {
    var words = String(text || "").toLowerCase().replace(/ё/g, "е").replace(/№/g, " ").match(WORD) || [];
    return words.filter(function (w) { return !NUMBER_WORDS[w]; });
  }

  function stem(word) {
    if (word.length < STEM_MIN + 2 || !CYRILLIC.test(word)) return word;
    for (var i = 0; i < RU_ENDINGS.length; i++) {
      var ending = RU_ENDINGS[i];
      if (word.slice(-ending.length) === ending && word.length - ending.length >= STEM_MIN) {
        return word.slice(0, -ending.length);
      }
    }
    return word;
  }

  // One store per index folder (absolute URL): the manifest and the files loaded so far.
  var stores = {};
  var loading = null;  // the store whose script is running now (scripts run one at a time)

  function store(indexUrl) {
    var url = new URL(indexUrl, location.href).href;
    if (!stores[url]) stores[url] = {url: url, manifest: null, files: {}, pending: {}, words: {}};
    return stores[url];
  }

  function loadScript(s, name, check) {
    if (!s.pending[name]) {
      s.pending[name] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = s.url + name;
        script.async = true;
        script.onload = function () { check() ? resolve() : reject(new Error(name)); };
        script.onerror = function () { delete s.pending[name]; reject(new Error(name)); };
        loading = s;
        document.head.appendChild(script);
      });
    }
    return s.pending[name];
  }

  function loadManifest(s) {
    return loadScript(s, "index.js", function () { return !!s.manifest; });
  }

  function loadFile(s, n) {
    return loadScript(s, n + ".js", function () { return !!s.files[n]; });
  }

  // The index's files call these. The store is found by the script's own URL.
  function storeOf() {
    var src = document.currentScript && document.currentScript.src;
    return src ? store(src.slice(0, src.lastIndexOf("/") + 1)) : loading;
  }
  window.ashyqFind = {
    manifest: function (m) {
      var s = storeOf();
      s.manifest = m;
      s.common = {};
      m.common.forEach(function (w) { s.common[w] = 1; });
    },
    add: function (n, data) { storeOf().files[n] = data; },
    tokens: tokens,
    stem: stem
  };

  // Which chunk key holds a word: the longest key it starts with (all words with that prefix), or
  // its exact key ("=word") when longer words are split further; `more`: longer words exist.
  function keyOf(m, word) {
    for (var i = word.length; i > 0; i--) {
      var key = word.slice(0, i);
      if (m.keys[key]) return {key: key, exact: false, bytes: m.keys[key][1]};
    }
    var more = Object.keys(m.keys).some(function (k) { return k.charAt(0) !== "=" && k.indexOf(word) === 0; });
    if (m.keys["=" + word]) return {key: "=" + word, exact: true, bytes: m.keys["=" + word][1], more: more};
    return more ? {key: null, more: true} : null;
  }

  function pick(name, lang) {
    if (typeof name === "string") return {text: name, lang: null};
    var order = NAME_ORDER[lang] || NAME_ORDER.en;
    for (var i = 0; i < order.length; i++) {
      if (name[order[i]]) return {text: name[order[i]], lang: i ? ["kk", "ru", "en"][order[i]] : null};
    }
    return {text: "", lang: null};
  }

  function flat(name) { return typeof name === "string" ? name : name.join(" "); }

  function recordWords(s, id, r) {
    if (!s.words[id]) {
      s.words[id] = tokens([flat(r[3]), r[4], r[5], r[6].map(flat).join(" "), r[7]].join(" "));
    }
    return s.words[id];
  }

  // Score of a record for the query words (lower is better; a station's own number first), or null
  // when a word is not in it.
  function score(words, recWords, code, isPage) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i], best = -1;
      for (var j = 0; j < recWords.length && best !== 0; j++) {
        var x = recWords[j];
        if (x === w) best = 0;
        else if (x.indexOf(w) === 0) best = best === -1 || best > 1 ? 1 : best;
        else if (best === -1 && x.indexOf(stem(w)) === 0) best = 2;
      }
      if (best === -1 && !isPage) return null;  // a page may hold the word in its text, not its title
      if (best === -1) best = 3;
      total += best;
      if (/^\d+$/.test(w) && code === w) total -= 1;
    }
    return total;
  }

  function search(s, query, withPages) {
    var m = s.manifest;
    var words = tokens(query);
    if (!words.length) return Promise.resolve({words: words, hits: []});
    // The most selective word with a chunk starts the search; every word must then be in the record
    // (common words and words no chunk holds, e.g. a house number, only narrow it).
    var best = null, typing = false, common = false;
    words.forEach(function (w) {
      if (s.common[w]) { common = true; return; }
      var found = keyOf(m, stem(w));
      if (!found) return;
      if (!found.key) { typing = true; return; }
      if (found.more) typing = true;
      if (!best || found.bytes < best.bytes) best = {key: found.key, exact: found.exact, word: stem(w), bytes: found.bytes};
    });
    if (!best) return Promise.resolve({words: words, hits: [], common: common && !typing, typing: typing});
    var n = m.keys[best.key][0];
    return loadFile(s, n).then(function () {
      var file = s.files[n], ids = {}, hits = [];
      Object.keys(file.t).forEach(function (w) {
        if (best.exact ? w === best.word : w.indexOf(best.word) === 0) {
          file.t[w].forEach(function (id) { ids[id] = 1; });
        }
      });
      Object.keys(ids).forEach(function (id) {
        var r = file.r[id];
        if (r[0] === "p" && !withPages) return;
        var points = score(words, recordWords(s, id, r), r[5], r[0] === "p");
        if (points !== null) hits.push({id: +id, r: r, score: points});
      });
      return {words: words, hits: hits, typing: typing && best.exact};
    });
  }

  var KIND_ORDER = {r: 0, u: 1, c: 2, s: 3, p: 4};

  function sortHits(hits, first) {
    function group(r) { return r[0] === "p" ? 1e6 : (r[1] === first ? -1 : r[1]); }
    return hits.sort(function (a, b) {
      return group(a.r) - group(b.r) || a.score - b.score || KIND_ORDER[a.r[0]] - KIND_ORDER[b.r[0]] ||
        (parseInt(a.r[5], 10) || 0) - (parseInt(b.r[5], 10) || 0) || a.id - b.id;
    });
  }

  function href(root, m, r) {
    var path = r[0] === "p" ? r[2] : m.elections[r[1]].paths[r[0]].replace("{id}", encodeURIComponent(r[2]))
      .replace("{sheet}", String(r[8] || "").split("/").map(encodeURIComponent).join("/"));  // a station's sheet
    var url = root + path;
    if (location.protocol === "file:") url = url.replace(/\/(#|$)/, "/index.html$1");  // no folder listings
    return url;
  }

  function text(el, tag, content, lang) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (lang) node.lang = lang;
    el.appendChild(node);
    return node;
  }

  function label(r, lang, texts) {
    var name = pick(r[3], lang);
    if (r[0] === "s") {
      var head = (r[4] || texts.station) + " " + r[5];
      var named = name.text && name.text !== r[2] && tokens(name.text).indexOf(r[5]) < 0;  // not "Station 410" again
      return {text: named ? head + " — " + name.text : head, lang: named ? name.lang : null};
    }
    return name.text ? name : {text: r[2], lang: null};
  }

  function show(box, s, result, query) {
    var m = s.manifest, lang = box.dataset.lang, texts = box.texts;
    var list = box.querySelector(".ashyq-find-results"), status = box.querySelector(".ashyq-find-status");
    list.textContent = "";
    var hits = sortHits(result.hits, box.dataset.election ? m.elections.findIndex(function (e) {
      return e.id === box.dataset.election; }) : -2);
    var shownAll = 0, groups = {};
    hits.forEach(function (hit) {
      var key = hit.r[0] === "p" ? "p" : String(hit.r[1]);
      if (!groups[key]) {
        if (shownAll >= SHOWN_IN_ALL) return;
        var section = document.createElement("section");
        var title = key === "p" ? {text: texts.pages, lang: null} : pick(m.elections[hit.r[1]].title, lang);
        text(section, "h3", title.text, title.lang);
        groups[key] = {ul: document.createElement("ul"), n: 0};
        section.appendChild(groups[key].ul);
        list.appendChild(section);
      }
      var g = groups[key];
      if (g.n >= SHOWN_PER_ELECTION || shownAll >= SHOWN_IN_ALL) return;
      g.n++; shownAll++;
      var li = document.createElement("li"), a = document.createElement("a"), name = label(hit.r, lang, texts);
      a.href = href(box.dataset.root, m, hit.r);
      a.textContent = name.text;
      if (name.lang) a.lang = name.lang;
      li.appendChild(a);
      var where = hit.r[6].map(function (n) { return pick(n, lang).text; }).filter(Boolean);
      if (hit.r[7]) where.push(hit.r[7]);
      if (hit.r[0] === "u" && hit.r[4]) where.unshift(hit.r[4]);
      if (where.length) text(li, "small", " " + where.join(" · "));
      g.ul.appendChild(li);
    });
    var words = [];
    if (!hits.length) {
      words.push(result.common ? texts.common : result.typing ? texts.keepTyping : texts.noMatch);
    } else {
      words.push(texts.matches.replace("{n}", hits.length.toLocaleString(lang)));
      if (shownAll < hits.length) words.push(texts.more.replace("{n}", (hits.length - shownAll).toLocaleString(lang)));
      else if (result.typing) words.push(texts.keepTyping);
    }
    status.textContent = words.join(" ").replace(/\{q\}/g, query);
  }

  function setup(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    var d = box.dataset;
    box.texts = {noMatch: d.findNoMatch, matches: d.findMatches, more: d.findMore, common: d.findCommon,
                 keepTyping: d.findKeepTyping, station: d.findStationShort, pages: d.searchPages};
    var input = box.querySelector("input"), s = store(d.index), timer = null, asked = 0;
    function run() {
      var query = input.value.trim(), ticket = ++asked;
      if (!tokens(query).length) {
        box.querySelector(".ashyq-find-results").textContent = "";
        box.querySelector(".ashyq-find-status").textContent = "";
        return;
      }
      loadManifest(s).then(function () {
        return search(s, query, d.mode === "search");
      }).then(function (result) {
        if (ticket === asked) show(box, s, result, query);  // a later query replaced this one
      }).catch(function () {
        if (ticket === asked) box.querySelector(".ashyq-find-status").textContent = d.findNoMatch.replace(/\{q\}/g, query);
      });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, DEBOUNCE_MS);
    });
    input.addEventListener("focus", function () { loadManifest(s).catch(function () {}); }, {once: true});
    if (input.value) run();
    // The magnifier sits in Material's search dialog, opened by ticking #__search (the header's button
    // on a phone, the field itself on a wide screen); Escape closes it.
    var toggle = document.getElementById("__search");
    if (d.mode === "search" && toggle) {
      toggle.addEventListener("change", function () { if (toggle.checked) setTimeout(function () { input.focus(); }, 50); });
      input.addEventListener("focus", function () { toggle.checked = true; });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { toggle.checked = false; input.blur(); }
      });
    }
  }

  function init() { document.querySelectorAll(".ashyq-finder").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
