//! Building the RFC 5322 message from what the user wrote. Pure and
//! synchronous: it writes to any `io::Write` (the caller gives it a file
//! under `{blob_dir}/outgoing/`), streaming attachment files through base64
//! line by line so no attachment is ever held whole in memory.
//!
//! Headers and text bodies go through mail-builder (RFC 2047 words, line
//! folding, quoted-printable); the multipart skeleton is ours, because
//! mail-builder only takes attachments as in-memory bytes.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use base64::Engine;
use mail_builder::MessageBuilder;
use mail_builder::headers::Header;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_builder::mime::MimePart;
use postern_shared::api::EmailAddress;
use postern_shared::compose::{OriginalRef, ReplyKind};
use postern_shared::limits::MAX_MESSAGE_BYTES;

pub use postern_shared::wire::headers::{
    MIME_ORIGINAL as ORIGINAL_HEADER, MIME_UPLOAD as UPLOAD_HEADER,
};

/// A file to attach, already on disk.
#[derive(Debug, Clone)]
pub struct FileAttachment {
    pub name: String,
    pub content_type: String,
    pub path: PathBuf,
    pub size: u64,
}

/// Everything that goes into one message, resolved and sanitised.
#[derive(Debug, Clone)]
pub struct Message {
    pub from: EmailAddress,
    pub to: Vec<EmailAddress>,
    pub cc: Vec<EmailAddress>,
    /// Written as a header only in drafts (`include_bcc`); a sent message
    /// must not reveal its blind copies.
    pub bcc: Vec<EmailAddress>,
    pub include_bcc: bool,
    pub subject: String,
    pub text: String,
    /// Sanitised fragment (see [`super::html::sanitize`]).
    pub html: Option<String>,
    /// Without angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Unix seconds.
    pub date: i64,
    /// Extra headers (the draft-only ones above); values must be ASCII
    /// (see [`encode_original`]): mail-parser leaves unknown headers raw.
    pub extra_headers: Vec<(&'static str, String)>,
    pub attachments: Vec<FileAttachment>,
}

impl Default for Message {
    fn default() -> Self {
        Message {
            from: EmailAddress {
                name: None,
                address: String::new(),
            },
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            include_bcc: false,
            subject: String::new(),
            text: String::new(),
            html: None,
            message_id: String::new(),
            in_reply_to: None,
            references: Vec::new(),
            date: 0,
            extra_headers: Vec::new(),
            attachments: Vec::new(),
        }
    }
}

/// The value of [`ORIGINAL_HEADER`]: `reply;<uid>;<folder>`, the folder
/// percent-encoded (UTF-8) so the header stays ASCII.
pub fn encode_original(o: &OriginalRef) -> String {
    let kind = match o.kind {
        ReplyKind::Reply => "reply",
        ReplyKind::Forward => "forward",
    };
    let mut folder = String::new();
    for b in o.folder.bytes() {
        if b.is_ascii_alphanumeric() || b"-_./ ".contains(&b) {
            folder.push(b as char);
        } else {
            folder.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind};{};{folder}", o.uid)
}

pub fn decode_original(v: &str) -> Option<OriginalRef> {
    let mut it = v.trim().splitn(3, ';');
    let kind = match it.next()? {
        "reply" => ReplyKind::Reply,
        "forward" => ReplyKind::Forward,
        _ => return None,
    };
    let uid = it.next()?.parse().ok()?;
    let enc = it.next()?.as_bytes();
    let mut bytes = Vec::with_capacity(enc.len());
    let mut i = 0;
    while i < enc.len() {
        if enc[i] == b'%' && i + 2 < enc.len() {
            bytes.push(u8::from_str_radix(std::str::from_utf8(&enc[i + 1..i + 3]).ok()?, 16).ok()?);
            i += 3;
        } else {
            bytes.push(enc[i]);
            i += 1;
        }
    }
    let folder = String::from_utf8(bytes).ok()?;
    (!folder.is_empty()).then_some(OriginalRef { folder, uid, kind })
}

/// A random Message-ID in the mailbox's domain (without angle brackets).
pub fn new_message_id(domain: &str) -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::thread_rng().r#gen();
    format!("{}@{domain}", hex::encode(bytes))
}

/// Removes control characters (CR/LF would inject headers).
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

fn address_list(list: &[EmailAddress]) -> Address<'static> {
    Address::new_list(
        list.iter()
            .map(|a| {
                Address::new_address(
                    a.name.as_deref().map(one_line).filter(|n| !n.is_empty()),
                    one_line(&a.address),
                )
            })
            .collect(),
    )
}

