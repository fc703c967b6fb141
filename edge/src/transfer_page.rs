//! The public side of transfers (R-LIM-3/4): the download page `/t/{token}`,
//! rendered on the server (no script, the app shell's strict CSP, every
//! name HTML-escaped), its error pages (404 unknown, 410 expired), and the
//! headers of a streamed download `/t/{token}/{file}`.

use crate::api::{content_disposition, gateway_error, safe_content_type, sanitize_filename};
use crate::gateway::{GatewayResponse, header, headers};
use crate::http::{EdgeResponse, Method, percent_encode};
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

/// `512 B`, `1.5 KiB`, `25.0 MiB`, `3.00 GiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let decimals = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.decimals$} {}", UNITS[unit])
}

/// `2026-05-01 14:03 UTC` from Unix seconds.
pub fn format_utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
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
        let href = format!("/t/{}/{}", percent_encode(&t.token), percent_encode(&f.id));
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
        format_utc(t.expires_at),
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

/// `bytes 0-9/100` or `bytes */100`, digits only.
fn valid_content_range(v: &str) -> bool {
    let Some(rest) = v.strip_prefix("bytes ") else {
        return false;
    };
    let Some((range, total)) = rest.split_once('/') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    digits(total)
        && (range == "*"
            || range
                .split_once('-')
                .is_some_and(|(a, b)| digits(a) && digits(b)))
}

/// Headers of a streamed transfer file (status 200 or 206), from the
/// gateway's answer headers. A HEAD answer carries no `Content-Length`
/// (wasi-http checks it against the bytes written).
pub fn file_headers(status: u16, gateway_headers: &[(String, String)], head: bool) -> EdgeResponse {
    let get = |n| header(gateway_headers, n);
    let name = sanitize_filename(get(headers::FILENAME).unwrap_or(""));
    let mut r = EdgeResponse::new(status)
        .with_header("content-type", &safe_content_type(get("content-type")))
        .with_header("content-disposition", &content_disposition(&name))
        .with_header("accept-ranges", "bytes")
        .with_header("cache-control", "private, no-store");
    r.set_header("content-security-policy", "default-src 'none'; sandbox");
    if !head && let Some(len) = get("content-length").and_then(|l| l.trim().parse::<u64>().ok()) {
        r.headers.push(("content-length".into(), len.to_string()));
    }
    if status == 206
        && let Some(cr) = get("content-range").filter(|v| valid_content_range(v))
    {
        r.headers.push(("content-range".into(), cr.to_string()));
    }
    r
}

/// A download that did not start: the HTML page for an unknown or expired
/// link (a browser navigated here), 416 with `Content-Range` for a range
/// past the end, the gateway's error otherwise.
pub fn file_error(resp: &GatewayResponse) -> EdgeResponse {
    match resp.status {
        404 | 410 => error_page(resp.status),
        416 => {
            let mut r = gateway_error(resp);
            if let Some(cr) = resp
                .header("content-range")
                .filter(|v| valid_content_range(v))
            {
                r.set_header("content-range", cr);
            }
            r
        }
        _ => gateway_error(resp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_dates() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.50 KiB");
        assert_eq!(human_size(26_214_400), "25.0 MiB");
        assert_eq!(human_size(3_221_225_472), "3.00 GiB");
        assert_eq!(human_size(500 * 1024 * 1024 * 1024), "500 GiB");
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(1_800_000_000), "2027-01-15 08:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn content_ranges_are_checked() {
        assert!(valid_content_range("bytes 0-9/100"));
        assert!(valid_content_range("bytes */100"));
        assert!(!valid_content_range("bytes 0-9/100\r\nx: y"));
        assert!(!valid_content_range("items 0-9/100"));
        assert!(!valid_content_range("bytes -9/100"));
    }
}
