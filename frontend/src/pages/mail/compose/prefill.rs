//! Pure helpers of the composer: typed addresses, reply/forward subjects
//! and recipients, quoted bodies as HTML. No browser APIs: tested natively.

use postern_shared::api::{EmailAddress, MessageView};
use postern_shared::html::escape;

/// A recipient as typed: parsed when it is a valid address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chip {
    pub addr: EmailAddress,
    pub valid: bool,
}

impl Chip {
    pub fn parse(raw: &str) -> Option<Chip> {
        let raw = raw.trim().trim_matches(|c| c == ',' || c == ';').trim();
        if raw.is_empty() {
            return None;
        }
        let (name, address) = match (raw.rfind('<'), raw.ends_with('>')) {
            (Some(i), true) => (
                raw[..i].trim().trim_matches('"').trim(),
                raw[i + 1..raw.len() - 1].trim(),
            ),
            _ => ("", raw),
        };
        let name = (!name.is_empty()).then(|| name.to_owned());
        Some(Chip {
            valid: is_valid_address(address),
            addr: EmailAddress {
                name,
                address: address.to_owned(),
            },
        })
    }

    pub fn of(addr: EmailAddress) -> Chip {
        Chip {
            valid: is_valid_address(&addr.address),
            addr,
        }
    }
}

/// `local@domain.tld`: one `@`, no spaces or brackets, a dotted domain.
pub fn is_valid_address(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else {
        return false;
    };
    let bad = |s: &str| {
        s.chars()
            .any(|c| c.is_whitespace() || "<>()[]\\,;:\"@".contains(c))
    };
    !local.is_empty()
        && local.len() <= 64
        && !bad(local)
        && !bad(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// Splits a pasted list on `,` `;` and line breaks, outside quotes and `<…>`.
pub fn split_list(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut angle) = (Vec::new(), String::new(), false, false);
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' => angle = true,
            '>' => angle = false,
            ',' | ';' | '\n' | '\r' if !quoted && !angle => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Distinct valid addresses across To, Cc and Bcc (R-SEND-1 counts these).
pub fn distinct_recipients<'a>(chips: impl Iterator<Item = &'a Chip>) -> usize {
    let mut seen: Vec<String> = chips
        .filter(|c| c.valid)
        .map(|c| c.addr.address.to_lowercase())
        .collect();
    seen.sort();
    seen.dedup();
    seen.len()
}

/// `Re: subject` / `Fwd: subject`, without doubling an existing prefix.
pub fn prefixed(subject: &str, forward: bool) -> String {
    let s = subject.trim();
    let lower = s.to_lowercase();
    let known: &[&str] = if forward {
        &["fwd:", "fw:", "rv:"]
    } else {
        &["re:", "aw:", "sv:"]
    };
    if known.iter().any(|p| lower.starts_with(p)) {
        s.to_owned()
    } else {
        format!("{} {s}", if forward { "Fwd:" } else { "Re:" })
            .trim_end()
            .to_owned()
    }
}

fn is_own(a: &EmailAddress, own: &[String]) -> bool {
    own.iter().any(|o| o.eq_ignore_ascii_case(&a.address))
}

/// Recipients of a reply: (To, Cc). The sender (or Reply-To); for
/// reply-all also the original To and Cc; never the mailbox itself
/// (`own`: its address and aliases). Replying to one's own message goes to
/// its recipients.
pub fn reply_recipients(
    m: &MessageView,
    own: &[String],
    all: bool,
) -> (Vec<EmailAddress>, Vec<EmailAddress>) {
    let sender = if m.reply_to.is_empty() {
        &m.from
    } else {
        &m.reply_to
    };
    let mine = !sender.is_empty() && sender.iter().all(|a| is_own(a, own));
    let mut to: Vec<EmailAddress> = if mine { m.to.clone() } else { sender.clone() };
    let mut cc = Vec::new();
    if all {
        if !mine {
            to.extend(m.to.iter().cloned());
        }
        cc.extend(m.cc.iter().cloned());
    }
    let mut seen: Vec<String> = Vec::new();
    let mut keep = |a: &EmailAddress| {
        let key = a.address.to_lowercase();
        let ok = !is_own(a, own) && !seen.contains(&key);
        seen.push(key);
        ok
    };
    to.retain(&mut keep);
    cc.retain(&mut keep);
    if to.is_empty() && mine {
        to = m.to.clone();
    }
    (to, cc)
}

/// Plain text as editor paragraphs (one `<p>` per line).
pub fn text_to_html(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| {
            if l.trim().is_empty() {
                "<p><br></p>".to_owned()
            } else {
                format!("<p>{}</p>", escape(l))
            }
        })
        .collect()
}

