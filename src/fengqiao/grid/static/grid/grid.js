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

  function drawMap(el) {
    if (!window.L) return;
    const map = L.map(el, { preferCanvas: true }).setView([25.45, 118.75], 11);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    const bounds = [];
    const get = (url) => fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null));
    const shapes = el.dataset.shapes ? get(el.dataset.shapes) : Promise.resolve(null);
    shapes.then((fc) => {
      if (fc && fc.features && fc.features.length) {
        const layer = L.geoJSON(fc, { style: { color: "#667085", weight: 1, fillOpacity: 0.04 },
          onEachFeature: (f, l) => l.bindTooltip(String(f.properties.name || "").replace(/[<>&]/g, "")) }).addTo(map);
        if (layer.getBounds().isValid()) bounds.push(layer.getBounds());
      }
      return get(el.dataset.data);
    }).then((fc) => {
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
        const all = bounds[0];
        bounds.slice(1).forEach((b) => all.extend(b));
        map.fitBounds(all, { padding: [20, 20] });
      }
    });
  }
  // Leaflet's script comes after this one: draw once every deferred script has run.
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("#g-map").forEach(drawMap));
})();
