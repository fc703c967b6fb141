//! Reading one body part of a message: its MIME headers described as a
//! content type and file name, fetched in chunks of [`CHUNK`]. Used by the
//! attachment download route and by forwarding (attaching an original's
//! part to a new message).

use mail_parser::MimeHeaders;
use postern_shared::wire::content_type;

/// Bytes per partial fetch (`BINARY.PEEK[section]<offset.len>`).
pub const CHUNK: u64 = 1024 * 1024;

/// Content type and file name from a part's MIME headers (pure).
pub fn describe(mime_headers: &[u8]) -> (String, Option<String>) {
    let parsed = mail_parser::MessageParser::default().parse_headers(mime_headers);
    let Some(msg) = parsed else {
        return ("application/octet-stream".into(), None);
    };
    let token = content_type::is_token;
    let content_type = msg
        .content_type()
        .and_then(|ct| {
            let sub = ct.subtype()?;
            (token(ct.ctype()) && token(sub)).then(|| {
                let base = format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase();
                match ct.attribute("charset").filter(|c| token(c)) {
                    Some(cs) if base.starts_with("text/") => format!("{base}; charset={cs}"),
                    _ => base,
                }
            })
        })
        .unwrap_or_else(|| "application/octet-stream".into());
    let name = msg.attachment_name().map(str::to_string);
    (content_type, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_parts_from_mime_headers() {
        let (ct, name) = describe(b"Content-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        assert_eq!(ct, "application/pdf");
        assert_eq!(name.as_deref(), Some("report.pdf"));
        let (ct, name) = describe(b"Content-Type: text/csv; charset=utf-8\r\nContent-Disposition: attachment; filename*=utf-8''d%C3%A9j%C3%A0.csv\r\n\r\n");
        assert_eq!(ct, "text/csv; charset=utf-8");
        assert_eq!(name.as_deref(), Some("déjà.csv"));
        let (ct, name) = describe(b"\r\n");
        assert_eq!(ct, "application/octet-stream");
        assert_eq!(name, None);
    }
}
