//! File names on the wire: the gateway sends a stored name in
//! `X-Postern-Filename` percent-encoded (so any name is a valid header),
//! the edge decodes and cleans it for `Content-Disposition`.

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// Encoded in `X-Postern-Filename`: everything outside visible ASCII and
/// space, plus `%`, `"` and `\`.
const FILENAME_HEADER: &AsciiSet = &CONTROLS.add(b'%').add(b'"').add(b'\\');

/// A name as the value of [`crate::wire::headers::FILENAME`].
pub fn encode_header(name: &str) -> String {
    utf8_percent_encode(name, FILENAME_HEADER).to_string()
}

/// The name back from the header value (invalid UTF-8 becomes U+FFFD).
pub fn decode_header(value: &str) -> String {
    percent_decode_str(value).decode_utf8_lossy().into_owned()
}

/// A file name safe for every OS and header: no paths, controls or
/// reserved characters, not empty, at most 180 characters.
pub fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_matches(['.', ' ']);
    let name: String = trimmed.chars().take(180).collect();
    if name.is_empty() {
        "attachment".into()
    } else {
        name
    }
}

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8
/// name (RFC 6266 / RFC 5987). `name` should be [`sanitize`]d.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\' && *c != '%')
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::format::encode_component(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_always_valid_and_decode_back() {
        assert_eq!(encode_header("report 2026.pdf"), "report 2026.pdf");
        assert_eq!(encode_header("déjà.csv"), "d%C3%A9j%C3%A0.csv");
        assert_eq!(encode_header("a\r\nX: y\"%"), "a%0D%0AX: y%22%25");
        for name in ["déjà.csv", "a\r\nb", "100%.txt", "日本.pdf"] {
            assert_eq!(decode_header(&encode_header(name)), name);
        }
    }

    #[test]
    fn sanitised_names_have_no_path_or_controls() {
        assert_eq!(sanitize("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(sanitize("a\u{0}b.txt"), "a_b.txt");
        assert_eq!(sanitize(" . "), "attachment");
        assert_eq!(sanitize(&"x".repeat(500)).len(), 180);
        assert_eq!(
            content_disposition("déjà vu.pdf"),
            "attachment; filename=\"d_j_ vu.pdf\"; filename*=UTF-8''d%C3%A9j%C3%A0%20vu.pdf"
        );
    }
}
