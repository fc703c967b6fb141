//! Sanitising the HTML body of a message (R-MAIL-4): no script, no event
//! handlers, no forms, remote images blocked until the user allows them.
//!
//! Layers, each enough on its own for scripts:
//! 1. ammonia with an explicit allow-list of elements and attributes;
//!    SVG, MathML and every element that embeds or fetches something are
//!    dropped *with their content*;
//! 2. our own URL rule for every `href`/`src`, applied to the value after
//!    the HTML parser decoded entities and after removing whitespace and
//!    control characters (what browsers ignore inside a scheme);
//! 3. our own filter of `style` attributes (no `url(`, `expression(`,
//!    bindings, `position: fixed/absolute/sticky`, escapes);
//! 4. the document is served with its own strict CSP and shown in a
//!    sandboxed iframe without `allow-scripts` (the edge's `message_html.rs`).
//!
//! The gateway caches what this returns: bump [`POLICY_VERSION`] with any
//! change that can change its output, so nothing sanitised by an older
//! rule set is served again.

use ammonia::{Builder, UrlRelative};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Elements kept (attributes are allow-listed separately).
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "main",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements removed together with everything inside them.
const DROP_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "svg",
    "math",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "noscript",
    "noembed",
    "noframes",
    "template",
    "textarea",
    "select",
    "option",
    "optgroup",
    "button",
    "title",
    "head",
    "meta",
    "link",
    "base",
    "xmp",
    "plaintext",
    "canvas",
    "audio",
    "video",
    "source",
    "track",
    "picture",
    "portal",
    "fencedframe",
    "dialog",
    "param",
    "input",
    "datalist",
    "output",
    "keygen",
    "menu",
    "marquee",
];

/// Attributes allowed on every kept element.
const GENERIC_ATTRS: &[&str] = &["style", "title", "dir", "lang", "align", "valign"];

const TAG_ATTRS: &[(&str, &[&str])] = &[
    ("a", &["href", "name"]),
    (
        "img",
        &[
            "src", "alt", "width", "height", "border", "hspace", "vspace",
        ],
    ),
    ("font", &["color", "face", "size"]),
    (
        "table",
        &[
            "width",
            "height",
            "border",
            "cellpadding",
            "cellspacing",
            "bgcolor",
            "summary",
        ],
    ),
    (
        "td",
        &["width", "height", "colspan", "rowspan", "bgcolor", "nowrap"],
    ),
    (
        "th",
        &[
            "width", "height", "colspan", "rowspan", "bgcolor", "nowrap", "scope",
        ],
    ),
    ("tr", &["bgcolor", "height"]),
    ("tbody", &["bgcolor"]),
    ("thead", &["bgcolor"]),
    ("tfoot", &["bgcolor"]),
    ("col", &["span", "width"]),
    ("colgroup", &["span", "width"]),
    ("ol", &["start", "type", "reversed"]),
    ("ul", &["type"]),
    ("li", &["value", "type"]),
    ("hr", &["width", "size", "noshade", "color"]),
    ("div", &["bgcolor"]),
    ("blockquote", &["cite"]),
    ("q", &["cite"]),
    ("del", &["datetime"]),
    ("ins", &["datetime"]),
    ("time", &["datetime"]),
    ("details", &["open"]),
];

/// Image types that may appear as `data:` URLs (never SVG: it can script).
const DATA_IMAGE_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/jpg",
    "image/gif",
    "image/webp",
];

#[derive(Debug, Clone, Default)]
pub struct SanitizeOptions {
    /// Keep remote (`http:`/`https:`) images; otherwise their `src` is removed.
    pub allow_remote_images: bool,
    /// Inline parts: Content-ID (without `<>`) → `data:` URL.
    pub inline_images: HashMap<String, String>,
}

/// The version of the rules below; part of every cached body's key.
pub const POLICY_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized {
    pub html: String,
    /// The input referenced remote images (blocked unless allowed).
    pub remote_images: bool,
}

