//! Two gateway processes on one PostgreSQL database (the stage
//! "integration on PostgreSQL" of `cargo xtask test`): what must hold
//! across processes, not only across the tasks of one. Each test picks the
//! gateway of each call itself.

use std::time::Duration;

use futures_util::StreamExt;
use postern_shared::ErrorCode;
use postern_shared::api::Me;
use postern_shared::compose::{Outgoing, OutgoingState, SendRequest};
use postern_shared::transfers::{NewUpload, Upload};
use postern_shared::wire::query::{UploadOffsetQuery, to_query};
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::Fixture;
use postern_tests::gateways::{GatewayCaller, policy_request};
use postern_tests::sending::{SqlValue, draft, execute, now, sha256_hex, sink_addresses};
use postern_tests::{ImapClient, Stack, unique};

/// R-SEND-2: submissions for one mailbox reach both gateways' policy
/// services at once (as Postfix instances in front of each would send
/// them); the ledger admits exactly the quota, never one more.
#[tokio::test]
async fn the_daily_quota_holds_when_two_gateways_accept_sends_at_once() {
    let stack = Stack::get();
    stack.require_gateways(2);
    let fx = Fixture::with_offer("web_hosting_script").await; // 50 a day
    let quota = 50;
    let attempts = 80;
    let tasks: Vec<_> = (0..attempts)
        .map(|i| {
            let addr = stack.policy_addrs[i % stack.policy_addrs.len()].clone();
            let user = fx.address.clone();
            tokio::spawn(async move {
                let queue_id = format!("Q{i}");
                policy_request(
                    &addr,
                    &[
                        ("request", "smtpd_access_policy"),
                        ("protocol_state", "END-OF-MESSAGE"),
                        ("sasl_username", &user),
                        ("sender", &user),
                        ("recipient_count", "1"),
                        ("size", "1000"),
                        ("queue_id", &queue_id),
                    ],
                )
                .await
            })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        let action = t.await.unwrap();
        if action == "DUNNO" {
            accepted += 1;
        } else {
            assert!(
                action.starts_with("REJECT") && action.contains("[postern:quota_exceeded"),
                "{action}"
            );
        }
    }
    assert_eq!(accepted, quota, "accepted sends out of {attempts}");
    let id = fx.api.identities(fx.mailbox).await.unwrap();
    assert_eq!(id.used_last_24h, quota as u32);
}

/// Undo on one gateway racing the submission on the other: exactly one
/// wins — a cancelled message never leaves, a sent one cannot be undone.
#[tokio::test]
async fn undo_and_send_racing_on_two_gateways_never_both_win() {
    let stack = Stack::get();
    let gws = stack.require_gateways(2);
    let fx = Fixture::new().await;
    let on_one = GatewayCaller::sign_in(&gws[0], &fx.login, &fx.password).await;
    let on_two = on_one.at(&gws[1]);
    let tag = unique("race");
    let rcpts = sink_addresses(&tag, 1);
    let mut outcomes = Vec::new();
    // Undo at different moments around the end of the one-second window.
    for (i, delay_ms) in [700u64, 850, 950, 1000, 1050, 1150, 1300]
        .into_iter()
        .enumerate()
    {
        let subject = format!("Race {tag} {i}");
        let body = SendRequest {
            draft: draft(&[rcpts[0].as_str()], &subject),
            draft_uid: None,
            undo_seconds: 1,
        };
        let sent: Outgoing = on_one
            .call(Route::Send { mb: fx.mailbox }, Some(&body))
            .await
            .unwrap();
        assert_eq!(sent.state, OutgoingState::Scheduled);
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        let undo: Result<Outgoing, _> = on_two
            .call::<(), _>(
                Route::CancelOutgoing {
                    mb: fx.mailbox,
                    id: sent.id.clone(),
                },
                None,
            )
            .await;
        outcomes.push((subject, sent.id, undo));
    }
    for (subject, id, undo) in outcomes {
        let last = final_state(&on_two, fx.mailbox, &id).await;
        match undo {
            Ok(o) => {
                assert_eq!(o.state, OutgoingState::Cancelled, "{subject}");
                assert_eq!(last, OutgoingState::Cancelled, "{subject}");
            }
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::TooLateToUndo, "{subject}: {e}");
                assert_eq!(last, OutgoingState::Sent, "{subject}");
                fx.stack.wait_for_sink(&subject, 1).await;
            }
        }
    }
    // Give a wrongly sent cancelled message time to arrive, then check that
    // each message reached the sink exactly when its undo failed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for i in 0..7 {
        let subject = format!("Race {tag} {i}");
        let n = fx.stack.sink_with(&subject).len();
        assert!(n <= 1, "{subject} arrived {n} times");
    }
}