/// The encoded size is checked as it is written: past R-LIM-1 the write
/// fails with this error's kind and message.
pub fn too_large() -> io::Error {
    io::Error::new(io::ErrorKind::FileTooLarge, "message larger than 201 MiB")
}

/// Counts bytes written and refuses to go past `limit`.
pub struct Limited<W> {
    inner: W,
    pub written: u64,
    limit: u64,
}

impl<W: Write> Limited<W> {
    pub fn new(inner: W, limit: u64) -> Self {
        Limited {
            inner,
            written: 0,
            limit,
        }
    }

    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for Limited<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written + buf.len() as u64 > self.limit {
            return Err(too_large());
        }
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The body without attachments: text, or text + HTML alternative.
fn body_part(m: &Message) -> MimePart<'static> {
    let text = MimePart::new("text/plain", m.text.clone());
    match &m.html {
        Some(html) => {
            let doc = format!(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>{html}</body></html>\n"
            );
            MimePart::new(
                "multipart/alternative",
                vec![text, MimePart::new("text/html", doc)],
            )
        }
        None => text,
    }
}

fn boundary() -> String {
    use rand::Rng;
    let bytes: [u8; 12] = rand::thread_rng().r#gen();
    format!("=_postern_{}", hex::encode(bytes))
}

/// Base64 of a file, 76-character lines, read 57 × 1024 bytes at a time.
fn write_base64_file(path: &std::path::Path, out: &mut impl Write) -> io::Result<()> {
    const LINE: usize = 57; // 57 bytes → 76 base64 characters
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; LINE * 1024];
    let mut line = String::with_capacity(80);
    loop {
        // Fill the buffer completely (short reads happen) so lines stay whole.
        let mut filled = 0;
        while filled < buf.len() {
            let n = file.read(&mut buf[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        for chunk in buf[..filled].chunks(LINE) {
            line.clear();
            base64::engine::general_purpose::STANDARD.encode_string(chunk, &mut line);
            out.write_all(line.as_bytes())?;
            out.write_all(b"\r\n")?;
        }
        if filled < buf.len() {
            return Ok(());
        }
    }
}

fn attachment_headers(a: &FileAttachment, out: &mut impl Write) -> io::Result<()> {
    let name = one_line(&a.name);
    let ct = one_line(&a.content_type);
    let ct = if ct.contains('/') && !ct.contains([';', '"']) {
        ct
    } else {
        "application/octet-stream".to_string()
    };
    out.write_all(b"Content-Type: ")?;
    ContentType::new(ct)
        .attribute("name", name.clone())
        .write_header(&mut *out, 14)?;
    out.write_all(b"Content-Disposition: ")?;
    ContentType::new("attachment")
        .attribute("filename", name)
        .write_header(&mut *out, 21)?;
    out.write_all(b"Content-Transfer-Encoding: base64\r\n\r\n")
}

/// Writes the whole message. With attachments the structure is
/// `multipart/mixed` = [body, attachment…], so attachment *n* (from 0) is
/// IMAP section `n + 2` (what a saved draft reports back).
pub fn write_message(m: &Message, out: impl Write) -> io::Result<u64> {
    let mut out = Limited::new(io::BufWriter::new(out), MAX_MESSAGE_BYTES);
    let mut b = MessageBuilder::new()
        .from(address_list(std::slice::from_ref(&m.from)))
        .date(Date::new(m.date))
        .message_id(MessageId::new(m.message_id.clone()))
        .subject(Text::new(one_line(&m.subject)));
    if !m.to.is_empty() {
        b = b.to(address_list(&m.to));
    }
    if !m.cc.is_empty() {
        b = b.cc(address_list(&m.cc));
    }
    if m.include_bcc && !m.bcc.is_empty() {
        b = b.bcc(address_list(&m.bcc));
    }
    if let Some(irt) = &m.in_reply_to {
        b = b.in_reply_to(MessageId::new(irt.clone()));
    }
    if !m.references.is_empty() {
        b = b.references(MessageId::new_list(m.references.iter().cloned()));
    }
    for (name, value) in &m.extra_headers {
        let value: String = one_line(value).chars().filter(char::is_ascii).collect();
        b = b.header(*name, Raw::new(value));
    }
    for (name, value) in &b.headers {
        out.write_all(name.as_bytes())?;
        out.write_all(b": ")?;
        value.write_header(&mut out, name.len() + 2)?;
    }
    out.write_all(b"MIME-Version: 1.0\r\n")?;
    if m.attachments.is_empty() {
        body_part(m).write_part(&mut out)?;
    } else {
        let boundary = boundary();
        write!(
            out,
            "Content-Type: multipart/mixed;\r\n\tboundary=\"{boundary}\"\r\n\r\n"
        )?;
        out.write_all(format!("--{boundary}\r\n").as_bytes())?;
        body_part(m).write_part(&mut out)?;
        for a in &m.attachments {
            write!(out, "\r\n--{boundary}\r\n")?;
            attachment_headers(a, &mut out)?;
            write_base64_file(&a.path, &mut out)?;
        }
        write!(out, "\r\n--{boundary}--\r\n")?;
    }
    out.flush()?;
    Ok(out.written)
}

/// Encoded size of a file of `n` bytes as base64 lines (76 chars + CRLF).
pub fn base64_size(n: u64) -> u64 {
    let chars = n.div_ceil(3) * 4;
    chars + chars.div_ceil(76) * 2
}

pub use postern_shared::format::human_size;

/// The download-link note for files sent as a transfer (R-LIM-3), as
/// (text, html) to append to the bodies.
pub fn transfer_note(t: &postern_shared::transfers::Transfer) -> (String, String) {
    use super::html::escape;
    let expiry = super::utc_time(t.expires_at);
    let mut text = String::from("\n\n-- \nFiles sent with a download link:\n");
    let mut html = String::from("<div><p>Files sent with a download link:</p><ul>");
    for f in &t.files {
        text.push_str(&format!("  {} ({})\n", f.name, human_size(f.size)));
        html.push_str(&format!(
            "<li>{} ({})</li>",
            escape(&f.name),
            human_size(f.size)
        ));
    }
    text.push_str(&format!("Download: {}\nAvailable until {expiry}.\n", t.url));
    html.push_str(&format!(
        "</ul><p><a href=\"{url}\">{url}</a><br>Available until {expiry}.</p></div>",
        url = escape(&t.url)
    ));
    (text, html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::{MessageParser, MimeHeaders};

    fn addr(a: &str, n: Option<&str>) -> EmailAddress {
        EmailAddress {
            name: n.map(str::to_string),
            address: a.into(),
        }
    }

    fn sample() -> Message {
        Message {
            from: addr("olivia@example.test", Some("Olivia Öster")),
            to: vec![addr("a@x.test", None), addr("b@x.test", Some("Bé"))],
            cc: vec![addr("c@x.test", None)],
            bcc: vec![addr("secret@x.test", None)],
            subject: "Héllo\r\nBcc: evil@x.test".into(),
            text: "Line one\nLine two\n.\n".into(),
            html: Some("<p>Line <b>one</b></p>".into()),
            message_id: "abc@example.test".into(),
            in_reply_to: Some("orig@x.test".into()),
            references: vec!["root@x.test".into(), "orig@x.test".into()],
            date: 1_767_607_200,
            ..Default::default()
        }
    }

    #[test]
    fn builds_headers_and_alternative_without_bcc() {
        let mut out = Vec::new();
        let n = write_message(&sample(), &mut out).unwrap();
        assert_eq!(n as usize, out.len());
        let raw = String::from_utf8(out.clone()).unwrap();
        assert!(!raw.contains("secret@x.test"), "{raw}");
        assert!(!raw.to_ascii_lowercase().contains("\nbcc:"));
        let m = MessageParser::default().parse(&out).unwrap();
        assert_eq!(m.subject(), Some("Héllo  Bcc: evil@x.test"));
        assert_eq!(
            m.from().unwrap().first().unwrap().name(),
            Some("Olivia Öster")
        );
        assert_eq!(m.to().unwrap().iter().count(), 2);
        assert_eq!(m.message_id(), Some("abc@example.test"));
        assert_eq!(m.in_reply_to().as_text(), Some("orig@x.test"));
        assert_eq!(m.references().as_text_list().unwrap().len(), 2);
        assert_eq!(
            m.body_text(0).unwrap().replace("\r\n", "\n").trim_end(),
            "Line one\nLine two\n."
        );
        assert!(m.body_html(0).unwrap().contains("<b>one</b>"));
        assert_eq!(m.date().unwrap().to_timestamp(), 1_767_607_200);
    }

    #[test]
    fn drafts_keep_bcc_and_attachments_are_sections_from_two() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let p1 = dir.path().join("a.bin");
        std::fs::write(&p1, &big).unwrap();
        let p2 = dir.path().join("b.txt");
        std::fs::write(&p2, b"hello").unwrap();
        let mut m = sample();
        m.include_bcc = true;
        m.html = None;
        let original = OriginalRef {
            folder: "Bõxes;x%".into(),
            uid: 7,
            kind: ReplyKind::Reply,
        };
        m.extra_headers = vec![(ORIGINAL_HEADER, encode_original(&original))];
        m.attachments = vec![
            FileAttachment {
                name: "data é.bin".into(),
                content_type: "application/octet-stream".into(),
                path: p1,
                size: big.len() as u64,
            },
            FileAttachment {
                name: "b.txt".into(),
                content_type: "text/plain".into(),
                path: p2,
                size: 5,
            },
        ];
        let mut out = Vec::new();
        write_message(&m, &mut out).unwrap();
        let msg = MessageParser::default().parse(&out).unwrap();
        assert_eq!(
            msg.bcc().unwrap().first().unwrap().address(),
            Some("secret@x.test")
        );
        let header = msg
            .header(ORIGINAL_HEADER)
            .and_then(|h| h.as_text())
            .unwrap();
        assert_eq!(header, "reply;7;B%C3%B5xes%3Bx%25");
        assert_eq!(decode_original(header), Some(original));
        assert_eq!(decode_original("reply;x;INBOX"), None);
        assert_eq!(msg.attachment_count(), 2);
        let a = msg.attachment(0).unwrap();
        assert_eq!(a.attachment_name(), Some("data é.bin"));
        assert_eq!(a.contents(), &big[..]);
        assert_eq!(msg.attachment(1).unwrap().contents(), b"hello");
        // Lines stay within RFC 5322's 998 and base64 lines are 76 wide.
        assert!(out.split(|&b| b == b'\n').all(|l| l.len() <= 998));
    }

    #[test]
    fn the_size_limit_stops_the_write() {
        let mut w = Limited::new(Vec::new(), 10);
        assert!(w.write_all(b"0123456789").is_ok());
        let e = w.write_all(b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(base64_size(57), 78);
        assert_eq!(base64_size(58), 78 + 6);
    }
}
