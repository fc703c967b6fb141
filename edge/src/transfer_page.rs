//! The public side of transfers (R-LIM-3/4): the download page `/t/{token}`,
//! rendered on the server (no script, the app shell's strict CSP, every
//! name HTML-escaped), its error pages (404 unknown, 410 expired), and the
//! headers of a streamed download `/t/{token}/{file}`.

use crate::http::{EdgeResponse, Method};
use postern_shared::format::{encode_component, human_size, utc_minutes};
use postern_shared::html::escape as html_escape;
use postern_shared::transfers::Transfer;

/// The page's stylesheet, served at `/t/page.css` (the CSP allows only
/// stylesheets of our own origin, never inline styles).
pub const STYLE: &str = "html{color-scheme:light dark}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
background:Canvas;color:CanvasText}\
main{max-width:40rem;margin:3rem auto;padding:0 1rem}\
h1{font-size:1.5rem;margin:0 0 .5rem}\
p.meta{opacity:.75;margin:0 0 1.5rem}\
ul{list-style:none;padding:0;margin:0}\
li{display:flex;gap:1rem;align-items:baseline;justify-content:space-between;\
padding:.75rem 0;border-top:1px solid color-mix(in srgb,CanvasText 15%,transparent)}\
li:last-child{border-bottom:1px solid color-mix(in srgb,CanvasText 15%,transparent)}\
.name{overflow-wrap:anywhere}.size{white-space:nowrap;opacity:.75}\
a{color:LinkText}a.download{white-space:nowrap;font-weight:600}";

/// `GET /t/page.css`.
pub fn stylesheet(method: &Method) -> EdgeResponse {
    let mut r = EdgeResponse::new(200)
        .with_header("content-type", "text/css; charset=utf-8")
        .with_header("cache-control", "public, max-age=3600");
    if *method != Method::Head {
        r.body = STYLE.as_bytes().to_vec();
    }
    r
}

fn page(status: u16, title: &str, main: &str) -> EdgeResponse {
    let doc = format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
         <meta name=viewport content=\"width=device-width,initial-scale=1\">\
         <meta name=robots content=\"noindex,nofollow\">\
         <title>{} · Postern</title><link rel=stylesheet href=\"/t/page.css\"></head>\
         <body><main>{main}</main></body></html>",
        html_escape(title)
    );
    let mut r = EdgeResponse::new(status)
        .with_header("content-type", "text/html; charset=utf-8")
        .with_header("cache-control", "no-store");
    r.body = doc.into_bytes();
    r
}

/// The download page of a live transfer.
pub fn render(t: &Transfer) -> EdgeResponse {
    let total: u64 = t.files.iter().map(|f| f.size).sum();
    let count = match t.files.len() {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    let mut items = String::new();
    for f in &t.files {
        let href = format!(
            "/t/{}/{}",
            encode_component(&t.token),
            encode_component(&f.id)
        );
        items.push_str(&format!(
            "<li><span class=name>{}</span><span class=size>{}</span>\
             <a class=download href=\"{}\" download>Download</a></li>",
            html_escape(&f.name),
            html_escape(&human_size(f.size)),
            html_escape(&href),
        ));
    }
    let main = format!(
        "<h1>Files shared with you</h1>\
         <p class=meta>{count}, {} in all. Available until {}.</p><ul>{items}</ul>",
        human_size(total),
        utc_minutes(t.expires_at),
    );
    page(200, "Download files", &main)
}

/// 404 (unknown link), 410 (expired) or 503 (anything else) as a page.
pub fn error_page(status: u16) -> EdgeResponse {
    match status {
        404 => page(
            404,
            "Transfer not found",
            "<h1>Transfer not found</h1><p>This link does not lead to any files. \
             Check that it was copied completely.</p>",
        ),
        410 => page(
            410,
            "Transfer expired",
            "<h1>This transfer has expired</h1><p>Its files were deleted. \
             Ask the sender to share them again.</p>",
        ),
        _ => page(
            503,
            "Temporarily unavailable",
            "<h1>Temporarily unavailable</h1><p>The files cannot be reached right now. \
             Please try again in a moment.</p>",
        ),
    }
}
