// Postern service worker: the offline app shell of the PWA (R-CLI-1).
// - precaches both apps' HTML (the webmail's index.html, the portal's
//   portal.html) and the hashed js/wasm/css + icons (the list and VERSION
//   are written at build time by frontend/build/precache.sh);
// - navigations: network first; offline, the cached HTML of the page's app
//   (portal.html for the portal's sections, as the edge serves them);
// - other same-origin static files: cache first;
// - NEVER touches /api/ (mail data and sessions are not cached).
const VERSION = "dev";
const PRECACHE = ["/", "/index.html", "/portal.html"];
const CACHE = "postern-shell-" + VERSION;
// First path segments of the portal's pages (postern_shared::wire::apps).
const PORTAL_SECTIONS = ["transfer", "settings", "admin", "invite", "device-setup", "account", "privacy"];

function appHtml(pathname) {
  const first = pathname.replace(/^\/+/, "").split("/")[0];
  return PORTAL_SECTIONS.includes(first) ? "/portal.html" : "/index.html";
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith("postern-") && k !== CACHE).map((k) => caches.delete(k))
        )
      )
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(() =>
        caches.match(appHtml(url.pathname), { cacheName: CACHE }).then((r) => r || Response.error())
      )
    );
    return;
  }

  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then(
      (cached) =>
        cached ||
        fetch(request).then((response) => {
          if (response.ok && response.type === "basic") {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        })
    )
  );
});
