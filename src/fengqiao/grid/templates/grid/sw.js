{% load static %}/* The field app's service worker: keeps the app page and its assets for use without signal.
   Network first (fresh when online), the kept copy when the network fails. Records themselves
   live in IndexedDB (grid/app.js), never here. */
const CACHE = "fq-grid-{{ version }}";
const APP = "{% url 'grid_app' %}";
const SHELL = [APP, "{% static 'grid/app.js' %}", "{% static 'grid/app.css' %}", "{% static 'fengqiao/app.css' %}",
               "{% static 'fengqiao/favicon.svg' %}", "{% url 'grid_app_manifest' %}"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("fq-grid-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const key = url.pathname === APP ? APP : url.pathname;
  if (!SHELL.includes(key)) return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(key, copy));
      }
      return response.redirected ? caches.match(key).then((kept) => kept || response) : response;
    }).catch(() => caches.match(key).then((kept) => kept || Response.error()))
  );
});
