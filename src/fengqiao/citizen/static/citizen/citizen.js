/* The citizen and field report pages: the phone's location, a pin on the map, photo checks.
   Small and dependency-free (Leaflet only when the page loads it). Texts come from data-msg-*
   attributes on the form, in the page language. */
(function () {
  "use strict";

  function msg(form, key) { return form.getAttribute("data-msg-" + key) || ""; }

  function setPoint(form, lat, lng, source, place) {
    var la = form.querySelector("input[name=latitude]");
    var ln = form.querySelector("input[name=longitude]");
    if (!la || !ln) return;
    la.value = lat.toFixed(6);
    ln.value = lng.toFixed(6);
    var status = form.querySelector("[data-locate-status]");
    if (status) status.textContent = msg(form, "located") + (place ? " · " + place : "") + " (" + la.value + ", " + ln.value + ")";
    form.dispatchEvent(new CustomEvent("fq:point", { detail: { lat: lat, lng: lng, source: source || "" } }));
  }

  function locate(form) {
    var status = form.querySelector("[data-locate-status]");
    if (!navigator.geolocation) {
      if (status) status.textContent = msg(form, "no-location");
      return;
    }
    if (status) status.textContent = msg(form, "locating");
    navigator.geolocation.getCurrentPosition(
      function (pos) { setPoint(form, pos.coords.latitude, pos.coords.longitude, "locate"); },
      function () { if (status) status.textContent = msg(form, "no-location"); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  function checkPhotos(form, input) {
    var status = form.querySelector("[data-photo-status]") || input.parentNode.querySelector(".help");
    var max = parseInt(form.getAttribute("data-max-photos") || "0", 10);
    var maxBytes = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
    var problem = "";
    if (max && input.files.length > max) problem = msg(form, "too-many");
    for (var i = 0; !problem && i < input.files.length; i++) {
      if (maxBytes && input.files[i].size > maxBytes) problem = msg(form, "too-big") + " " + input.files[i].name;
    }
    input.setCustomValidity(problem);
    if (status && problem) status.textContent = problem;
    else if (status && form.querySelector("[data-photo-status]")) status.textContent = input.files.length ? msg(form, "chosen").replace("%n", input.files.length) : "";
  }

  // The pin map (on the shared map module, static/fengqiao/maps.js): the county's real outline,
  // its towns and villages with their names, a legend, and the citizen's own pin. Other people's
  // reports are never shown on this public page.
  function pinMap(form) {
    var box = document.getElementById("pin-map");
    var M = window.FQMap;
    if (!box || !window.L || !M) return;
    var tiles = box.getAttribute("data-tiles");
    var marker = null;
    M.getJSON(box.getAttribute("data-shapes")).then(function (fc) {
      var features = (fc && fc.features) || [];
      if (!features.length && !tiles) return;  // nothing to draw: the address and the location button do
      box.hidden = false;
      var base = M.create(box, { maxZoom: 19 });
      var map = base.map;
      map.on("click", function (e) { setPoint(form, e.latlng.lat, e.latlng.lng); });
      var hint = document.createElement("p");
      hint.className = "pin-map-hint";
      hint.textContent = box.getAttribute("data-hint");
      box.parentNode.insertBefore(hint, box.nextSibling);
      base.legend.add("pin", "dot", "#b3261e", M.text("Your pin"));
      form.addEventListener("fq:point", function (e) {
        var ll = [e.detail.lat, e.detail.lng];
        if (marker) marker.setLatLng(ll); else marker = L.circleMarker(ll, { radius: 9, color: "#b3261e", weight: 3, fillOpacity: .6 }).addTo(map);
        if (e.detail.source === "locate") map.setView(ll, Math.max(map.getZoom() || 0, 13));
      });
      var of = function (level) { return features.filter(function (f) { return f.properties && f.properties.level === level; }); };
      var county = of("county"), towns = of("town"), villages = of("village");
      var bounds = null;
      function pick(list, style, legendKey, legendText) {
        if (!list.length) return null;
        var layer = L.geoJSON({ type: "FeatureCollection", features: list }, {
          style: style,
          pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 3, color: style.color }); },
          onEachFeature: function (f, l) {
            var name = f.properties && f.properties.name;
            if (name) l.bindTooltip(name);
            l.on("click", function (e) {
              L.DomEvent.stopPropagation(e);
              setPoint(form, e.latlng.lat, e.latlng.lng, "map", name);
            });
          }
        }).addTo(map);
        if (legendKey) base.legend.add(legendKey, "line", style.color, legendText);
        var b = layer.getBounds();
        if (b.isValid()) bounds = bounds ? bounds.extend(b) : b;
        return layer;
      }
      pick(villages, { color: "#78909c", weight: 1, dashArray: "3 3", fillOpacity: .04 }, "village", M.text("Village"));
      pick(towns, { color: "#1f4e8c", weight: 2, fillOpacity: 0 }, "town", M.text("Town"));
      if (county.length) {
        L.geoJSON({ type: "FeatureCollection", features: county }, { pane: "fqOutline", interactive: false,
          style: { color: "#263238", weight: 3, fill: false } }).addTo(map);
        var p = county[0].properties || {};
        base.legend.add("outline", "line", "#263238", M.text("County boundary") + (p.source ? " (" + p.source + ", " + (p.licence || "") + ")" : ""));
        box.setAttribute("data-outline", p.name || "1");
      }
      M.labels(base, towns, { cls: "fq-label-town", maxZoom: M.VILLAGE_ZOOM - 1 });
      M.labels(base, villages, { cls: "fq-label-village", minZoom: M.VILLAGE_ZOOM });
      M.schematic(base, fc);
      if (bounds) map.fitBounds(bounds, { padding: [8, 8], animate: false });
      else {
        var c = (box.getAttribute("data-center") || "").split(",");
        if (c.length === 2 && c[0] && c[1]) map.setView([parseFloat(c[0]), parseFloat(c[1])], 11);
        else map.setView([35, 105], 4);
      }
      var la = form.querySelector("input[name=latitude]"), ln = form.querySelector("input[name=longitude]");
      if (la && ln && la.value && ln.value) setPoint(form, parseFloat(la.value), parseFloat(ln.value));
      box.setAttribute("data-drawn", "1");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form.citizen-form");
    Array.prototype.forEach.call(forms, function (form) {
      var button = form.querySelector("[data-locate]");
      if (button) button.addEventListener("click", function () { locate(form); });
      if (form.hasAttribute("data-auto-locate") && !form.querySelector("input[name=latitude]").value) locate(form);
      var photos = form.querySelector("input[type=file]");
      if (photos) photos.addEventListener("change", function () { checkPhotos(form, photos); });
      form.addEventListener("submit", function () {
        var submit = form.querySelector("button[type=submit]");
        if (submit) setTimeout(function () { submit.disabled = true; }, 0);
      });
      pinMap(form);
    });
  });
})();
