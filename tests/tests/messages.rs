//! R-MAIL-2..5: the message list (order, paging, filters, search), flags
//! shared with every other IMAP client, move/delete, and the reading view
//! (MIME decoding, attachments, sanitised HTML, malformed mail).

use postern_shared::api::{
    DeleteMessagesRequest, Flag, MessageFilter, MessagePage, MoveMessagesRequest, MoveResult,
    SetFlagsRequest,
};
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{
    Fixture, ListQuery, Mail, base64_lines, body_path, part_path, rfc2822_date,
};
use std::collections::BTreeSet;

const T0: i64 = 1_700_000_000;

fn uids(page: &MessagePage) -> Vec<u32> {
    page.messages.iter().map(|m| m.uid).collect()
}

fn set(v: impl IntoIterator<Item = u32>) -> BTreeSet<u32> {
    v.into_iter().collect()
}

/// Every UID the list returns for `q`, across all pages (same anchor).
async fn all_pages(fx: &Fixture, mut q: ListQuery<'_>) -> Vec<u32> {
    let first = fx.list(&q).await.expect("list page 0");
    let mut out = uids(&first);
    q.anchor = Some(first.anchor);
    let mut page = 1;
    while (out.len() as u32) < first.total {
        q.page = Some(page);
        let p = fx.list(&q).await.expect("list next page");
        assert!(
            !p.messages.is_empty(),
            "page {page} empty before total reached"
        );
        out.extend(uids(&p));
        page += 1;
    }
    assert_eq!(out.len() as u32, first.total);
    out
}

