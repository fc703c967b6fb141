//! Sanitising the composer's HTML before it goes into a message. The
//! browser's editor already restricts what it produces; this is the
//! server-side guarantee (a client can post anything), and it is stricter
//! than what the reader accepts: basic formatting and links only.

use std::collections::HashSet;
use std::sync::OnceLock;

const TAGS: &[&str] = &[
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "h1",
    "h2",
    "h3",
    "span",
    "div",
];

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.tags(TAGS.iter().copied().collect::<HashSet<_>>())
            .add_tag_attributes("a", &["href"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            // Relative links mean nothing in a message.
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some("noopener noreferrer"))
            .strip_comments(true);
        b
    })
}

/// The sanitised fragment (no `<html>`/`<body>` wrapper).
pub fn sanitize(html: &str) -> String {
    cleaner().clean(html).to_string()
}

pub use postern_shared::html::escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_formatting_and_drops_everything_else() {
        let dirty = r#"<p style="color:red" class="x">Hi <b>there</b><script>alert(1)</script><img src="http://t/x.png"></p><a href="javascript:alert(1)">x</a><a href="https://ok.test/">ok</a><iframe src="https://x"></iframe><h1 onclick="x()">T</h1>"#;
        let clean = sanitize(dirty);
        assert!(clean.contains("<p>Hi <b>there</b></p>"), "{clean}");
        assert!(!clean.contains("script") && !clean.contains("alert"));
        assert!(!clean.contains("<img") && !clean.contains("iframe"));
        assert!(!clean.contains("style") && !clean.contains("class") && !clean.contains("onclick"));
        assert!(clean.contains(r#"href="https://ok.test/""#));
        assert!(clean.contains("<h1>T</h1>"));
    }
}