/// Cleans `html`. Never fails: what cannot be made safe is removed.
pub fn sanitize_html(html: &str, opts: &SanitizeOptions) -> Sanitized {
    let remote = Arc::new(AtomicBool::new(false));
    let filter = AttrFilter {
        allow_remote_images: opts.allow_remote_images,
        inline_images: Arc::new(opts.inline_images.clone()),
        remote_seen: remote.clone(),
    };
    let tag_attrs: HashMap<&str, HashSet<&str>> = TAG_ATTRS
        .iter()
        .map(|(t, a)| (*t, a.iter().copied().collect()))
        .collect();
    let mut builder = Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRS.iter().copied().collect())
        .tag_attributes(tag_attrs)
        // Scheme allow-list for ammonia's own check; ours (in the filter) is
        // stricter and also handles `cid:` and `data:`.
        .url_schemes(
            ["http", "https", "mailto", "cid", "data"]
                .into_iter()
                .collect(),
        )
        // Relative URLs reach our filter, which keeps only `#fragment`.
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .set_tag_attribute_value("a", "target", "_blank")
        .strip_comments(true)
        .attribute_filter(move |element, attribute, value| {
            filter.filter(element, attribute, value)
        });
    let html = builder.clean(html).to_string();
    Sanitized {
        html,
        remote_images: remote.load(Ordering::Relaxed),
    }
}

struct AttrFilter {
    allow_remote_images: bool,
    inline_images: Arc<HashMap<String, String>>,
    remote_seen: Arc<AtomicBool>,
}

impl AttrFilter {
    fn filter<'u>(&self, element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
        if attribute.starts_with("on") {
            return None; // never allow-listed; belt and braces
        }
        match attribute {
            "style" => {
                let css = filter_style(value);
                (!css.is_empty()).then_some(Cow::Owned(css))
            }
            "href" if element == "a" => safe_link(value).map(Cow::Owned),
            "src" if element == "img" => self.image_src(value).map(Cow::Owned),
            "cite" => None, // a URL nobody needs; not worth a rule
            "target" => Some(Cow::Borrowed("_blank")),
            _ => Some(Cow::Borrowed(value)),
        }
    }

    fn image_src(&self, value: &str) -> Option<String> {
        let url = normalise_url(value);
        match scheme_of(&url).as_deref() {
            Some("http") | Some("https") => self.remote_image(url),
            None if url.starts_with("//") => self.remote_image(format!("https:{url}")),
            Some("cid") => {
                let id = postern_shared::format::decode_component(&url["cid:".len()..]);
                self.inline_images.get(id.trim_matches(['<', '>'])).cloned()
            }
            Some("data") => is_safe_data_image(&url).then_some(url),
            _ => None,
        }
    }

    fn remote_image(&self, url: String) -> Option<String> {
        self.remote_seen.store(true, Ordering::Relaxed);
        self.allow_remote_images.then_some(url)
    }
}

