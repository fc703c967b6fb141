// Starts the app: imports the (hashed) wasm-bindgen glue named by the
// loader tag Trunk writes into index.html (Trunk.toml `pattern_script`).
// External on purpose: the app's CSP allows no inline script.
// First the account menu's light / dark (app.css follows data-theme),
// before anything is drawn.
try {
  const t = localStorage.getItem("postern.theme");
  if (t === "light" || t === "dark") document.documentElement.dataset.theme = t;
} catch {}
const tag = document.querySelector("script[data-wasm][data-js]");
const glue = await import(tag.dataset.js);
await glue.default({ module_or_path: tag.dataset.wasm });
