/* The grid pages' scripts (no inline script: the CSP allows the platform's files only):
   the area pickers submit on change, and the map of visits and patrol routes (Leaflet). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
    select.addEventListener("change", () => {
      const form = select.form;
      if (select.name === "area" && form.elements.zone) form.elements.zone.value = "";
      if (select.name === "zone" && form.elements.area) form.elements.area.value = "";
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });

  // The map of visits and patrols on the shared map module (static/fengqiao/maps.js): the county's
  // real outline, the towns', villages' and grids' lines with their names by zoom, a legend.
  function drawMap(el) {
    const M = window.FQMap;
    if (!window.L || !M) return;
    const base = M.create(el, { canvas: true, maxZoom: 19, center: [25.45, 118.75], zoom: 11 });
    const map = base.map;
    const t = M.text;
    const bounds = [];
    const lines = (url, style, key, text, label) => M.getJSON(url).then((fc) => {
      if (!fc || !fc.features || !fc.features.length) return null;
      const layer = L.geoJSON(fc, { style, interactive: false }).addTo(map);
      base.legend.add(key, style.dashArray ? "dash" : "line", style.color, text);
      if (label) M.labels(base, fc.features, label);
      M.schematic(base, fc);
      if (key === "grid" && layer.getBounds().isValid()) bounds.push(layer.getBounds());
      return fc;
    });
    base.legend.add("visit", "dot", "#1570ef", t("Visit"));
    base.legend.add("out", "dot", "#f79009", t("Visit outside the grid"));
    base.legend.add("patrol", "line", "#b42318", t("Patrol route"));
    M.outline(base, el.dataset.outline);
    Promise.all([
      lines(el.dataset.towns, { color: "#1f4e8c", weight: 2, fill: false }, "town", t("Town"),
            { cls: "fq-label-town", maxZoom: M.VILLAGE_ZOOM - 1 }),
      lines(el.dataset.villages, { color: "#455a64", weight: 1.5, fill: false }, "village", t("Village"),
            { cls: "fq-label-village", minZoom: M.VILLAGE_ZOOM, maxZoom: 14 }),
      lines(el.dataset.shapes, { color: "#90a4ae", weight: 1, dashArray: "3 3", fill: false }, "grid", t("Grid"),
            { cls: "fq-label-village", minZoom: 14 }),
    ]).then(() => M.getJSON(el.dataset.data)).then((fc) => {
      if (!fc) return;
      let visits = 0;
      const layer = L.geoJSON(fc, {
        pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 5, weight: 1, color: "#fff",
          fillColor: f.properties.in_grid === false ? "#f79009" : "#1570ef", fillOpacity: 0.9 }),
        style: (f) => (f.geometry.type === "LineString" ? { color: "#b42318", weight: 3 } : {}),
        onEachFeature: (f, l) => {
          const p = f.properties;
          const box = document.createElement("div");
          box.className = "g-popup";  // text only: names never become markup
          if (p.kind === "visit") {
            visits += 1;
            box.textContent = `${el.dataset.msgVisit} · ${p.at}\n${p.worker} → ${p.whom}${p.in_grid === false ? "\n" + el.dataset.msgOutside : ""}`;
          } else {
            box.textContent = `${el.dataset.msgPatrol} · ${p.team}\n${p.at} · ${p.metres} m`;
          }
          l.bindPopup(box);
        },
      }).addTo(map);
      if (layer.getBounds().isValid()) bounds.push(layer.getBounds());
      const count = document.querySelector("[data-map-count]");
      if (count) count.textContent = `${visits} · ${fc.features.length - visits}`;
      el.dataset.loaded = String(fc.features.length);
      if (bounds.length) {
        const all = L.latLngBounds(bounds[0].getSouthWest(), bounds[0].getNorthEast());
        bounds.slice(1).forEach((b) => all.extend(b));
        map.fitBounds(all, { padding: [20, 20], animate: false });
      }
      el.dataset.drawn = "1";
    });
  }
  // Leaflet's script comes after this one: draw once every deferred script has run.
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("#g-map").forEach(drawMap));
})();