/// Whether `html` may reference a remote image: the cheap pass behind
/// `MessageView::remote_images` (only a UI hint; [`sanitize_html`] is what
/// blocks them), so opening a message does not run the whole sanitiser.
///
/// It never answers `false` where [`sanitize_html`] would report a blocked
/// remote image, and may answer `true` where the sanitiser would drop the
/// image anyway (an `<img` inside a comment, script or attribute text).
/// Every `<img`/`<image` start tag anywhere in the text is a candidate
/// (the tree builder turns `image` into `img`); its attributes are read
/// with the HTML tokenizer's rules up to the first `src` (later duplicates
/// are dropped by the parser), whose value decides like
/// [`AttrFilter::image_src`]: `http:`, `https:` or `//` after removing what
/// browsers ignore. Anything unclear counts as remote: a character
/// reference before the scheme is known, a tag running into the next
/// candidate or to the end of the input. Linear: a candidate's scan never
/// goes past the start of the next one.
pub fn may_reference_remote_images(html: &str) -> bool {
    let bytes = html.as_bytes();
    let mut candidates = memchr::memchr_iter(b'<', bytes).filter_map(|lt| {
        let rest = &bytes[lt + 1..];
        let name_len = if starts_with_ignore_case(rest, b"image") {
            5
        } else if starts_with_ignore_case(rest, b"img") {
            3
        } else {
            return None;
        };
        // The tag name must end right there (`<imgx` is another element).
        match rest.get(name_len) {
            Some(b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/' | b'>') => Some(lt + 1 + name_len),
            // `<img` at the very end: the tokenizer emits no tag.
            _ => None,
        }
    });
    let Some(mut current) = candidates.next() else {
        return false;
    };
    loop {
        let next = candidates.next();
        let end = next.unwrap_or(bytes.len());
        match img_src_is_remote(&html[current..end]) {
            Some(true) => return true,
            Some(false) => {}
            // Unclear (ran into the next candidate or the end): be safe.
            None => return true,
        }
        match next {
            Some(n) => current = n,
            None => return false,
        }
    }
}

fn starts_with_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

/// Reads the attributes of a start tag from just after its name, within
/// `tag` (which stops at the next candidate or at the end of the input).
/// `Some(remote?)` once decided by the first `src` or by the end of the
/// tag; `None` when `tag` ran out before either.
fn img_src_is_remote(tag: &str) -> Option<bool> {
    let b = tag.as_bytes();
    let is_ws = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ');
    let mut i = 0;
    loop {
        // Before attribute name: whitespace and `/` (self-closing) are skipped.
        while i < b.len() && (is_ws(b[i]) || b[i] == b'/') {
            i += 1;
        }
        match b.get(i) {
            None => return None,
            Some(b'>') => return Some(false), // end of tag, no src
            _ => {}
        }
        // Attribute name: up to whitespace, `/`, `>` or `=` (the first
        // character is part of the name even if it is `=`).
        let name_start = i;
        i += 1;
        while i < b.len() && !(is_ws(b[i]) || matches!(b[i], b'/' | b'>' | b'=')) {
            i += 1;
        }
        let is_src = b[name_start..i].eq_ignore_ascii_case(b"src");
        // After attribute name.
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        match b.get(i) {
            None => return None,
            Some(b'=') => i += 1,
            Some(_) => {
                if is_src {
                    return Some(false); // `src` without a value: empty
                }
                continue;
            }
        }
        // Before attribute value.
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        let (value, after) = match b.get(i) {
            None => return None,
            Some(b'>') => ("", i), // missing value: empty
            Some(&q @ (b'"' | b'\'')) => match memchr::memchr(q, &b[i + 1..]) {
                Some(len) => (&tag[i + 1..i + 1 + len], i + 2 + len),
                None if is_src => (&tag[i + 1..], b.len()),
                None => return None,
            },
            Some(_) => {
                let len = b[i..]
                    .iter()
                    .position(|&c| is_ws(c) || c == b'>')
                    .unwrap_or(b.len() - i);
                (&tag[i..i + len], i + len)
            }
        };
        if is_src {
            return src_is_remote(value);
        }
        i = after;
    }
}

/// The scheme decision of [`AttrFilter::image_src`] on a raw (not yet
/// entity-decoded) attribute value; `None` when a character reference
/// comes before the decision.
fn src_is_remote(value: &str) -> Option<bool> {
    let mut head = String::new();
    for c in value.chars() {
        if is_ignored_in_url(c) {
            continue;
        }
        if c == '&' {
            return None;
        }
        head.push(c.to_ascii_lowercase());
        if head.len() >= 6 {
            break;
        }
    }
    Some(head.starts_with("//") || head.starts_with("http:") || head.starts_with("https:"))
}

fn is_ignored_in_url(c: char) -> bool {
    c.is_ascii_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{00AD}'
        )
}

/// Removes what browsers ignore inside URLs: ASCII whitespace and control
/// characters anywhere (`java\tscript:`), plus a few invisible Unicode
/// characters. The HTML parser has already decoded entities.
fn normalise_url(value: &str) -> String {
    value.chars().filter(|&c| !is_ignored_in_url(c)).collect()
}

/// Lower-cased scheme, or `None` for a relative URL.
fn scheme_of(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    if url[..colon].contains(['/', '?', '#']) {
        return None; // the colon is later in a relative URL
    }
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        Some(scheme.to_ascii_lowercase())
    } else {
        // Something like "jav%61script:" or non-ASCII: not a URL we allow.
        Some(String::new())
    }
}

