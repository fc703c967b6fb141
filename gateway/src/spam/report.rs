//! "Spam" and "not spam" from the webmail's list and reader (R-SPAM-5,
//! R-MAIL-5): the messages move to the mailbox's spam destination (or back
//! to the Inbox), the spam filter learns from them ([`super::learn`]), and
//! the answer names their senders so the webmail can offer to block or
//! approve them in one click (the sender-list routes, which need "manage
//! filters"; a report itself needs only the grant, like a move).

use axum::Json;
use axum::extract::State;
use postern_shared::Permission;
use postern_shared::spam::{MAX_REPORTED, ReportRequest, ReportResult, Verdict};

use super::{mailbox_state, sieve};
use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::imap::ops;
use crate::routes::messages::{move_or_expunge, require_folder, validate_uids};
use crate::state::AppState;

/// At most this many senders are offered.
const MAX_SENDERS: usize = 10;
/// Time one report may spend teaching the filter.
const LEARN_BUDGET: std::time::Duration = std::time::Duration::from_secs(15);
/// Bytes of messages one report holds in memory to be learned.
const MAX_LEARN_TOTAL: usize = 32 * 1024 * 1024;

pub async fn report(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<ReportRequest>,
) -> AppResult<Json<ReportResult>> {
    require_folder(&req.folder)?;
    validate_uids(&req.uids)?;
    if req.uids.len() > MAX_REPORTED {
        return Err(AppError::bad_request(format!(
            "At most {MAX_REPORTED} messages per report."
        )));
    }
    let destination = match req.verdict {
        Verdict::Spam => {
            let mut conn = state.db.acquire().await?;
            let (_, folder, _) = mailbox_state(&mut conn, grant.mailbox_id).await?;
            folder.unwrap_or_else(|| sieve::JUNK.to_string())
        }
        Verdict::NotSpam => "INBOX".to_string(),
    };
    // Read before moving: a moved message has another UID where it lands.
    let (senders, messages) =
        crate::with_connection!(state.imap, &grant.address, folder: Some(&req.folder), |c| {
            ops::select(c, &req.folder, true).await?;
            let rows = ops::fetch_summaries(c, &req.uids).await?;
            // Within the bounds by their sizes, then fetched in one command.
            let mut held = 0;
            let wanted: Vec<u32> = rows
                .iter()
                .filter(|row| {
                    let size = usize::try_from(row.size).unwrap_or(usize::MAX);
                    let fits = size <= super::learn::MAX_LEARN_BYTES && held + size <= MAX_LEARN_TOTAL;
                    if fits {
                        held += size;
                    }
                    fits
                })
                .map(|row| row.uid)
                .collect();
            let messages: Vec<Vec<u8>> = ops::fetch_raws(c, &wanted)
                .await?
                .into_iter()
                .map(|(_, raw)| raw)
                .collect();
            Ok((senders_of(&rows), messages))
        })
        .await
        .map_err(crate::routes::messages::map_select)?;
    // A filter that is slow to answer holds the report up this long at
    // most: what is left is not learned (the move is what was asked).
    let deadline = std::time::Instant::now() + LEARN_BUDGET;
    let mut learned = 0;
    for raw in &messages {
        if std::time::Instant::now() >= deadline {
            tracing::warn!(mailbox = %grant.address, "report: rspamd too slow, not every message learned");
            break;
        }
        if state.learner.learn(&grant.address, req.verdict, raw).await {
            learned += 1;
        }
    }
    let moved = if destination == req.folder {
        0
    } else {
        move_or_expunge(&state, &grant, &req.folder, &req.uids, Some(&destination)).await?
    };
    Ok(Json(ReportResult {
        destination,
        moved,
        senders,
        can_list: grant.permissions.contains(Permission::ManageFilters),
        learned,
    }))
}

/// The rows' sender addresses, lower-case, each once, in order.
fn senders_of(rows: &[postern_shared::api::MessageSummary]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in rows.iter().filter_map(|r| r.from.as_ref()) {
        let address = a.address.trim().to_ascii_lowercase();
        if !address.is_empty() && !out.contains(&address) && out.len() < MAX_SENDERS {
            out.push(address);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::api::{EmailAddress, MessageSummary};

    fn row(uid: u32, from: Option<&str>) -> MessageSummary {
        MessageSummary {
            uid,
            from: from.map(|a| EmailAddress {
                name: None,
                address: a.into(),
            }),
            to: vec![],
            subject: String::new(),
            date: 0,
            size: 10,
            seen: false,
            flagged: false,
            answered: false,
            has_attachments: false,
        }
    }

    #[test]
    fn senders_are_distinct_lower_case_and_bounded() {
        let rows = vec![
            row(1, Some("Spammer@Bad.test")),
            row(2, None),
            row(3, Some("spammer@bad.test")),
            row(4, Some("other@bad.test")),
        ];
        assert_eq!(senders_of(&rows), ["spammer@bad.test", "other@bad.test"]);
        let many: Vec<_> = (0..30)
            .map(|i| row(i, Some(&format!("s{i}@x.test"))))
            .collect();
        assert_eq!(senders_of(&many).len(), MAX_SENDERS);
    }
}
