use super::*;

fn crlf(s: &str) -> Vec<u8> {
    s.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes()
}

const PLAIN: &str = "From: Alice Example <alice@example.test>
To: Bob <bob@example.test>, carol@example.test
Cc: Dave <dave@example.test>
Reply-To: replies@example.test
Subject: Lunch?
Date: Tue, 03 Feb 2026 12:34:56 +0100
Message-ID: <abc123@example.test>
Content-Type: text/plain; charset=utf-8

Shall we meet at noon?
";

#[test]
fn plain_text_message() {
    let v = message_view(&crlf(PLAIN), 42, "INBOX", "\\Seen");
    assert_eq!(v.uid, 42);
    assert_eq!(v.folder, "INBOX");
    assert_eq!(v.subject, "Lunch?");
    assert_eq!(
        v.from,
        [EmailAddress {
            name: Some("Alice Example".into()),
            address: "alice@example.test".into()
        }]
    );
    assert_eq!(v.to.len(), 2);
    assert_eq!(v.to[1].address, "carol@example.test");
    assert_eq!(v.to[1].name, None);
    assert_eq!(v.cc[0].address, "dave@example.test");
    assert_eq!(v.reply_to[0].address, "replies@example.test");
    assert_eq!(v.date, Some(1_770_118_496));
    assert_eq!(v.message_id.as_deref(), Some("abc123@example.test"));
    assert!(v.seen && !v.flagged);
    assert!(
        v.text
            .as_deref()
            .unwrap()
            .contains("Shall we meet at noon?")
    );
    assert!(!v.has_html && !v.remote_images && !v.malformed);
    assert!(v.attachments.is_empty());
    assert_eq!(sections(&crlf(PLAIN))[0].section, "1");
}

#[test]
fn flags_header_is_read_case_insensitively() {
    assert_eq!(parse_flags("\\Seen \\Flagged $Junk"), (true, true));
    assert_eq!(parse_flags("\\flagged"), (false, true));
    assert_eq!(parse_flags(""), (false, false));
}

const HTML_ONLY: &str = "From: news@example.test
To: bob@example.test
Subject: News
Content-Type: text/html; charset=utf-8

<html><body><h1>Big news</h1><p>Read <a href=\"https://example.test\">more</a>.</p>
<img src=\"https://tracker.example.test/p.gif\"><script>alert(1)</script></body></html>
";

#[test]
fn html_only_message_gets_a_text_rendering_and_remote_image_notice() {
    let raw = crlf(HTML_ONLY);
    let v = message_view(&raw, 1, "INBOX", "");
    assert!(v.has_html);
    assert!(v.remote_images);
    assert!(!v.seen);
    let text = v.text.unwrap();
    assert!(text.contains("Big news") && text.contains("more"), "{text}");
    assert!(!text.contains("<h1>"));
    let body = sanitized_body(&raw, false);
    assert!(body.html.contains("<h1>Big news</h1>"));
    assert!(!body.html.contains("tracker") && !body.html.contains("script"));
    let allowed = sanitized_body(&raw, true);
    assert!(allowed.html.contains("https://tracker.example.test/p.gif"));
}

/// mixed [ related [ alternative [text, html], image(cid) ], pdf, message/rfc822 [ mixed [ text, zip ] ] ]
const NESTED: &str = "From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <juergen@example.test>
To: =?ISO-8859-1?Q?Fran=E7oise?= <f@example.test>
Subject: =?UTF-8?Q?R=C3=A9sum=C3=A9_f=C3=BCr_Z=C3=BCrich?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"outer\"

--outer
Content-Type: multipart/related; boundary=\"rel\"

--rel
Content-Type: multipart/alternative; boundary=\"alt\"

--alt
Content-Type: text/plain; charset=utf-8

Plain version
--alt
Content-Type: text/html; charset=utf-8

<p>HTML version <img src=\"cid:logo@example.test\" alt=\"logo\"></p>
--alt--
--rel
Content-Type: image/png
Content-ID: <logo@example.test>
Content-Disposition: inline; filename=\"logo.png\"
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--rel--
--outer
Content-Type: application/pdf; name=\"=?UTF-8?B?UmVjaG51bmcgTcOkcnoucGRm?=\"
Content-Disposition: attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer
Content-Type: message/rfc822
Content-Disposition: attachment

From: inner@example.test
Subject: Forwarded one
Content-Type: multipart/mixed; boundary=\"inner\"

--inner
Content-Type: text/plain

Inner text
--inner
Content-Type: application/zip; name=\"a.zip\"
Content-Transfer-Encoding: base64

UEsDBA==
--inner--
--outer--
";

#[test]
fn sections_follow_imap_bodystructure_numbering() {
    let s: Vec<(String, usize, String)> = sections(&crlf(NESTED))
        .into_iter()
        .map(|s| (s.section, s.depth, s.content_type))
        .collect();
    let expected = [
        ("1.1.1", 0, "text/plain"),
        ("1.1.2", 0, "text/html"),
        ("1.2", 0, "image/png"),
        ("2", 0, "application/pdf"),
        ("3", 0, "message/rfc822"),
        ("3.1", 1, "text/plain"),
        ("3.2", 1, "application/zip"),
    ];
    let expected: Vec<(String, usize, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), *b, c.to_string()))
        .collect();
    assert_eq!(s, expected);
}