/// `http:`, `https:`, `mailto:` or an in-page `#anchor`; anything else is dropped.
fn safe_link(value: &str) -> Option<String> {
    let url = normalise_url(value);
    match scheme_of(&url).as_deref() {
        Some("http") | Some("https") | Some("mailto") => Some(url),
        None if url.starts_with('#') => Some(url),
        None if url.starts_with("//") => Some(format!("https:{url}")),
        _ => None,
    }
}

fn is_safe_data_image(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("data:") else {
        return false;
    };
    let mime_end = rest.find([';', ',']).unwrap_or(rest.len());
    DATA_IMAGE_TYPES.contains(&&rest[..mime_end]) && rest.contains(',')
}

// ------------------------------------------------------------------ CSS

/// Keeps only harmless declarations of a `style` attribute.
///
/// Comments are removed first (so `u/**/rl(` is seen as `url(`), and any
/// declaration containing a backslash is dropped: CSS escapes (`u\rl(`,
/// `\75 rl(`) are the classic way around filters and honest mail never
/// needs them in inline styles.
pub fn filter_style(style: &str) -> String {
    let without_comments = strip_css_comments(style);
    let mut kept = String::with_capacity(without_comments.len());
    // Scratch for the whitespace-free, lower-cased value (one allocation
    // for the whole attribute rather than per declaration).
    let mut squashed = String::new();
    for decl in split_declarations(&without_comments) {
        let decl = decl.trim();
        if decl.is_empty() {
            continue;
        }
        let Some((prop, value)) = decl.split_once(':') else {
            continue;
        };
        let prop = prop.trim();
        let value = value.trim();
        // Property names must be `[a-z-]+` once lower-cased (checked again
        // in `is_safe_declaration`); lower-case only when needed.
        let prop: Cow<'_, str> = if prop.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(prop.to_ascii_lowercase())
        } else {
            Cow::Borrowed(prop)
        };
        if is_safe_declaration(&prop, value, &mut squashed) {
            if !kept.is_empty() {
                kept.push_str("; ");
            }
            kept.push_str(&prop);
            kept.push_str(": ");
            kept.push_str(value);
        }
    }
    kept
}

fn is_safe_declaration(prop: &str, value: &str, squashed: &mut String) -> bool {
    if prop.is_empty()
        || !prop.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        || value.is_empty()
        || value.contains(['\\', '<', '>', '@', '{', '}'])
        || value.chars().any(|c| c.is_control())
    {
        return false;
    }
    const BAD_PROPS: &[&str] = &["behavior", "-moz-binding", "binding", "-ms-behavior"];
    if BAD_PROPS.contains(&prop) || prop.contains("behavior") || prop.contains("binding") {
        return false;
    }
    // A property named like a URL scheme, or a value with a colon of its
    // own, would put `javascript:`/`data:` into the attribute even though
    // no browser runs it (found by the fuzz target: `style="javascript:
    // background:…"`). No real CSS property is named so, and inline values
    // need no colon (`url(` is refused anyway).
    const SCHEME_PROPS: &[&str] = &["javascript", "vbscript", "livescript", "data", "mocha"];
    if SCHEME_PROPS.contains(&prop) || value.contains(':') {
        return false;
    }
    // Compare without whitespace so `url (` or `expression\n(` are caught.
    squashed.clear();
    squashed.extend(
        value
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase()),
    );
    const BAD_VALUES: &[&str] = &[
        "url(",
        "image(",
        "image-set(",
        "cross-fade(",
        "element(",
        "paint(",
        "src(",
        "expression(",
        "javascript:",
        "vbscript:",
        "data:",
        "import",
        "behavior",
        "binding",
    ];
    if BAD_VALUES.iter().any(|b| squashed.contains(b)) {
        return false;
    }
    if prop == "position"
        && ["fixed", "absolute", "sticky"]
            .iter()
            .any(|p| squashed.contains(p))
    {
        return false;
    }
    true
}

fn strip_css_comments(s: &str) -> Cow<'_, str> {
    if !s.contains("/*") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Splits on `;` outside quotes and parentheses.
fn split_declarations(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ';') if depth <= 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Escapes text for HTML (used when a message has only a text body).
pub use postern_shared::html::escape as escape_html;

#[cfg(any(test, feature = "invariants"))]
pub mod harmless;
#[cfg(test)]
mod tests;