/// The body of a reply: an empty line, then `header` and the quoted text.
pub fn reply_html(header: &str, text: &str) -> String {
    format!(
        "<p><br></p><p>{}</p><blockquote>{}</blockquote>",
        escape(header),
        text_to_html(text)
    )
}

/// The body of a forward: an empty line, the original headers, the text.
pub fn forward_html(title: &str, headers: &[(String, String)], text: &str) -> String {
    let mut s = format!("<p><br></p><p>---------- {} ----------</p>", escape(title));
    for (k, v) in headers.iter().filter(|(_, v)| !v.is_empty()) {
        s.push_str(&format!("<p>{}: {}</p>", escape(k), escape(v)));
    }
    s.push_str("<p><br></p>");
    s.push_str(&text_to_html(text));
    s
}

/// The signature block appended to new messages (`-- ` line, RFC 3676).
pub fn signature_html(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    format!("<p><br></p><p>-- </p>{}", text_to_html(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(addr: &str) -> EmailAddress {
        EmailAddress {
            name: None,
            address: addr.into(),
        }
    }

    #[test]
    fn typed_addresses_become_chips() {
        let c = Chip::parse("Zoë Tester <zoe@elsewhere.test>").unwrap();
        assert!(c.valid);
        assert_eq!(c.addr.name.as_deref(), Some("Zoë Tester"));
        assert_eq!(c.addr.address, "zoe@elsewhere.test");
        assert!(Chip::parse("bob@example.test,").unwrap().valid);
        assert!(!Chip::parse("not an address").unwrap().valid);
        assert!(!Chip::parse("a@b").unwrap().valid);
        assert!(Chip::parse("  ").is_none());
    }

    #[test]
    fn pasted_lists_split_outside_quotes() {
        assert_eq!(
            split_list("\"Doe, John\" <j@x.test>; a@b.test\nc@d.test,"),
            vec!["\"Doe, John\" <j@x.test>", "a@b.test", "c@d.test"]
        );
    }

    #[test]
    fn subjects_are_prefixed_once() {
        assert_eq!(prefixed("Hello", false), "Re: Hello");
        assert_eq!(prefixed("RE: Hello", false), "RE: Hello");
        assert_eq!(prefixed("Hello", true), "Fwd: Hello");
        assert_eq!(prefixed("Fwd: Hello", true), "Fwd: Hello");
        assert_eq!(prefixed("Re: Hello", true), "Fwd: Re: Hello");
        assert_eq!(prefixed("", false), "Re:");
    }

    #[test]
    fn reply_all_skips_the_mailbox_itself_and_duplicates() {
        let m = MessageView {
            uid: 1,
            folder: "INBOX".into(),
            subject: "s".into(),
            from: vec![a("zoe@elsewhere.test")],
            to: vec![
                a("Olivia@example.test"),
                a("bob@x.test"),
                a("zoe@elsewhere.test"),
            ],
            cc: vec![a("carol@x.test")],
            reply_to: vec![],
            date: None,
            message_id: None,
            seen: true,
            flagged: false,
            text: None,
            has_html: false,
            remote_images: false,
            attachments: vec![],
            malformed: false,
        };
        let own = vec!["olivia@example.test".to_owned()];
        let (to, cc) = reply_recipients(&m, &own, false);
        assert_eq!(to, vec![a("zoe@elsewhere.test")]);
        assert!(cc.is_empty());
        let (to, cc) = reply_recipients(&m, &own, true);
        assert_eq!(to, vec![a("zoe@elsewhere.test"), a("bob@x.test")]);
        assert_eq!(cc, vec![a("carol@x.test")]);
        assert_eq!(
            distinct_recipients(
                [
                    Chip::of(a("A@x.test")),
                    Chip::of(a("a@x.test")),
                    Chip::of(a("bad"))
                ]
                .iter()
            ),
            1
        );
    }

    #[test]
    fn quoted_text_is_escaped() {
        assert_eq!(
            reply_html("On Monday, Zoë wrote:", "a <b>\n\nc"),
            "<p><br></p><p>On Monday, Zoë wrote:</p><blockquote><p>a &lt;b&gt;</p><p><br></p><p>c</p></blockquote>"
        );
    }
}
