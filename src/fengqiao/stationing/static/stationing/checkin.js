/* The check-in page: before a check-in or check-out form is sent, ask the phone for its position
   (navigator.geolocation) and put it in the form's hidden fields. Without a position the form is
   still sent; the stay is then recorded as having no position and does not count. No inline
   script (CSP script-src 'self'). */
(function () {
  "use strict";

  function field(form, suffix) {
    return form.querySelector('input[name$="-' + suffix + '"]');
  }

  function send(form) {
    form.setAttribute("data-geo-done", "1");
    form.submit();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-geo]") || form.getAttribute("data-geo-done") === "1") return;
    event.preventDefault();
    var status = form.querySelector("[data-geo-status]");
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    function say(text) { if (status) status.textContent = text; }
    if (!("geolocation" in navigator)) {
      say(form.getAttribute("data-geo-none"));
      send(form);
      return;
    }
    say(form.getAttribute("data-geo-locating"));
    navigator.geolocation.getCurrentPosition(function (pos) {
      field(form, "latitude").value = String(pos.coords.latitude);
      field(form, "longitude").value = String(pos.coords.longitude);
      field(form, "accuracy").value = String(Math.round(pos.coords.accuracy || 0));
      say(form.getAttribute("data-geo-found") + " " + Math.round(pos.coords.accuracy || 0) + " m");
      send(form);
    }, function (err) {
      say(form.getAttribute("data-geo-failed") + " " + (err && err.message ? err.message : ""));
      send(form);
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });
})();
