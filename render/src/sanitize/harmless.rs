//! What every output of the sanitiser must satisfy, whatever the input:
//! the output is parsed again as a browser would (attribute values
//! entity-decoded) and checked. Used by the sanitiser's tests and by the
//! fuzz target (`fuzz/`, feature `invariants`).

use super::TAGS;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::RefCell;

#[derive(Default)]
struct Collect {
    tags: RefCell<Vec<Tag>>,
    text: RefCell<String>,
}

impl TokenSink for Collect {
    type Handle = ();
    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(t) if t.kind == TagKind::StartTag => self.tags.borrow_mut().push(t),
            Token::CharacterTokens(s) => self.text.borrow_mut().push_str(&s),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// A start tag: name and (attribute, decoded value) pairs.
pub type StartTag = (String, Vec<(String, String)>);

/// Start tags of `html`, plus the text.
pub fn parse(html: &str) -> (Vec<StartTag>, String) {
    let tok = Tokenizer::new(Collect::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    let _ = tok.feed(&input);
    tok.end();
    let tags = tok
        .sink
        .tags
        .borrow()
        .iter()
        .map(|t| {
            (
                t.name.to_string(),
                t.attrs
                    .iter()
                    .map(|a| (a.name.local.to_string(), a.value.to_string()))
                    .collect(),
            )
        })
        .collect();
    let text = tok.sink.text.borrow().clone();
    (tags, text)
}

/// The invariants every output must satisfy, whatever the input.
pub fn assert_harmless(out: &str) {
    let (tags, _) = parse(out);
    for (name, attrs) in &tags {
        assert!(TAGS.contains(&name.as_str()), "element <{name}> in {out}");
        for (attr, value) in attrs {
            assert!(!attr.starts_with("on"), "event handler {attr} in {out}");
            assert!(
                !matches!(
                    attr.as_str(),
                    "srcset"
                        | "background"
                        | "action"
                        | "formaction"
                        | "srcdoc"
                        | "xlink:href"
                        | "http-equiv"
                ),
                "attribute {attr} in {out}"
            );
            let squashed: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            // A script scheme is harmful where a value is a URL: at its
            // start (any attribute, whatever the sanitiser allows), or
            // anywhere in a style. Inside an https address or a title it
            // is just text, as are CSS functions outside a style (fuzz
            // findings, see fuzz/regressions/).
            for bad in ["javascript:", "vbscript:", "data:text", "data:image/svg"] {
                assert!(
                    !(squashed.starts_with(bad) || (attr == "style" && squashed.contains(bad))),
                    "{bad} in {attr}={value:?} of {out}"
                );
            }
            if attr == "style" {
                for bad in ["expression(", "url(", "image(", "image-set("] {
                    assert!(
                        !squashed.contains(bad),
                        "{bad} in {attr}={value:?} of {out}"
                    );
                }
            }
            if attr == "href" {
                assert!(
                    squashed.starts_with("http:")
                        || squashed.starts_with("https:")
                        || squashed.starts_with("mailto:")
                        || squashed.starts_with('#'),
                    "href {value:?} in {out}"
                );
            }
            if attr == "src" {
                assert!(
                    squashed.starts_with("http:")
                        || squashed.starts_with("https:")
                        || squashed.starts_with("data:image/"),
                    "src {value:?} in {out}"
                );
            }
        }
    }
}

/// With remote images blocked, no image source leaves the message.
pub fn assert_no_remote_images(out: &str) {
    for (name, attrs) in parse(out).0 {
        for (attr, value) in attrs {
            if attr == "src" {
                assert!(
                    value
                        .trim_start()
                        .to_ascii_lowercase()
                        .starts_with("data:image/"),
                    "remote {name} src {value:?} in {out}"
                );
            }
        }
    }
}
