//! What a client declares about a file — its name and content type —
//! cleaned before it is stored or sent back in a header.

/// Longest file name kept, in bytes (R-LIM; most file systems' limit).
pub const MAX_NAME_BYTES: usize = 255;

/// A file name without path separators or control characters, at most
/// [`MAX_NAME_BYTES`] bytes; `None` when nothing usable is left.
pub fn sanitize_name(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim();
    let mut end = trimmed.len().min(MAX_NAME_BYTES);
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    let name = trimmed[..end].trim_end();
    (!name.is_empty() && name != "." && name != "..").then(|| name.to_string())
}

/// `type/subtype` (lower-cased, parameters dropped) or `application/octet-stream`.
pub fn sanitize_content_type(raw: &str) -> String {
    postern_shared::wire::content_type::sanitize(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised() {
        assert_eq!(sanitize_name("report.pdf").as_deref(), Some("report.pdf"));
        assert_eq!(
            sanitize_name("../../etc/passwd").as_deref(),
            Some(".._.._etc_passwd")
        );
        assert_eq!(
            sanitize_name(" a\\b\r\nc.txt ").as_deref(),
            Some("a_b__c.txt")
        );
        assert_eq!(sanitize_name("  "), None);
        assert_eq!(sanitize_name(".."), None);
        let long = "é".repeat(200);
        let s = sanitize_name(&long).unwrap();
        assert!(s.len() <= MAX_NAME_BYTES && s.len() >= MAX_NAME_BYTES - 1);
        assert!(s.chars().all(|c| c == 'é'));
    }

    #[test]
    fn content_types_are_plain() {
        assert_eq!(sanitize_content_type("Image/PNG"), "image/png");
        assert_eq!(
            sanitize_content_type("text/plain; charset=utf-8"),
            "text/plain"
        );
        assert_eq!(
            sanitize_content_type("a b/c\r\n"),
            "application/octet-stream"
        );
        assert_eq!(sanitize_content_type(""), "application/octet-stream");
    }
}
