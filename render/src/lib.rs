//! A message as its reader sees it, from its raw RFC 5322 bytes: the MIME
//! view (`mime_view`: headers, text, attachments) and the HTML body made
//! safe to show (`sanitize`). Pure functions, no I/O, for every target: the
//! edge (wasm) renders the view with them, the gateway (native) renders
//! and caches the sanitised body.

pub mod mime_view;
pub mod sanitize;