async fn set_flag(fx: &Fixture, folder: &str, uids: &[u32], flag: Flag, value: bool) {
    fx.api
        .post::<_, ()>(
            &Route::SetFlags { mb: fx.mailbox }.path(),
            &SetFlagsRequest {
                folder: folder.into(),
                uids: uids.to_vec(),
                flag,
                value,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("set {flag:?}={value} on {uids:?}: {e}"));
}

async fn imap_flags(fx: &mut Fixture, folder: &str, uid: u32) -> Vec<String> {
    fx.imap.select(folder).await.expect("SELECT");
    fx.imap.flags(uid).await.expect("FETCH FLAGS")
}

#[tokio::test]
async fn list_is_newest_first_fifty_per_page_with_the_right_total() {
    let mut fx = Fixture::new().await;
    let appended = fx.fill("INBOX", "Msg", 105, T0).await;
    let newest_first: Vec<u32> = appended.iter().rev().copied().collect();

    let p0 = fx.list(&ListQuery::folder("INBOX")).await.unwrap();
    assert_eq!(p0.total, 105);
    assert_eq!(p0.page_size, 50);
    assert_eq!(p0.page, 0);
    assert_eq!(p0.newer, 0);
    assert_eq!(uids(&p0), newest_first[..50].to_vec());
    assert_eq!(p0.messages[0].subject, "Msg 104");
    assert_eq!(p0.messages[0].date, T0 + 60 * 104);
    let from = p0.messages[0].from.as_ref().expect("from");
    assert_eq!(from.address, "alice@sender.test");
    assert_eq!(from.name.as_deref(), Some("Alice Sender"));

    let mut q = ListQuery::folder("INBOX");
    q.anchor = Some(p0.anchor);
    q.page = Some(1);
    let p1 = fx.list(&q).await.unwrap();
    assert_eq!(uids(&p1), newest_first[50..100].to_vec());
    q.page = Some(2);
    let p2 = fx.list(&q).await.unwrap();
    assert_eq!(uids(&p2), newest_first[100..].to_vec());
    q.page = Some(3);
    assert!(fx.list(&q).await.unwrap().messages.is_empty());
}

#[tokio::test]
async fn paging_is_stable_while_new_mail_arrives() {
    let mut fx = Fixture::new().await;
    let appended = fx.fill("INBOX", "Old", 120, T0).await;
    let newest_first: Vec<u32> = appended.iter().rev().copied().collect();

    let p0 = fx.list(&ListQuery::folder("INBOX")).await.unwrap();
    assert_eq!(uids(&p0), newest_first[..50].to_vec());

    // Three messages arrive (newer dates) while the user reads page 0.
    let fresh = fx.fill("INBOX", "New", 3, T0 + 86_400 * 30).await;

    let mut q = ListQuery::folder("INBOX");
    q.anchor = Some(p0.anchor);
    q.page = Some(1);
    let p1 = fx.list(&q).await.unwrap();
    assert_eq!(
        uids(&p1),
        newest_first[50..100].to_vec(),
        "page 1 continues exactly where page 0 stopped"
    );
    assert_eq!(p1.total, 120, "total is counted below the anchor");
    assert_eq!(p1.newer, 3, "the arrivals are counted, not shown");
    assert_eq!(p1.anchor, p0.anchor);

    let again = fx.list(&ListQuery::folder("INBOX")).await.unwrap();
    assert_eq!(again.total, 123);
    assert_eq!(again.newer, 0);
    let newest: Vec<u32> = fresh.iter().rev().copied().collect();
    assert_eq!(
        uids(&again)[..3].to_vec(),
        newest,
        "a fresh page 0 shows them first"
    );
    assert_eq!(uids(&again)[3..].to_vec(), newest_first[..47].to_vec());
}

#[tokio::test]
async fn each_filter_returns_exactly_the_messages_with_the_matching_imap_flags() {
    let mut fx = Fixture::new().await;
    let u = fx.fill("INBOX", "Mix", 8, T0).await;
    // The mix is set over IMAP, behind the webmail's back.
    fx.imap.select("INBOX").await.unwrap();
    fx.imap
        .uid_store(&[u[0], u[1], u[2]], "+FLAGS", &["\\Seen"])
        .await
        .unwrap();
    fx.imap
        .uid_store(&[u[2], u[3], u[4]], "+FLAGS", &["\\Flagged"])
        .await
        .unwrap();
    fx.imap
        .uid_store(&[u[5]], "+FLAGS", &["\\Answered"])
        .await
        .unwrap();
    let seen = set([u[0], u[1], u[2]]);
    let flagged = set([u[2], u[3], u[4]]);
    let all = set(u.clone());

    let expected = |f: MessageFilter| -> BTreeSet<u32> {
        match f {
            MessageFilter::All => all.clone(),
            MessageFilter::Read => seen.clone(),
            MessageFilter::Unread => all.difference(&seen).copied().collect(),
            MessageFilter::Flagged => flagged.clone(),
            MessageFilter::Unflagged => all.difference(&flagged).copied().collect(),
        }
    };
    for filter in MessageFilter::ALL {
        let mut q = ListQuery::folder("INBOX");
        q.filter = Some(filter);
        let page = fx.list(&q).await.unwrap();
        assert_eq!(
            set(uids(&page)),
            expected(filter),
            "filter {}",
            filter.as_str()
        );
        assert_eq!(page.total as usize, expected(filter).len());
        assert_eq!(set(all_pages(&fx, q.clone()).await), expected(filter));
        for m in &page.messages {
            assert_eq!(m.seen, seen.contains(&m.uid), "seen of {}", m.uid);
            assert_eq!(m.flagged, flagged.contains(&m.uid), "flagged of {}", m.uid);
            assert_eq!(m.answered, m.uid == u[5], "answered of {}", m.uid);
        }
    }
    // And the same as IMAP's own SEARCH says.
    for (filter, crit) in [
        (MessageFilter::Read, "SEEN"),
        (MessageFilter::Unread, "UNSEEN"),
        (MessageFilter::Flagged, "FLAGGED"),
        (MessageFilter::Unflagged, "UNFLAGGED"),
    ] {
        let imap = set(fx.imap_search("INBOX", crit).await);
        assert_eq!(imap, expected(filter), "IMAP {crit}");
    }
}

#[tokio::test]
async fn search_finds_by_subject_from_and_body_text_including_non_ascii() {
    let mut fx = Fixture::new().await;
    let by_subject = fx
        .append(
            "INBOX",
            &[],
            &Mail::new("Quarterly zebra report").date(T0).build(),
        )
        .await;
    let by_from = fx
        .append(
            "INBOX",
            &[],
            &Mail::new("Hello")
                .from("Zoltan Quixote <zq@faraway.test>")
                .date(T0 + 60)
                .build(),
        )
        .await;
    let by_body = fx
        .append(
            "INBOX",
            &[],
            &Mail::new("Gemüse")
                .body("Die Größe des Kürbisses ist erstaunlich.\n")
                .date(T0 + 120)
                .build(),
        )
        .await;
    let by_utf8_subject = fx
        .append(
            "INBOX",
            &[],
            &Mail::new("Réunion au café Ünïcødé").date(T0 + 180).build(),
        )
        .await;
    let _decoy = fx
        .append(
            "INBOX",
            &[],
            &Mail::new("Nothing special")
                .body("plain words only\n")
                .date(T0 + 240)
                .build(),
        )
        .await;

    for (q, want) in [
        ("zebra", vec![by_subject]),
        ("Quixote", vec![by_from]),
        ("zq@faraway.test", vec![by_from]),
        ("Kürbisses", vec![by_body]),
        ("café", vec![by_utf8_subject]),
        ("Ünïcødé", vec![by_utf8_subject]),
        ("no-such-word-anywhere", vec![]),
    ] {
        let mut lq = ListQuery::folder("INBOX");
        lq.q = Some(q);
        let page = fx.list(&lq).await.unwrap();
        assert_eq!(set(uids(&page)), set(want.clone()), "search {q:?}");
        assert_eq!(page.total as usize, want.len(), "total of search {q:?}");
    }
    // Search combines with a filter.
    fx.imap.select("INBOX").await.unwrap();
    fx.imap
        .uid_store(&[by_subject], "+FLAGS", &["\\Seen"])
        .await
        .unwrap();
    let mut lq = ListQuery::folder("INBOX");
    lq.q = Some("zebra");
    lq.filter = Some(MessageFilter::Unread);
    assert!(fx.list(&lq).await.unwrap().messages.is_empty());
}

#[tokio::test]
async fn a_star_set_in_the_webmail_is_seen_over_imap_and_the_other_way_round() {
    let mut fx = Fixture::new().await;
    let u = fx.fill("INBOX", "Star", 2, T0).await;

    // Webmail → IMAP.
    set_flag(&fx, "INBOX", &[u[0]], Flag::Flagged, true).await;
    assert!(
        imap_flags(&mut fx, "INBOX", u[0])
            .await
            .contains(&"\\Flagged".to_string())
    );
    assert!(
        !imap_flags(&mut fx, "INBOX", u[1])
            .await
            .contains(&"\\Flagged".to_string())
    );

    // IMAP → webmail (list and reading view).
    fx.imap.select("INBOX").await.unwrap();
    fx.imap
        .uid_store(&[u[1]], "+FLAGS", &["\\Flagged"])
        .await
        .unwrap();
    let page = fx.list(&ListQuery::folder("INBOX")).await.unwrap();
    for m in &page.messages {
        assert!(m.flagged, "{} should be starred in the list", m.uid);
    }
    let view = fx.open("INBOX", u[1]).await.unwrap();
    assert!(view.flagged);

    // Un-starring in the webmail clears it for everyone.
    set_flag(&fx, "INBOX", &[u[0], u[1]], Flag::Flagged, false).await;
    fx.imap.select("INBOX").await.unwrap();
    let flags = fx.imap.uid_fetch_flags(&u).await.unwrap();
    for uid in &u {
        assert!(!flags[uid].contains(&"\\Flagged".to_string()), "{flags:?}");
    }
}

#[tokio::test]
async fn opening_a_message_marks_it_read_and_mark_unread_undoes_it() {
    let mut fx = Fixture::new().await;
    let uid = fx
        .append("INBOX", &[], &Mail::new("Unread one").build())
        .await;
    assert!(
        !imap_flags(&mut fx, "INBOX", uid)
            .await
            .contains(&"\\Seen".to_string())
    );

    let view = fx.open("INBOX", uid).await.unwrap();
    assert_eq!(view.subject, "Unread one");
    assert!(
        imap_flags(&mut fx, "INBOX", uid)
            .await
            .contains(&"\\Seen".to_string()),
        "opening marks \\Seen for every client"
    );
    let page = fx.list(&ListQuery::folder("INBOX")).await.unwrap();
    assert!(page.messages[0].seen);

    set_flag(&fx, "INBOX", &[uid], Flag::Seen, false).await;
    assert!(
        !imap_flags(&mut fx, "INBOX", uid)
            .await
            .contains(&"\\Seen".to_string())
    );
    let mut q = ListQuery::folder("INBOX");
    q.filter = Some(MessageFilter::Unread);
    assert_eq!(uids(&fx.list(&q).await.unwrap()), vec![uid]);
}

#[tokio::test]
async fn moving_a_message_takes_it_from_the_source_to_the_target_folder() {
    let mut fx = Fixture::new().await;
    fx.imap.create("Projects").await.unwrap();
    let u = fx.fill("INBOX", "Move me", 3, T0).await;

    let res: MoveResult = fx
        .api
        .post(
            &Route::MoveMessages { mb: fx.mailbox }.path(),
            &MoveMessagesRequest {
                folder: "INBOX".into(),
                uids: vec![u[0], u[2]],
                to: "Projects".into(),
            },
        )
        .await
        .expect("move");
    assert_eq!(res.destination.as_deref(), Some("Projects"));
    assert_eq!(res.moved, 2);

    assert_eq!(fx.imap_search("INBOX", "ALL").await, vec![u[1]]);
    let moved = fx.imap_search("Projects", "ALL").await;
    assert_eq!(moved.len(), 2);
    let subjects = set(fx
        .imap_search("Projects", "HEADER Subject \"Move me 0\"")
        .await
        .into_iter()
        .chain(
            fx.imap_search("Projects", "HEADER Subject \"Move me 2\"")
                .await,
        ));
    assert_eq!(subjects.len(), 2, "both moved messages are in Projects");
    let page = fx.list(&ListQuery::folder("Projects")).await.unwrap();
    let mut subjects: Vec<String> = page.messages.iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    assert_eq!(subjects, vec!["Move me 0", "Move me 2"]);
}

#[tokio::test]
async fn delete_moves_to_trash_and_deleting_in_trash_removes_for_good() {
    let mut fx = Fixture::new().await;
    let u = fx.fill("INBOX", "Bin me", 2, T0).await;
    let res: MoveResult = fx
        .api
        .post(
            &Route::DeleteMessages { mb: fx.mailbox }.path(),
            &DeleteMessagesRequest {
                folder: "INBOX".into(),
                uids: vec![u[0]],
            },
        )
        .await
        .expect("delete");
    assert_eq!(res.destination.as_deref(), Some("Trash"));
    assert_eq!(res.moved, 1);
    assert_eq!(fx.imap_search("INBOX", "ALL").await, vec![u[1]]);
    let in_trash = fx.imap_search("Trash", "HEADER Subject \"Bin me 0\"").await;
    assert_eq!(in_trash.len(), 1, "the message is in Trash");

    let trash_page = fx.list(&ListQuery::folder("Trash")).await.unwrap();
    assert_eq!(uids(&trash_page), in_trash);
    let res: MoveResult = fx
        .api
        .post(
            &Route::DeleteMessages { mb: fx.mailbox }.path(),
            &DeleteMessagesRequest {
                folder: "Trash".into(),
                uids: in_trash.clone(),
            },
        )
        .await
        .expect("delete in Trash");
    assert_eq!(res.destination, None, "deleted for good");
    assert_eq!(res.moved, 1);
    assert!(fx.imap_search("Trash", "ALL").await.is_empty());
    // Really gone, not just flagged \Deleted: a fresh session sees nothing.
    let mut other = fx.stack.imap(&fx.address).await;
    let sel = other.select("Trash").await.unwrap();
    assert_eq!(sel.exists, 0);
    assert_eq!(fx.imap_search("INBOX", "ALL").await, vec![u[1]]);
}

fn multipart_message(attachment: &[u8]) -> Vec<u8> {
    let mut m = String::new();
    m.push_str("From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@sender.test>\r\n");
    m.push_str("To: Box <box@example.test>\r\n");
    m.push_str("Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4g8J+OiQ==?=\r\n");
    m.push_str(&format!("Date: {}\r\n", rfc2822_date(T0)));
    m.push_str("Message-ID: <multi-1@sender.test>\r\n");
    m.push_str("MIME-Version: 1.0\r\n");
    m.push_str("Content-Type: multipart/mixed; boundary=\"outer-b\"\r\n\r\n");
    m.push_str("This is a multi-part message in MIME format.\r\n");
    m.push_str("--outer-b\r\n");
    m.push_str("Content-Type: multipart/alternative; boundary=\"inner-b\"\r\n\r\n");
    m.push_str("--inner-b\r\n");
    m.push_str("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
    m.push_str("Sch=C3=B6ne Gr=C3=BC=C3=9Fe, plain version.\r\n");
    m.push_str("--inner-b\r\n");
    m.push_str("Content-Type: text/html; charset=utf-8\r\n\r\n");
    m.push_str(
        "<html><body><p>Sch\u{f6}ne <b>Gr\u{fc}\u{df}e</b>, HTML version.</p></body></html>\r\n",
    );
    m.push_str("--inner-b--\r\n");
    m.push_str("--outer-b\r\n");
    m.push_str("Content-Type: application/octet-stream; name=\"report-2024.bin\"\r\n");
    m.push_str("Content-Disposition: attachment; filename=\"report-2024.bin\"\r\n");
    m.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
    m.push_str(&base64_lines(attachment));
    m.push_str("--outer-b--\r\n");
    m.into_bytes()
}

#[tokio::test]
async fn multipart_message_view_decodes_headers_and_serves_the_attachment_byte_identical() {
    let mut fx = Fixture::new().await;
    // Every byte value, a few times over, not a multiple of 3 long.
    let attachment: Vec<u8> = (0..3001u32).map(|i| (i * 7 % 256) as u8).collect();
    let uid = fx
        .append("INBOX", &[], &multipart_message(&attachment))
        .await;

    let summary = fx.list(&ListQuery::folder("INBOX")).await.unwrap();
    assert_eq!(summary.messages[0].subject, "Grüße aus Köln 🎉");
    assert!(summary.messages[0].has_attachments);

    let view = fx.open("INBOX", uid).await.unwrap();
    assert_eq!(view.subject, "Grüße aus Köln 🎉");
    assert_eq!(view.from.len(), 1);
    assert_eq!(view.from[0].name.as_deref(), Some("Jürgen Müller"));
    assert_eq!(view.from[0].address, "juergen@sender.test");
    assert_eq!(view.date, Some(T0));
    assert!(view.has_html);
    assert!(!view.malformed);
    let text = view.text.clone().unwrap_or_default();
    assert!(text.contains("Schöne Grüße"), "decoded text body: {text:?}");
    assert_eq!(view.attachments.len(), 1, "{:?}", view.attachments);
    let a = &view.attachments[0];
    assert_eq!(a.name, "report-2024.bin");
    assert_eq!(a.size, attachment.len() as u64);
    assert!(!a.inline);

    let resp = fx
        .api
        .request(
            reqwest::Method::GET,
            &part_path(fx.mailbox, uid, &a.section),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let disposition = resp
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        disposition.to_ascii_lowercase().starts_with("attachment"),
        "Content-Disposition: {disposition:?}"
    );
    assert!(disposition.contains("report-2024.bin"), "{disposition:?}");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(bytes.len(), attachment.len());
    assert!(
        bytes.as_ref() == attachment.as_slice(),
        "downloaded bytes differ"
    );

    // The HTML alternative is served as HTML.
    let html = fx
        .api
        .request(reqwest::Method::GET, &body_path(fx.mailbox, uid, false))
        .send()
        .await
        .unwrap();
    assert_eq!(html.status().as_u16(), 200);
    let body = html.text().await.unwrap();
    assert!(body.contains("HTML version"), "{body}");
}

#[tokio::test]
async fn html_body_is_sanitised_with_a_strict_csp_and_remote_images_only_on_request() {
    let mut fx = Fixture::new().await;
    let html = concat!(
        "<html><head><script>alert('head')</script></head><body>",
        "<p>Hello <b>reader</b></p>",
        "<script>alert('xss')</script>",
        "<img src=\"x\" onerror=\"alert('onerror')\">",
        "<a href=\"javascript:alert('js')\">click me</a>",
        "<a href=\"https://good.example/page\">a real link</a>",
        "<img src=\"https://tracker.example/pixel.png\" alt=\"pixel\">",
        "<form action=\"https://phish.example/\"><input name=\"pw\"></form>",
        "<div onclick=\"alert('click')\" style=\"color: red\">styled</div>",
        "</body></html>"
    );
    let msg = format!(
        "From: a@sender.test\r\nTo: box@example.test\r\nSubject: Dangerous HTML\r\nDate: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n",
        rfc2822_date(T0)
    );
    let uid = fx.append("INBOX", &[], msg.as_bytes()).await;

    let view = fx.open("INBOX", uid).await.unwrap();
    assert!(view.has_html);
    assert!(view.remote_images, "the remote image is reported");

    let get = |images: bool| {
        let path = body_path(fx.mailbox, uid, images);
        fx.api.request(reqwest::Method::GET, &path).send()
    };
    let resp = get(false).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let csp = resp
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "CSP: {csp:?}");
    assert!(
        !csp.contains("script-src"),
        "no scripts allowed at all: {csp:?}"
    );
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("text/html"), "{ct}");
    let body = resp.text().await.unwrap();
    let lower = body.to_ascii_lowercase();
    for bad in [
        "<script",
        "alert(",
        "onerror",
        "onclick",
        "javascript:",
        "<form",
        "phish.example",
        "tracker.example",
    ] {
        assert!(
            !lower.contains(bad),
            "sanitised HTML contains {bad:?}:\n{body}"
        );
    }
    assert!(
        body.contains("reader"),
        "the harmless content stays:\n{body}"
    );
    assert!(body.contains("a real link"));

    let resp = get(true).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let csp = resp
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "CSP: {csp:?}");
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("https://tracker.example/pixel.png"),
        "images=allow keeps the remote image:\n{body}"
    );
    let lower = body.to_ascii_lowercase();
    for bad in ["<script", "alert(", "onerror", "javascript:"] {
        assert!(
            !lower.contains(bad),
            "images=allow must not unsanitise {bad:?}"
        );
    }
}

