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
//!    sandboxed iframe without `allow-scripts` (see `api.rs`).

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
                let id = crate::http::percent_decode(&url["cid:".len()..], false);
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

/// Removes what browsers ignore inside URLs: ASCII whitespace and control
/// characters anywhere (`java\tscript:`), plus a few invisible Unicode
/// characters. The HTML parser has already decoded entities.
fn normalise_url(value: &str) -> String {
    value
        .chars()
        .filter(|c| {
            !(c.is_ascii_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '\u{200B}'..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{00AD}'
                ))
        })
        .collect()
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
    let mut kept = Vec::new();
    for decl in split_declarations(&without_comments) {
        let decl = decl.trim();
        if decl.is_empty() {
            continue;
        }
        let Some((prop, value)) = decl.split_once(':') else {
            continue;
        };
        let prop = prop.trim().to_ascii_lowercase();
        let value = value.trim();
        if is_safe_declaration(&prop, value) {
            kept.push(format!("{prop}: {value}"));
        }
    }
    kept.join("; ")
}

fn is_safe_declaration(prop: &str, value: &str) -> bool {
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
    // Compare without whitespace so `url (` or `expression\n(` are caught.
    let squashed: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
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

fn strip_css_comments(s: &str) -> String {
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
    out
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
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
