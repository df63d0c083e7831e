/* What every Fengqiao map shares (Leaflet, served by the platform itself): the base (tiles only
   when FENGQIAO_MAP_TILES is set — otherwise a plain background and no request leaves the
   platform), the county's real outline, the names of towns and villages by zoom, the events as
   points at village zoom, and a legend. Texts come from the page (<script type="application/json"
   id="fq-map-text">, in the page language); names always become text, never markup. */
(function () {
  "use strict";

  var VILLAGE_ZOOM = 12;  // from here on: village names, village lines, event points
  var STATE_COLOURS = { overdue: "#c62828", open: "#ef8c00", done: "#2e7d32" };

  var TEXT = null;
  function t(key) {
    if (TEXT === null) {
      var el = document.getElementById("fq-map-text");
      try { TEXT = el ? JSON.parse(el.textContent) : {}; } catch (e) { TEXT = {}; }
    }
    return TEXT[key] || key;
  }

  function getJSON(url) {
    if (!url) return Promise.resolve(null);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // ------------------------------------------------------------------------------- the base

  function create(box, options) {
    options = options || {};
    if (box._fqMap) { box._fqMap.remove(); box._fqMap = null; }
    var map = window.L.map(box, { zoomControl: true, attributionControl: false, maxZoom: options.maxZoom || 18,
                                  preferCanvas: !!options.canvas });
    box._fqMap = map;
    var tiles = box.getAttribute("data-tiles") || "";
    if (tiles) window.L.tileLayer(tiles, { maxZoom: options.maxZoom || 18 }).addTo(map);
    else box.classList.add("fq-map-plain");  // no base layer: nothing is fetched from outside
    map.createPane("fqOutline").style.zIndex = "450";   // above the shapes, never catching clicks
    map.getPane("fqOutline").style.pointerEvents = "none";
    map.createPane("fqLabels").style.zIndex = "640";    // above the shapes and points
    map.getPane("fqLabels").style.pointerEvents = "none";
    if (options.center) map.setView(options.center, options.zoom || 10);
    var legend = makeLegend(map, box);
    return { map: map, legend: legend, box: box };
  }

  // ------------------------------------------------------------------------------- legend

  function makeLegend(map, box) {
    var control = window.L.control({ position: "bottomleft" });
    var root = el("div", "fq-legend");
    root.setAttribute("data-testid", "map-legend");
    var title = el("div", "fq-legend-title", t("Legend"));
    var list = el("ul", "fq-legend-list");
    var notes = el("div", "fq-legend-notes");
    root.appendChild(title);
    root.appendChild(list);
    root.appendChild(notes);
    window.L.DomEvent.disableClickPropagation(root);
    window.L.DomEvent.disableScrollPropagation(root);
    // On a small map the legend folds to its title; a tap opens it.
    title.addEventListener("click", function () { root.classList.toggle("fq-legend-open"); });
    if (box.clientWidth >= 520 && box.clientHeight >= 380) root.classList.add("fq-legend-open");
    control.onAdd = function () { return root; };
    control.addTo(map);
    var keys = {};
    return {
      // kind: "fill" (a swatch), "line" (a border), "dot" (a point), "dash" (a dashed line)
      add: function (key, kind, colour, text, extraClass) {
        var item = keys[key];
        if (!item) {
          item = el("li", "fq-legend-item");
          item.setAttribute("data-key", key);
          keys[key] = item;
          list.appendChild(item);
        }
        item.textContent = "";
        var sw = el("span", "fq-sw fq-sw-" + kind + (extraClass ? " " + extraClass : ""));
        if (kind === "line" || kind === "dash") sw.style.borderColor = colour;
        else sw.style.background = colour;
        item.appendChild(sw);
        item.appendChild(el("span", "fq-legend-text", text));
        return item;
      },
      note: function (key, text) {
        var n = notes.querySelector("[data-note='" + key + "']");
        if (!n) { n = el("p", "fq-legend-note"); n.setAttribute("data-note", key); notes.appendChild(n); }
        n.textContent = text;
        return n;
      },
      clearNote: function (key) {
        var n = notes.querySelector("[data-note='" + key + "']");
        if (n) n.parentNode.removeChild(n);
      },
      root: root,
    };
  }

  // ------------------------------------------------------------------------------- outline

  // The county's real outline (the published package the platform installs), when it has it.
  function outline(base, url) {
    return getJSON(url).then(function (fc) {
      if (!fc || !fc.features || !fc.features.length) return null;
      var dark = !!base.box.closest("[data-theme=dark]");
      var colour = dark ? "#ffd166" : "#263238";
      var layer = window.L.geoJSON(fc, { pane: "fqOutline", interactive: false,
        style: { color: colour, weight: 3, opacity: 0.9, fill: false } }).addTo(base.map);
      var p = fc.features[0].properties || {};
      base.legend.add("outline", "line", colour, t("County boundary") + (p.source ? " (" + p.source + ", " + (p.licence || "") + ")" : ""));
      base.box.setAttribute("data-outline", p.name || "1");
      return layer;
    });
  }

  // ------------------------------------------------------------------------------- labels

  function centreOf(feature, layer) {
    var p = feature.properties || {};
    if (p.center && p.center.length === 2) return window.L.latLng(p.center[1], p.center[0]);
    if (feature.geometry && feature.geometry.type === "Point") {
      return window.L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
    }
    return layer && layer.getBounds ? layer.getBounds().getCenter() : null;
  }

  function labelGroup(features, cls) {
    var group = window.L.layerGroup();
    features.forEach(function (f) {
      var name = f.properties && f.properties.name;
      var at = centreOf(f, null);
      if (!name || !at) return;
      var icon = window.L.divIcon({ className: "fq-label " + (cls || ""), iconSize: null,
                                    html: el("span", "fq-label-text", name) });
      group.addLayer(window.L.marker(at, { icon: icon, pane: "fqLabels", interactive: false,
                                           keyboard: false }));
    });
    return group;
  }

  // Names as text markers, shown between minZoom and maxZoom (inclusive).
  function labels(base, features, options) {
    var group = labelGroup(features, options.cls);
    function sync() {
      var z = base.map.getZoom();
      var show = z >= (options.minZoom || 0) && z <= (options.maxZoom === undefined ? 99 : options.maxZoom);
      if (show && !base.map.hasLayer(group)) group.addTo(base.map);
      if (!show && base.map.hasLayer(group)) base.map.removeLayer(group);
    }
    base.map.on("zoomend", sync);
    sync();
    return group;
  }

  // Thin outlines with names that come in at village zoom (the villages of a county's towns).
  function zoomShapes(base, url, options) {
    var group = null, loading = null;
    function sync() {
      var want = base.map.getZoom() >= (options.minZoom || VILLAGE_ZOOM);
      if (want && !group && !loading) {
        loading = getJSON(url).then(function (fc) {
          loading = null;
          if (!fc || !fc.features) return;
          group = window.L.layerGroup();
          group.addLayer(window.L.geoJSON(fc, { interactive: false,
            style: { color: options.colour || "#546e7a", weight: 1, dashArray: "3 3", fill: false } }));
          group.addLayer(labelGroup(fc.features, options.labelClass || "fq-label-village"));
          if (base.map.getZoom() >= (options.minZoom || VILLAGE_ZOOM)) group.addTo(base.map);
          base.box.setAttribute("data-zoom-shapes", String(fc.features.length));
        });
      } else if (group) {
        if (want && !base.map.hasLayer(group)) group.addTo(base.map);
        if (!want && base.map.hasLayer(group)) base.map.removeLayer(group);
      }
    }
    base.map.on("zoomend", sync);
    sync();
  }

  // ------------------------------------------------------------------------------- points

  // The events as points, fetched for the view at village zoom; below it a note says to zoom in.
  function points(base, url, options) {
    options = options || {};
    var layer = window.L.layerGroup().addTo(base.map);
    var minZoom = options.minZoom || VILLAGE_ZOOM;
    var serial = 0;
    base.legend.add("overdue", "dot", STATE_COLOURS.overdue, t("Event overdue"));
    base.legend.add("open", "dot", STATE_COLOURS.open, t("Event being handled"));
    base.legend.add("done", "dot", STATE_COLOURS.done, t("Event resolved"));
    function load() {
      layer.clearLayers();
      if (base.map.getZoom() < minZoom) {
        base.legend.note("points", t("Zoom in to a village to see the events as points."));
        base.box.setAttribute("data-points", "0");
        return;
      }
      var b = base.map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
        return Math.max(-180, Math.min(180, v)).toFixed(5);
      });
      // latitude bounds
      bbox[1] = Math.max(-90, parseFloat(bbox[1])).toFixed(5);
      bbox[3] = Math.min(90, parseFloat(bbox[3])).toFixed(5);
      var mine = ++serial;
      getJSON(url + (url.indexOf("?") >= 0 ? "&" : "?") + "bbox=" + bbox.join(",")).then(function (fc) {
        if (mine !== serial || !fc) return;
        fc.features.forEach(function (f) {
          var c = f.geometry.coordinates, p = f.properties;
          var marker = window.L.circleMarker([c[1], c[0]], {
            radius: 6, weight: 1, color: "#ffffff", fillOpacity: 0.95,
            fillColor: STATE_COLOURS[p.state] || STATE_COLOURS.open,
          });
          var pop = el("div", "fq-popup");
          var link = el("a", null, p.code);
          link.href = p.url;
          pop.appendChild(link);
          pop.appendChild(el("div", null, [p.category, p.status].filter(Boolean).join(" · ")));
          if (p.village) pop.appendChild(el("div", "muted", p.village));
          marker.bindPopup(pop);
          layer.addLayer(marker);
        });
        base.box.setAttribute("data-points", String(fc.features.length));
        if (fc.truncated) {
          base.legend.note("points", t("Showing the newest %n of %t events here; zoom in for the rest.")
            .replace("%n", fc.features.length).replace("%t", fc.total));
        } else {
          base.legend.note("points", t("%n events in view.").replace("%n", fc.features.length));
        }
      });
    }
    base.map.on("moveend", load);
    load();
    return layer;
  }

  function schematic(base, fc) {
    if (fc && fc.schematic) {
      base.legend.add("schematic", "dash", "#546e7a", t("Village and grid cells: schematic, not surveyed boundaries"));
      base.box.setAttribute("data-schematic", "1");
    }
  }

  window.FQMap = { create: create, outline: outline, labels: labels, zoomShapes: zoomShapes,
                   points: points, schematic: schematic, getJSON: getJSON, text: t,
                   VILLAGE_ZOOM: VILLAGE_ZOOM, STATE_COLOURS: STATE_COLOURS };
})();