#[tokio::test]
async fn malformed_mime_messages_still_get_a_usable_view_never_a_server_error() {
    let mut fx = Fixture::new().await;
    let date = rfc2822_date(T0);
    let head = |subject: &str, ct: &str| {
        format!(
            "From: a@sender.test\r\nTo: box@example.test\r\nSubject: {subject}\r\nDate: {date}\r\nMIME-Version: 1.0\r\n{ct}\r\n"
        )
    };
    let cases: Vec<(&str, String)> = vec![
        (
            "Broken boundary",
            head(
                "Broken boundary",
                "Content-Type: multipart/mixed; boundary=\"declared\"\r\n",
            ) + "--not-the-declared-boundary\r\nContent-Type: text/plain\r\n\r\nlost text\r\n--also-wrong--\r\n",
        ),
        (
            "No boundary at all",
            head(
                "No boundary at all",
                "Content-Type: multipart/alternative\r\n",
            ) + "just text where parts should be\r\n",
        ),
        (
            "Truncated base64",
            head(
                "Truncated base64",
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
            ) + "SGVsbG8gd29ybGQsIHRoaXMgaXMgdHJ1bmNhdGVk!!@@\r\nSGVsbG\r\n",
        ),
        (
            "Bogus charset",
            head(
                "Bogus charset",
                "Content-Type: text/plain; charset=x-no-such-charset-42\r\n",
            ) + "Caf\u{e9} with an unknown charset\r\n",
        ),
        (
            "Unterminated multipart",
            head(
                "Unterminated multipart",
                "Content-Type: multipart/mixed; boundary=\"b1\"\r\n",
            ) + "--b1\r\nContent-Type: text/html\r\n\r\n<p>half a message\r\n--b1\r\nContent-Type: application/pdf; name=\"x.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK",
        ),
    ];
    let mut appended = Vec::new();
    for (subject, raw) in &cases {
        let mut bytes = raw.clone().into_bytes();
        if *subject == "Bogus charset" {
            // A Latin-1 byte, invalid UTF-8, in a body with an unknown charset.
            let s = String::from_utf8(bytes.clone()).unwrap();
            bytes = s.replace('\u{e9}', "\u{1}").into_bytes();
            let pos = bytes.iter().position(|&b| b == 1).unwrap();
            bytes[pos] = 0xE9;
        }
        appended.push((*subject, fx.append("INBOX", &[], &bytes).await));
    }

    let page = fx
        .list(&ListQuery::folder("INBOX"))
        .await
        .expect("the list still works");
    assert_eq!(page.total as usize, cases.len());

    // Every case is checked before failing, so one report shows them all.
    let mut problems = Vec::new();
    for (subject, uid) in appended {
        let view = match fx.open("INBOX", uid).await {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{subject}: opening failed: {e}"));
                continue;
            }
        };
        if view.subject != subject {
            problems.push(format!("{subject}: subject read as {:?}", view.subject));
        }
        if !(view.malformed || view.text.is_some() || view.has_html) {
            problems.push(format!(
                "{subject}: neither a body nor a 'malformed' hint: {view:?}"
            ));
        }
        let mut urls = Vec::new();
        if view.has_html {
            urls.push(body_path(fx.mailbox, uid, false));
        }
        for a in &view.attachments {
            urls.push(part_path(fx.mailbox, uid, &a.section));
        }
        for url in urls {
            let resp = fx
                .api
                .request(reqwest::Method::GET, &url)
                .send()
                .await
                .unwrap();
            if resp.status().as_u16() >= 500 {
                let status = resp.status();
                let body = resp.text().await.unwrap_or_default();
                problems.push(format!("{subject}: GET {url} → HTTP {status}: {body}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "malformed mail:\n{}",
        problems.join("\n")
    );
}
