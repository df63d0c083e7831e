/* The command centre's maps (the dashboard's spread map and the big screen) on the shared map
   module (static/fengqiao/maps.js): the towns or villages coloured by the chosen measure and
   named, the county's real outline, the villages' lines and names and the events as points at
   village zoom, and a legend saying what every colour and line means. */
(function () {
  "use strict";

  // Colours from worse to better (a measure where higher is better).
  var SCALE = ["#b3261e", "#e2673a", "#f0b43c", "#9ccf6a", "#2e8b4e"];
  var NO_FIGURE = "#9aa3ad";

  function readJSON(id) {
    var el = id && document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function colourOf(value, scale) {
    if (value === null || value === undefined || !scale) return NO_FIGURE;
    var lo = scale.min, hi = scale.max;
    var t = hi > lo ? (value - lo) / (hi - lo) : 1;
    if (!scale.higher_is_better) t = 1 - t;
    var i = Math.max(0, Math.min(SCALE.length - 1, Math.floor(t * SCALE.length)));
    return SCALE[i];
  }

  function drawMap(box) {
    var M = window.FQMap;
    if (!window.L || !M) return;
    var values = readJSON(box.getAttribute("data-source")) || { regions: {} };
    var dark = !!box.closest("[data-theme=dark]");
    var base = M.create(box, { center: [25.36, 118.69], zoom: 10 });
    var map = base.map;
    var t = M.text;
    if (values.scale) {
      base.legend.add("worse", "fill", SCALE[0], (values.measure ? values.measure + " · " : "") + t("worse"));
      base.legend.add("better", "fill", SCALE[SCALE.length - 1], (values.measure ? values.measure + " · " : "") + t("better"));
      base.legend.add("nofigure", "fill", NO_FIGURE, t("no figure"));
    }
    var outline = M.outline(base, box.getAttribute("data-outline"));
    M.getJSON(box.getAttribute("data-shapes")).then(function (fc) {
      fc = fc || { type: "FeatureCollection", features: [] };
      var regions = values.regions || {};
      var layer = window.L.geoJSON(fc, {
        style: function (f) {
          var v = regions[f.properties.code];
          return { color: dark ? "#cfe0ff" : "#1f4e8c", weight: 1,
                   fillColor: colourOf(v ? v.value : null, values.scale), fillOpacity: 0.55 };
        },
        pointToLayer: function (f, latlng) {
          var v = regions[f.properties.code];
          return window.L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 1, fillOpacity: 0.9,
                                                 fillColor: colourOf(v ? v.value : null, values.scale) });
        },
        onEachFeature: function (f, lyr) {
          var v = regions[f.properties.code];
          lyr.bindTooltip(f.properties.name + (v ? ":" + v.display : ""), { sticky: true });
          lyr.on("click", function () { if (v && v.drill) window.location.href = v.drill; });
        },
      }).addTo(map);
      var level = fc.features.length ? fc.features[0].properties.level : "";
      M.labels(base, fc.features, { cls: level === "town" ? "fq-label-town" : "fq-label-village" });
      M.schematic(base, fc);
      return outline.then(function (ring) {
        var bounds = layer.getBounds();
        if (ring && level === "town" && ring.getBounds().isValid()) {
          bounds = bounds.isValid() ? bounds.extend(ring.getBounds()) : ring.getBounds();
        }
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8], animate: false });
        return fc;
      });
    }).then(function (fc) {
      var villages = box.getAttribute("data-zoom-shapes");
      if (villages) M.zoomShapes(base, villages, { colour: dark ? "#8fb3e0" : "#546e7a" });
      var points = box.getAttribute("data-points");
      if (points) M.points(base, points);
      box.setAttribute("data-features", String(fc.features.length));
      box.setAttribute("data-drawn", "1");
    }).catch(function () { box.setAttribute("data-drawn", "error"); });
  }

  window.FQCommandMap = {
    draw: function (root) { root.querySelectorAll("[data-map]").forEach(drawMap); },
  };
})();
