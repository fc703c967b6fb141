//! Content types that cross the wire: one notion of a well-formed
//! `type/subtype`, used when the gateway stores a declared type, describes
//! a MIME part, and when the edge picks the type of a download.

/// An RFC 7230 token of a media type (`type` or `subtype`), ≤ 127 bytes.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 127
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
}

/// `type/subtype`, lower-cased, parameters dropped — or `None` when it is
/// not well-formed.
pub fn essence(raw: &str) -> Option<String> {
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let (t, s) = essence.split_once('/')?;
    (is_token(t) && is_token(s)).then_some(essence)
}

pub const OCTET_STREAM: &str = "application/octet-stream";

/// The essence of `raw`, or `application/octet-stream`.
pub fn sanitize(raw: &str) -> String {
    essence(raw).unwrap_or_else(|| OCTET_STREAM.into())
}

/// Types a browser would render or run: downloads of these are served as
/// opaque bytes instead.
pub fn is_active(essence: &str) -> bool {
    essence.contains("html")
        || essence.contains("xml")
        || essence.contains("javascript")
        || essence.contains("ecmascript")
        || essence.contains("svg")
        || essence.starts_with("multipart/")
        || matches!(
            essence,
            "text/xsl"
                | "text/css"
                | "text/cache-manifest"
                | "text/vtt"
                | "application/x-shockwave-flash"
                | "application/java-archive"
                | "application/pdf"
        )
}

/// The `Content-Type` of a download: the given one unless it is active or
/// not a plain `type/subtype`.
pub fn for_download(given: Option<&str>) -> String {
    match given.and_then(essence) {
        Some(e) if !is_active(&e) => e,
        _ => OCTET_STREAM.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn essence_drops_parameters_and_refuses_junk() {
        assert_eq!(
            essence("Text/CSV; charset=utf-8").as_deref(),
            Some("text/csv")
        );
        for bad in ["", "text", "text/", "/x", "a b/c", "text/plain\r\nX: y"] {
            assert_eq!(essence(bad), None, "{bad:?}");
        }
        assert_eq!(sanitize("nonsense"), OCTET_STREAM);
    }

    #[test]
    fn active_types_download_as_bytes() {
        for t in [
            "text/html",
            "image/svg+xml",
            "application/pdf",
            "multipart/mixed",
        ] {
            assert_eq!(for_download(Some(t)), OCTET_STREAM, "{t}");
        }
        assert_eq!(for_download(Some("image/png")), "image/png");
        assert_eq!(for_download(None), OCTET_STREAM);
    }
}
