//! Raw RFC 5322 bytes → [`MessageView`] and the HTML body, with
//! `mail-parser`.
//!
//! Attachments carry their IMAP body section (RFC 3501 §6.4.5), because the
//! gateway fetches `BINARY[section]` with it: the parts of a multipart are
//! numbered `1..n` under their parent's section; a non-multipart message's
//! body is section `1`; the body of an attached `message/rfc822` part `X`
//! is numbered like a top-level message, under `X` (`X.1`, `X.2`, …).
//!
//! Malformed input never fails: whatever can be shown is shown and the view
//! says `malformed: true`.

use crate::sanitize::{self, SanitizeOptions, Sanitized};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mail_parser::{Address, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use postern_shared::api::{Attachment, EmailAddress, MessageView};
use std::collections::HashMap;

/// Nested messages deeper than this are listed but not descended into.
const MAX_DEPTH: usize = 16;
/// Inline (cid:) images larger than this are not embedded.
const MAX_INLINE_IMAGE: usize = 10 * 1024 * 1024;
/// Text shown for a message we could not parse at all.
const MAX_FALLBACK_TEXT: usize = 256 * 1024;

/// A leaf (or `message/rfc822`) part with its IMAP section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionInfo {
    pub section: String,
    /// Nesting level: 0 for parts of the top-level message.
    pub depth: usize,
    pub content_type: String,
}

struct PartRef<'m, 'x> {
    section: String,
    depth: usize,
    /// Index in the parts of the message at `depth` (only meaningful at 0).
    id: usize,
    part: &'m MessagePart<'x>,
}

fn child_section(prefix: &str, n: usize) -> String {
    if prefix.is_empty() {
        n.to_string()
    } else {
        format!("{prefix}.{n}")
    }
}

/// Numbers the parts of `msg` (its body lives under `prefix`).
fn walk_message<'m, 'x>(
    msg: &'m Message<'x>,
    prefix: &str,
    depth: usize,
    out: &mut Vec<PartRef<'m, 'x>>,
) {
    let Some(root) = msg.parts.first() else {
        return;
    };
    match &root.body {
        PartType::Multipart(children) => {
            for (i, &child) in children.iter().enumerate() {
                walk_part(
                    msg,
                    child as usize,
                    child_section(prefix, i + 1),
                    depth,
                    out,
                );
            }
        }
        _ => walk_part(msg, 0, child_section(prefix, 1), depth, out),
    }
}

fn walk_part<'m, 'x>(
    msg: &'m Message<'x>,
    id: usize,
    section: String,
    depth: usize,
    out: &mut Vec<PartRef<'m, 'x>>,
) {
    let Some(part) = msg.parts.get(id) else {
        return;
    };
    match &part.body {
        PartType::Multipart(children) => {
            for (i, &child) in children.iter().enumerate() {
                if child as usize != id {
                    walk_part(
                        msg,
                        child as usize,
                        child_section(&section, i + 1),
                        depth,
                        out,
                    );
                }
            }
        }
        PartType::Message(inner) => {
            out.push(PartRef {
                section: section.clone(),
                depth,
                id,
                part,
            });
            if depth < MAX_DEPTH {
                walk_message(inner, &section, depth + 1, out);
            }
        }
        _ => out.push(PartRef {
            section,
            depth,
            id,
            part,
        }),
    }
}

fn content_type_of(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        None => match part.body {
            PartType::Text(_) => "text/plain".into(),
            PartType::Html(_) => "text/html".into(),
            PartType::Message(_) => "message/rfc822".into(),
            _ => "application/octet-stream".into(),
        },
    }
}

/// All sections of a raw message, nested messages included (for callers
/// and tests that need the numbering itself).
pub fn sections(raw: &[u8]) -> Vec<SectionInfo> {
    let Some(msg) = MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    walk_message(&msg, "", 0, &mut parts);
    parts
        .iter()
        .map(|p| SectionInfo {
            section: p.section.clone(),
            depth: p.depth,
            content_type: content_type_of(p.part),
        })
        .collect()
}

/// Flags from the gateway's `X-Postern-Flags` header: (seen, flagged).
pub fn parse_flags(header: &str) -> (bool, bool) {
    let has = |f: &str| header.split_whitespace().any(|x| x.eq_ignore_ascii_case(f));
    (has("\\Seen"), has("\\Flagged"))
}