#[test]
fn nested_message_view_lists_attachments_with_sections_and_decoded_names() {
    let raw = crlf(NESTED);
    let v = message_view(&raw, 7, "Archive/2026", "\\Flagged");
    assert!(!v.malformed, "{v:?}");
    assert_eq!(v.subject, "Résumé für Zürich");
    assert_eq!(v.from[0].name.as_deref(), Some("Jürgen Müller"));
    assert_eq!(v.to[0].name.as_deref(), Some("Françoise"));
    assert!(v.flagged && !v.seen);
    assert!(v.has_html);
    assert!(!v.remote_images);
    assert_eq!(v.text.as_deref().map(str::trim), Some("Plain version"));
    let got: Vec<(&str, &str, &str, u64, bool)> = v
        .attachments
        .iter()
        .map(|a| {
            (
                a.section.as_str(),
                a.name.as_str(),
                a.content_type.as_str(),
                a.size,
                a.inline,
            )
        })
        .collect();
    assert_eq!(got[0], ("1.2", "logo.png", "image/png", 8, true));
    assert_eq!(
        got[1],
        ("2", "Rechnung März.pdf", "application/pdf", 9, false)
    );
    assert_eq!(got[2].0, "3");
    assert_eq!(got[2].1, "Forwarded one.eml");
    assert_eq!(got[2].2, "message/rfc822");
    assert!(got[2].3 > 50);
    assert_eq!(got.len(), 3);

    let body = sanitized_body(&raw, false);
    assert!(
        body.html
            .contains("src=\"data:image/png;base64,iVBORw0KGgo=\""),
        "{}",
        body.html
    );
    assert!(!body.remote_images);
}

const ALTERNATIVE: &str = "From: a@example.test
Subject: Alt
Content-Type: multipart/alternative; boundary=b

--b
Content-Type: text/plain

Text part
--b
Content-Type: text/html

<p>Html part</p>
--b--
";

#[test]
fn alternative_prefers_the_text_part_for_text_and_marks_html() {
    let v = message_view(&crlf(ALTERNATIVE), 1, "INBOX", "");
    assert_eq!(v.text.as_deref().map(str::trim), Some("Text part"));
    assert!(v.has_html);
    assert!(v.attachments.is_empty());
    let s: Vec<String> = sections(&crlf(ALTERNATIVE))
        .into_iter()
        .map(|s| s.section)
        .collect();
    assert_eq!(s, ["1", "2"]);
}

const MIXED: &str = "From: a@example.test
Subject: Report
Content-Type: multipart/mixed; boundary=m

--m
Content-Type: text/plain

See attached.
--m
Content-Type: text/csv; name=report.csv
Content-Disposition: attachment; filename=report.csv

a,b
1,2
--m
Content-Type: application/octet-stream
Content-Disposition: attachment
Content-Transfer-Encoding: base64

AAECAwQ=
--m--
";

#[test]
fn mixed_with_attachments_reports_decoded_sizes() {
    let v = message_view(&crlf(MIXED), 1, "INBOX", "");
    assert_eq!(v.text.as_deref().map(str::trim), Some("See attached."));
    assert!(!v.has_html);
    assert_eq!(v.attachments.len(), 2, "{:?}", v.attachments);
    assert_eq!(v.attachments[0].section, "2");
    assert_eq!(v.attachments[0].name, "report.csv");
    assert_eq!(v.attachments[0].content_type, "text/csv");
    assert_eq!(v.attachments[1].section, "3");
    assert_eq!(v.attachments[1].size, 5);
    assert_eq!(v.attachments[1].name, "attachment-3");
    assert!(!v.attachments[1].inline);
}

#[test]
fn truncated_multipart_is_malformed_but_shown() {
    let raw = crlf(MIXED);
    let cut = &raw[..raw.len() / 2];
    let v = message_view(cut, 1, "INBOX", "");
    assert!(v.malformed);
    assert_eq!(v.subject, "Report");
    assert!(v.text.unwrap().contains("See attached."));
}

#[test]
fn garbage_never_panics() {
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\xff\xfe\x00garbage without headers".to_vec(),
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--".to_vec(),
        b"Content-Type: multipart/mixed\r\n\r\nno boundary".to_vec(),
        b"Subject: =?UTF-8?B?////?=\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%%".to_vec(),
        crlf(NESTED)[..700].to_vec(),
        (0..=255u8).cycle().take(5000).collect(),
    ];
    for raw in inputs {
        let v = message_view(&raw, 1, "INBOX", "");
        let _ = sanitized_body(&raw, false);
        let _ = sections(&raw);
        if raw.is_empty() {
            assert!(v.malformed);
        }
    }
    let v = message_view(b"\xff\xfe\x00garbage without headers", 1, "INBOX", "");
    assert!(v.malformed);
    assert!(v.text.unwrap().contains("garbage"));
}

#[test]
fn text_only_body_html_is_escaped() {
    let raw = crlf("From: a@example.test\nSubject: x\n\n<script>alert(1)</script> & hi\n");
    let body = sanitized_body(&raw, false);
    assert!(body.html.contains("&lt;script&gt;"), "{}", body.html);
    assert!(!body.html.contains("<script"));
}

#[test]
fn multipart_whose_boundary_is_missing_is_malformed_and_shows_its_text() {
    for ct in [
        "multipart/mixed; boundary=\"declared\"",
        "multipart/alternative",
    ] {
        let raw = format!(
            "From: a@example.test\r\nSubject: broken\r\nContent-Type: {ct}\r\n\r\n--other\r\nContent-Type: text/plain\r\n\r\nThe real words.\r\n--other--\r\n"
        );
        let v = message_view(raw.as_bytes(), 3, "INBOX", "");
        assert!(v.malformed, "{ct}");
        assert!(v.attachments.is_empty(), "{ct}: {:?}", v.attachments);
        assert!(
            v.text.as_deref().unwrap_or("").contains("The real words."),
            "{ct}"
        );
    }
}