async fn final_state(
    caller: &GatewayCaller,
    mb: postern_shared::api::MailboxId,
    id: &str,
) -> OutgoingState {
    for _ in 0..100 {
        let o: Outgoing = caller
            .call::<(), _>(
                Route::GetOutgoing {
                    mb,
                    id: id.to_string(),
                },
                None,
            )
            .await
            .unwrap();
        if !matches!(o.state, OutgoingState::Scheduled | OutgoingState::Sending) {
            return o.state;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("outgoing {id} never settled");
}

/// A session is the database's, not a process's: signing out through one
/// gateway is refused by the other on the very next call.
#[tokio::test]
async fn a_sign_out_through_one_gateway_holds_on_the_other_at_once() {
    let stack = Stack::get();
    let gws = stack.require_gateways(2);
    let fx = Fixture::new().await;
    let on_one = GatewayCaller::sign_in(&gws[0], &fx.login, &fx.password).await;
    let on_two = on_one.at(&gws[1]);
    let me: Me = on_two.call::<(), _>(Route::Me, None).await.unwrap();
    assert_eq!(me.account.login, fx.login);
    on_one.call::<(), ()>(Route::Logout, None).await.unwrap();
    let err = on_two.call::<(), Me>(Route::Me, None).await.unwrap_err();
    assert_eq!(err.status, 401, "{err}");
}

/// R-DEV: Dovecot reads device passwords from the shared database with no
/// cache in between, so a revoked one is refused at the next login.
#[tokio::test]
async fn a_revoked_device_password_is_refused_by_dovecot_at_once() {
    let stack = Stack::get();
    let fx = Fixture::new().await;
    let password = fx.device_password().await;
    let mut imap = ImapClient::connect(&stack.imap_addr).await.unwrap();
    imap.login(&fx.address, &password)
        .await
        .expect("a fresh device password signs in");
    // What the device page does to revoke it (the row stays, for the log).
    execute(
        "UPDATE device_passwords SET revoked_at = $1 WHERE pw_sha256 = $2",
        &[
            SqlValue::Int(now()),
            SqlValue::Text(&sha256_hex(password.as_bytes())),
        ],
    )
    .await;
    let mut again = ImapClient::connect(&stack.imap_addr).await.unwrap();
    let refused = again.login(&fx.address, &password).await;
    assert!(refused.is_err(), "a revoked device password still signs in");
}

/// An upload is written by one request at a time, whichever gateway each
/// request reaches: a second writer at the same offset is told to wait.
#[tokio::test]
async fn an_upload_has_one_writer_across_gateways() {
    let stack = Stack::get();
    let gws = stack.require_gateways(2);
    let fx = Fixture::new().await;
    let on_one = GatewayCaller::sign_in(&gws[0], &fx.login, &fx.password).await;
    let on_two = on_one.at(&gws[1]);
    let size = 300_000u64;
    let up: Upload = on_one
        .call(
            Route::CreateUpload,
            Some(&NewUpload {
                name: "big.bin".into(),
                size,
                content_type: "application/octet-stream".into(),
                standalone: false,
            }),
        )
        .await
        .unwrap();
    let query = format!("?{}", to_query(&UploadOffsetQuery { offset: 0 }));
    // A slow body on gateway one: half now, the rest two seconds later.
    let half = vec![b'a'; (size / 2) as usize];
    let slow = futures_util::stream::iter([half.clone(), half])
        .enumerate()
        .then(|(i, chunk)| async move {
            if i == 1 {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Ok::<_, std::io::Error>(chunk)
        });
    let first = {
        let route = Route::UploadData { id: up.id.clone() };
        let q = query.clone();
        let caller = on_one.at(&gws[0]);
        tokio::spawn(async move {
            caller
                .call_raw::<Upload>(route, &q, reqwest::Body::wrap_stream(slow))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    let second: Result<Upload, _> = on_two
        .call_raw(
            Route::UploadData { id: up.id.clone() },
            &query,
            reqwest::Body::from(vec![b'b'; size as usize]),
        )
        .await;
    let err = second.expect_err("a second writer is refused while the first writes");
    assert_eq!(err.code(), ErrorCode::UploadOffset, "{err}");
    let done = first.await.unwrap().expect("the first writer finishes");
    assert_eq!(done.received, size);
    // Its bytes, not a mix: the file is all 'a'.
    let on_disk = std::fs::read(stack.blob_dir.join("uploads").join(&up.id)).unwrap();
    assert!(on_disk.iter().all(|&b| b == b'a') && on_disk.len() == size as usize);
}