fn addresses(addr: Option<&Address<'_>>) -> Vec<EmailAddress> {
    let Some(addr) = addr else {
        return Vec::new();
    };
    addr.iter()
        .filter_map(|a| {
            let address = a.address()?.trim();
            if address.is_empty() {
                return None;
            }
            Some(EmailAddress {
                name: a
                    .name()
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty() && n != address),
                address: address.to_string(),
            })
        })
        .collect()
}

/// The closing delimiter of every multipart must be there; a missing one
/// means the message was cut off.
fn is_truncated(msg: &Message<'_>, raw: &[u8]) -> bool {
    msg.parts.iter().any(|p| {
        matches!(p.body, PartType::Multipart(_))
            && p.content_type()
                .and_then(|ct| ct.attribute("boundary"))
                .is_some_and(|b| {
                    let needle = format!("--{b}--");
                    !contains(raw, needle.as_bytes())
                })
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    // The closing delimiters are at the end of the message: search backwards.
    !needle.is_empty() && memchr::memmem::rfind(hay, needle).is_some()
}

fn any_encoding_problem(msg: &Message<'_>, depth: usize) -> bool {
    msg.parts.iter().any(|p| {
        p.is_encoding_problem
            || match &p.body {
                PartType::Message(inner) if depth < MAX_DEPTH => {
                    any_encoding_problem(inner, depth + 1)
                }
                _ => false,
            }
    })
}

/// `cid` → `data:` URL for the inline raster images of the message.
fn inline_images(msg: &Message<'_>) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for part in &msg.parts {
        let Some(cid) = part.content_id() else {
            continue;
        };
        let ct = content_type_of(part);
        let data = match &part.body {
            PartType::Binary(b) | PartType::InlineBinary(b) => b.as_ref(),
            _ => continue,
        };
        if !matches!(
            ct.as_str(),
            "image/png" | "image/jpeg" | "image/jpg" | "image/gif" | "image/webp"
        ) || data.len() > MAX_INLINE_IMAGE
        {
            continue;
        }
        let cid = cid.trim().trim_matches(['<', '>']).to_string();
        map.entry(cid)
            .or_insert_with(|| format!("data:{ct};base64,{}", STANDARD.encode(data)));
    }
    map
}

/// All HTML bodies joined (text parts interleaved in a mixed message are
/// converted by mail-parser); `None` when there is no HTML body at all.
fn html_source(msg: &Message<'_>) -> Option<String> {
    let has_html = msg.html_body.iter().any(|&id| {
        matches!(
            msg.parts.get(id as usize).map(|p| &p.body),
            Some(PartType::Html(_))
        )
    });
    if !has_html {
        return None;
    }
    let mut html = String::new();
    for i in 0..msg.html_body_count() {
        if let Some(h) = msg.body_html(i) {
            html.push_str(&h);
            html.push('\n');
        }
    }
    Some(html)
}

/// A part declared `multipart/*` whose boundary was never found: the parser
/// leaves it as one opaque leaf. Its bytes are the message's real content.
fn is_broken_multipart(part: &MessagePart<'_>) -> bool {
    !matches!(part.body, PartType::Multipart(_))
        && part
            .content_type()
            .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("multipart"))
}

fn broken_multipart_text(msg: &Message<'_>) -> Option<String> {
    let part = msg.parts.iter().find(|p| is_broken_multipart(p))?;
    let bytes = part.contents();
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_FALLBACK_TEXT)]);
    (!text.trim().is_empty()).then(|| text.into_owned())
}

/// The text body; for a multipart without its boundary, the raw body of
/// that part (whatever can be shown is shown).
fn text_body(msg: &Message<'_>) -> Option<String> {
    proper_text_body(msg).or_else(|| broken_multipart_text(msg))
}

fn proper_text_body(msg: &Message<'_>) -> Option<String> {
    let mut text = String::new();
    for i in 0..msg.text_body_count() {
        if let Some(t) = msg.body_text(i) {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&t);
        }
    }
    (!text.trim().is_empty()).then_some(text)
}

