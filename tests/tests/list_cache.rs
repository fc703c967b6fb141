//! The message list keeps its order between requests (so a page costs the
//! same on any folder size) and must still show every change made behind
//! its back — by another IMAP client, by delivery — on the very next
//! request, with no stale rows; a folder recreated under the same name
//! (new UIDVALIDITY) starts afresh. Each list is compared with what a
//! fresh `UID SORT` on an independent IMAP connection says.

use postern_shared::api::{MessageFilter, MessagePage};
use postern_tests::fixtures::{Fixture, ListQuery, Mail};

const DAY: i64 = 86_400;
const BASE: i64 = 1_700_000_000;

/// The test's own, independent answer: newest first by Date header.
async fn fresh_sort(fx: &mut Fixture, folder: &str, criteria: &str) -> Vec<u32> {
    // Dovecot's session can trip over a folder made again under its name
    // ("[SERVERBUG]", see `next_second`) and stay tripped: the test's own
    // check then runs on a new session; what is asserted is the gateway's
    // list, not Dovecot.
    if let Err(e) = fx.imap.select(folder).await {
        assert!(
            format!("{e:?}").contains("SERVERBUG"),
            "SELECT {folder}: {e:?}"
        );
        fx.imap = fx.stack.imap(&fx.address).await;
        fx.imap
            .select(folder)
            .await
            .expect("SELECT on a new session");
    }
    let resp = fx
        .imap
        .command(&format!("UID SORT (REVERSE DATE) UTF-8 {criteria}"))
        .await
        .expect("UID SORT");
    resp.lines()
        .iter()
        .filter_map(|l| l.strip_prefix("SORT"))
        .flat_map(|rest| {
            rest.split_whitespace()
                .filter_map(|n| n.parse::<u32>().ok())
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn listed(fx: &Fixture, q: &ListQuery<'_>) -> MessagePage {
    fx.list(q)
        .await
        .unwrap_or_else(|e| panic!("list {q:?}: {e}"))
}

fn uids(page: &MessagePage) -> Vec<u32> {
    page.messages.iter().map(|m| m.uid).collect()
}

async fn append_dated(fx: &mut Fixture, folder: &str, subject: &str, date: i64) -> u32 {
    let msg = Mail::new(subject).date(date).build();
    fx.append(folder, &[], &msg).await
}

#[tokio::test]
async fn the_list_follows_arrivals_expunges_and_flags_made_elsewhere() {
    let mut fx = Fixture::new().await;
    let folder = "Cached";
    fx.imap.create(folder).await.unwrap();
    // Appended out of date order, so arrival order is not the list's.
    for (i, day) in [5, 1, 9, 3, 7, 2, 8, 4, 6, 0].into_iter().enumerate() {
        append_dated(&mut fx, folder, &format!("m{i} day{day}"), BASE + day * DAY).await;
    }
    let all = ListQuery::folder(folder);
    assert_eq!(
        uids(&listed(&fx, &all).await),
        fresh_sort(&mut fx, folder, "ALL").await
    );
    // Asked again with nothing changed: the same answer.
    assert_eq!(
        uids(&listed(&fx, &all).await),
        fresh_sort(&mut fx, folder, "ALL").await
    );

    // A new message, newest of all: on top at once.
    let newest = append_dated(&mut fx, folder, "newest", BASE + 30 * DAY).await;
    let page = listed(&fx, &all).await;
    assert_eq!(page.messages[0].uid, newest);
    assert_eq!(uids(&page), fresh_sort(&mut fx, folder, "ALL").await);

    // New messages whose dates put them in the middle and at the end.
    append_dated(&mut fx, folder, "middle", BASE + 4 * DAY + 3600).await;
    append_dated(&mut fx, folder, "oldest", BASE - 10 * DAY).await;
    append_dated(&mut fx, folder, "tie", BASE + 5 * DAY).await;
    let page = listed(&fx, &all).await;
    assert_eq!(uids(&page), fresh_sort(&mut fx, folder, "ALL").await);
    assert_eq!(page.total, 14);

    // Two expunged by another client: gone from the next list.
    let gone: Vec<u32> = uids(&page)[3..5].to_vec();
    fx.imap.select(folder).await.unwrap();
    fx.imap
        .uid_store(&gone, "+FLAGS", &["\\Deleted"])
        .await
        .unwrap();
    fx.imap.expunge().await.unwrap();
    let page = listed(&fx, &all).await;
    assert!(uids(&page).iter().all(|u| !gone.contains(u)), "stale rows");
    assert_eq!(uids(&page), fresh_sort(&mut fx, folder, "ALL").await);
    assert_eq!(page.total, 12);

    // Flags changed elsewhere show in filtered views on the next request.
    let flagged_q = ListQuery {
        filter: Some(MessageFilter::Flagged),
        ..ListQuery::folder(folder)
    };
    assert!(listed(&fx, &flagged_q).await.messages.is_empty());
    let pick: Vec<u32> = uids(&page).into_iter().step_by(4).collect();
    fx.imap.select(folder).await.unwrap();
    fx.imap
        .uid_store(&pick, "+FLAGS", &["\\Flagged"])
        .await
        .unwrap();
    assert_eq!(
        uids(&listed(&fx, &flagged_q).await),
        fresh_sort(&mut fx, folder, "FLAGGED").await
    );
    assert_eq!(listed(&fx, &flagged_q).await.total as usize, pick.len());
    fx.imap.select(folder).await.unwrap();
    fx.imap
        .uid_store(&pick[..1], "-FLAGS", &["\\Flagged"])
        .await
        .unwrap();
    let flagged = uids(&listed(&fx, &flagged_q).await);
    assert_eq!(flagged, fresh_sort(&mut fx, folder, "FLAGGED").await);
    assert!(!flagged.contains(&pick[0]));

    // Read elsewhere: out of the unread view.
    let unread_q = ListQuery {
        filter: Some(MessageFilter::Unread),
        ..ListQuery::folder(folder)
    };
    assert_eq!(listed(&fx, &unread_q).await.total, 12);
    fx.imap.select(folder).await.unwrap();
    fx.imap
        .uid_store(&pick, "+FLAGS", &["\\Seen"])
        .await
        .unwrap();
    assert_eq!(
        uids(&listed(&fx, &unread_q).await),
        fresh_sort(&mut fx, folder, "UNSEEN").await
    );

    // A search, then a matching arrival: found on the next request.
    let search_q = ListQuery {
        q: Some("zebra"),
        ..ListQuery::folder(folder)
    };
    assert!(listed(&fx, &search_q).await.messages.is_empty());
    let zebra = append_dated(&mut fx, folder, "the zebra", BASE + 2 * DAY).await;
    assert_eq!(uids(&listed(&fx, &search_q).await), [zebra]);
}

#[tokio::test]
async fn arrivals_after_the_first_page_are_counted_not_mixed_in() {
    let mut fx = Fixture::new().await;
    let folder = "Anchored";
    fx.imap.create(folder).await.unwrap();
    fx.fill(folder, "old", 60, BASE).await;
    let first = listed(&fx, &ListQuery::folder(folder)).await;
    assert_eq!(first.messages.len(), 50);
    // Two arrive while the user reads page one; one has an old Date.
    append_dated(&mut fx, folder, "late new", BASE + 99 * DAY).await;
    append_dated(&mut fx, folder, "late old", BASE - 99 * DAY).await;
    let next = listed(
        &fx,
        &ListQuery {
            page: Some(1),
            anchor: Some(first.anchor),
            ..ListQuery::folder(folder)
        },
    )
    .await;
    assert_eq!(next.newer, 2);
    assert_eq!(next.total, 60, "the anchored list keeps its length");
    let all: Vec<u32> = uids(&first).into_iter().chain(uids(&next)).collect();
    let below: Vec<u32> = fresh_sort(&mut fx, folder, &format!("UID 1:{}", first.anchor - 1)).await;
    assert_eq!(
        all, below,
        "pages 0 and 1 together are the folder as it was"
    );
}

/// Waits for the clock's next second. Dovecot names a mailbox's index by
/// its creation time: a folder deleted and made again under its name in
/// the same second gets an index id one apart, which Dovecot's own other
/// session can take for a corrupted log (`[SERVERBUG]`, "duplicate
/// transaction log sequence") — Dovecot's race, not what this test checks.
async fn next_second() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let left = 1_000 - u64::from(now.subsec_millis()) + 20;
    tokio::time::sleep(std::time::Duration::from_millis(left)).await;
}

#[tokio::test]
async fn a_folder_recreated_or_renamed_away_under_its_name_starts_afresh() {
    let mut fx = Fixture::new().await;
    let folder = "Cycle";
    fx.imap.create(folder).await.unwrap();
    fx.fill(folder, "before", 5, BASE).await;
    let before = listed(&fx, &ListQuery::folder(folder)).await;
    assert_eq!(before.total, 5);

    fx.imap.command("SELECT INBOX").await.unwrap();
    fx.imap.command(&format!("DELETE {folder}")).await.unwrap();
    next_second().await;
    fx.imap.create(folder).await.unwrap();
    fx.fill(folder, "after", 3, BASE).await;
    let after = listed(&fx, &ListQuery::folder(folder)).await;
    assert_ne!(after.uid_validity, before.uid_validity);
    assert_eq!(after.total, 3);
    assert!(
        after
            .messages
            .iter()
            .all(|m| m.subject.starts_with("after")),
        "rows of the deleted folder: {:?}",
        after
            .messages
            .iter()
            .map(|m| &m.subject)
            .collect::<Vec<_>>()
    );
    assert_eq!(uids(&after), fresh_sort(&mut fx, folder, "ALL").await);

    // Renamed away by another client while the gateway holds it open,
    // and a new folder put under the name: the list is the new folder's.
    fx.imap.command("SELECT INBOX").await.unwrap();
    fx.imap
        .command(&format!("RENAME {folder} \"{folder} old\""))
        .await
        .unwrap();
    next_second().await;
    fx.imap.create(folder).await.unwrap();
    fx.fill(folder, "third", 2, BASE).await;
    let third = listed(&fx, &ListQuery::folder(folder)).await;
    assert_eq!(third.total, 2);
    assert!(
        third
            .messages
            .iter()
            .all(|m| m.subject.starts_with("third"))
    );
    let old_name = format!("{folder} old");
    let old = listed(&fx, &ListQuery::folder(&old_name)).await;
    assert_eq!(old.total, 3);
    assert!(old.messages.iter().all(|m| m.subject.starts_with("after")));
}

/// Lists asked side by side (each on its own pooled connection, so some
/// carry an older snapshot than the one the cache last saw) while another
/// client appends and expunges: once the folder is quiet, nothing is lost
/// — the list is exactly a fresh SORT, and each arrival is found by an
/// unread + text search, as a user looking for it would.
#[tokio::test]
async fn lists_asked_at_once_while_mail_arrives_lose_nothing() {
    let mut fx = Fixture::new().await;
    let folder = "Busy";
    fx.imap.create(folder).await.unwrap();
    fx.fill(folder, "busy old", 10, BASE).await;
    let mut other = fx.stack.imap(&fx.address).await;
    let arrivals = 40usize;
    let writer = async {
        let mut subjects = Vec::new();
        for i in 0..arrivals {
            // Dates out of arrival order: some go on top, some in the middle.
            let day = (i as i64 * 7) % 23;
            let subject = format!("busy new {i} q{}", i * 31 % 97);
            let msg = Mail::new(&subject).date(BASE + day * DAY).build();
            let uid = other.append(folder, &[], &msg).await.expect("APPEND");
            if i % 9 == 4 {
                other.select(folder).await.unwrap();
                other
                    .uid_store(&[uid], "+FLAGS", &["\\Deleted"])
                    .await
                    .unwrap();
                other.expunge().await.unwrap();
            } else {
                subjects.push(subject);
            }
        }
        subjects
    };
    let readers = async {
        let unread = ListQuery {
            filter: Some(MessageFilter::Unread),
            ..ListQuery::folder(folder)
        };
        let search = ListQuery {
            q: Some("busy new"),
            ..ListQuery::folder(folder)
        };
        for _ in 0..30 {
            let all = ListQuery::folder(folder);
            let (a, b, c, d) = tokio::join!(
                fx.list(&all),
                fx.list(&unread),
                fx.list(&search),
                fx.list(&all)
            );
            for r in [a, b, c, d] {
                r.expect("list while mail arrives");
            }
        }
    };
    let (kept, ()) = tokio::join!(writer, readers);

    let all = listed(&fx, &ListQuery::folder(folder)).await;
    let truth = fresh_sort(&mut fx, folder, "ALL").await;
    assert_eq!(uids(&all), truth[..truth.len().min(50)]);
    assert_eq!(all.total as usize, 10 + kept.len());
    for subject in &kept {
        let q = ListQuery {
            filter: Some(MessageFilter::Unread),
            q: Some(subject),
            ..ListQuery::folder(folder)
        };
        let found = listed(&fx, &q).await;
        assert!(
            found.messages.iter().any(|m| &m.subject == subject),
            "{subject:?} not found by an unread search: {:?}",
            found
                .messages
                .iter()
                .map(|m| &m.subject)
                .collect::<Vec<_>>()
        );
    }
}
