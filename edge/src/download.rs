//! Downloads the edge streams from the gateway — message attachments and
//! public transfer files: the headers that make any stored name and type
//! safe to hand to a browser (never rendered inline, never a path).

use crate::gateway::{GatewayResponse, gateway_error, header, headers};
use crate::http::EdgeResponse;
use postern_shared::wire::{content_type, filename};

/// The download name from the gateway's `X-Postern-Filename`.
fn download_name(gateway_headers: &[(String, String)]) -> String {
    filename::sanitize(&filename::decode_header(
        header(gateway_headers, headers::FILENAME).unwrap_or(""),
    ))
}

/// Headers of a streamed attachment, from the gateway's answer headers.
pub fn part_headers(gateway_headers: &[(String, String)]) -> EdgeResponse {
    let get = |n| header(gateway_headers, n);
    let name = download_name(gateway_headers);
    let mut r = EdgeResponse::new(200)
        .with_header(
            "content-type",
            &content_type::for_download(get("content-type")),
        )
        .with_header("content-disposition", &filename::content_disposition(&name))
        .with_header("cache-control", "private, no-store");
    r.set_header("content-security-policy", "default-src 'none'; sandbox");
    if let Some(len) = get("content-length").and_then(|l| l.trim().parse::<u64>().ok()) {
        r.headers.push(("content-length".into(), len.to_string()));
    }
    r
}

/// Headers of the live-updates stream (`GET /api/mailboxes/{mb}/events`):
/// Server-Sent Events, never cached or buffered on the way.
pub fn event_stream_headers() -> EdgeResponse {
    let mut r = EdgeResponse::new(200)
        .with_header("content-type", "text/event-stream")
        .with_header("cache-control", "no-store")
        .with_header("x-accel-buffering", "no");
    r.set_header("content-security-policy", "default-src 'none'; sandbox");
    r
}

/// An Apple configuration profile (R-DEV-7), small and whole: the type
/// iOS and macOS install from, always as an attachment.
pub fn apple_profile(resp: GatewayResponse) -> EdgeResponse {
    let name = download_name(&resp.headers);
    let mut r = EdgeResponse::new(200)
        .with_header("content-type", "application/x-apple-aspen-config")
        .with_header("content-disposition", &filename::content_disposition(&name))
        .with_header("cache-control", "private, no-store");
    r.set_header("content-security-policy", "default-src 'none'; sandbox");
    r.body = resp.body;
    r
}

/// The DPA (R-GDPR-1): a PDF to save, never shown inside the app's origin
/// (`attachment`, sandboxed).
pub fn pdf(resp: GatewayResponse) -> EdgeResponse {
    let name = download_name(&resp.headers);
    let mut r = EdgeResponse::new(200)
        .with_header("content-type", "application/pdf")
        .with_header("content-disposition", &filename::content_disposition(&name))
        .with_header("cache-control", "private, no-store");
    r.set_header("content-security-policy", "default-src 'none'; sandbox");
    r.body = resp.body;
    r
}

/// Headers of a streamed transfer file (status 200 or 206), from the
/// gateway's answer headers. A HEAD answer carries no `Content-Length`
/// (wasi-http checks it against the bytes written).
pub fn file_headers(status: u16, gateway_headers: &[(String, String)], head: bool) -> EdgeResponse {
    let get = |n| header(gateway_headers, n);
    let name = download_name(gateway_headers);
    let mut r = EdgeResponse::new(status)
        .with_header(
            "content-type",
            &content_type::for_download(get("content-type")),
        )
        .with_header("content-disposition", &filename::content_disposition(&name))
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
        404 | 410 => crate::transfer_page::error_page(resp.status),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn download_name_of(raw: &str) -> String {
        download_name(&[(headers::FILENAME.into(), raw.into())])
    }

    #[test]
    fn download_types() {
        assert_eq!(content_type::for_download(Some("image/png")), "image/png");
        assert_eq!(
            content_type::for_download(Some("Application/PDF")),
            "application/octet-stream"
        );
        assert_eq!(
            content_type::for_download(Some("text/plain; charset=utf-8")),
            "text/plain"
        );
        for active in [
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/xml",
            "application/javascript",
            "text/x-javascript",
            "multipart/x-mixed-replace",
            "",
            "nonsense",
            "a/b c",
        ] {
            assert_eq!(
                content_type::for_download(Some(active)),
                "application/octet-stream",
                "{active}"
            );
        }
        assert_eq!(content_type::for_download(None), "application/octet-stream");
        assert_eq!(download_name_of(""), "attachment");
        assert_eq!(download_name_of("..."), "attachment");
        assert_eq!(download_name_of("a/b\\c:d.txt"), "a_b_c_d.txt");
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