fn attachments(msg: &Message<'_>, html: Option<&str>) -> Vec<Attachment> {
    let mut parts = Vec::new();
    walk_message(msg, "", 0, &mut parts);
    let section_of: HashMap<usize, &str> = parts
        .iter()
        .filter(|p| p.depth == 0)
        .map(|p| (p.id, p.section.as_str()))
        .collect();
    let is_body = |id: u32| msg.text_body.contains(&id) || msg.html_body.contains(&id);
    let lower_html = html.map(str::to_ascii_lowercase).unwrap_or_default();
    msg.attachments
        .iter()
        .filter(|&&id| !is_body(id))
        .filter_map(|&id| {
            let part = msg.parts.get(id as usize)?;
            if is_broken_multipart(part) {
                return None;
            }
            let section = section_of.get(&(id as usize))?.to_string();
            let content_type = content_type_of(part);
            let (size, default_name) = match &part.body {
                PartType::Message(inner) => (
                    inner.raw_message().len() as u64,
                    inner
                        .subject()
                        .map(|s| format!("{}.eml", s.trim()))
                        .unwrap_or_else(|| "message.eml".into()),
                ),
                _ => (
                    part.contents().len() as u64,
                    format!("attachment-{section}"),
                ),
            };
            let name = part
                .attachment_name()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or(default_name);
            let inline = part.content_id().is_some_and(|cid| {
                let cid = cid.trim().trim_matches(['<', '>']).to_ascii_lowercase();
                !cid.is_empty() && lower_html.contains(&format!("cid:{cid}"))
            });
            Some(Attachment {
                section,
                name,
                content_type,
                size,
                inline,
            })
        })
        .collect()
}

/// Builds the reading view. `flags` is the gateway's `X-Postern-Flags`.
pub fn message_view(raw: &[u8], uid: u32, folder: &str, flags: &str) -> MessageView {
    let (seen, flagged) = parse_flags(flags);
    let parsed = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.parts.is_empty() && has_known_header(m));
    let Some(msg) = parsed else {
        return fallback_view(raw, uid, folder, seen, flagged);
    };
    let html = html_source(&msg);
    let remote_images = html
        .as_deref()
        .is_some_and(sanitize::may_reference_remote_images);
    let malformed = any_encoding_problem(&msg, 0)
        || is_truncated(&msg, raw)
        || msg.parts.iter().any(is_broken_multipart);
    MessageView {
        uid,
        folder: folder.to_string(),
        subject: msg
            .subject()
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        from: addresses(msg.from()),
        to: addresses(msg.to()),
        cc: addresses(msg.cc()),
        reply_to: addresses(msg.reply_to()),
        date: msg.date().map(|d| d.to_timestamp()),
        message_id: msg.message_id().map(str::to_string),
        seen,
        flagged,
        text: text_body(&msg),
        has_html: html.is_some(),
        remote_images,
        attachments: attachments(&msg, html.as_deref()),
        malformed,
    }
}

/// Garbage still "parses" (as headers with odd names); a message has at
/// least one header we know (From, Subject, Content-Type, …).
fn has_known_header(msg: &Message<'_>) -> bool {
    msg.root_part().headers.iter().any(|h| !h.name.is_other())
}

fn fallback_view(raw: &[u8], uid: u32, folder: &str, seen: bool, flagged: bool) -> MessageView {
    let shown = &raw[..raw.len().min(MAX_FALLBACK_TEXT)];
    let text = String::from_utf8_lossy(shown).into_owned();
    MessageView {
        uid,
        folder: folder.to_string(),
        subject: String::new(),
        from: Vec::new(),
        to: Vec::new(),
        cc: Vec::new(),
        reply_to: Vec::new(),
        date: None,
        message_id: None,
        seen,
        flagged,
        text: (!text.trim().is_empty()).then_some(text),
        has_html: false,
        remote_images: false,
        attachments: Vec::new(),
        malformed: true,
    }
}

/// The sanitised HTML body (`body.html`): the HTML part(s), or the text
/// body escaped when there is no HTML.
pub fn sanitized_body(raw: &[u8], allow_remote_images: bool) -> Sanitized {
    let parsed = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.parts.is_empty() && has_known_header(m));
    let (html, inline) = match &parsed {
        Some(msg) => match html_source(msg) {
            Some(h) => (h, inline_images(msg)),
            None => (
                text_as_html(text_body(msg).as_deref().unwrap_or("")),
                HashMap::new(),
            ),
        },
        None => (
            text_as_html(&String::from_utf8_lossy(
                &raw[..raw.len().min(MAX_FALLBACK_TEXT)],
            )),
            HashMap::new(),
        ),
    };
    sanitize::sanitize_html(
        &html,
        &SanitizeOptions {
            allow_remote_images,
            inline_images: inline,
        },
    )
}

fn text_as_html(text: &str) -> String {
    format!(
        "<pre style=\"white-space: pre-wrap; font-family: inherit\">{}</pre>",
        sanitize::escape_html(text)
    )
}

#[cfg(test)]
mod tests;
