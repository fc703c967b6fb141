//! A mailbox's auto-reply and sorting rules (issue 13): the Auto-reply
//! and Filters tabs' routes (every one needs the grant's
//! `manage_filters`). Both are rows and one generated Sieve script
//! ([`sieve`], `rules/mailbox-<id>.sieve`), written inside the transaction
//! that changes the rows, the mailbox's row locked first, like the spam
//! filter's (`crate::spam`): a script that cannot be written or does not
//! compile leaves the rows and the old script as they were (503
//! `filters_unavailable`).

pub mod renamed;
pub mod sieve;
pub mod templates;

use axum::Json;
use axum::extract::State;
use postern_shared::api::MailboxId;
use postern_shared::filters::{
    AutoReply, AutoReplySettings, FilterError, FilterReason, MailboxRules, PutRules, Rule,
    RuleAction, check_auto_reply, check_forward, check_rules,
};
use postern_shared::{ErrorCode, Permission};

use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::spam::Script;
use crate::state::AppState;

/// A refused value as the typed error the portal words.
pub fn refused(e: FilterError) -> AppError {
    AppError::from(ErrorCode::InvalidFilterValue).with(|p| {
        p.field = Some(e.field.clone());
        p.reason = Some(e.reason.as_str().into());
        match e.reason {
            FilterReason::Character(c) => p.character = Some(format!("U+{:04X}", c as u32)),
            FilterReason::TooLong(n) | FilterReason::TooMany(n) => p.limit = Some(n as u64),
            _ => {}
        }
    })
}

fn unwritable(e: sieve::Unwritable) -> AppError {
    tracing::warn!(value = %e.0.escape_debug(), "a checked filter value could not be written");
    AppError::from(ErrorCode::InvalidFilterValue).with(|p| p.reason = Some("character".into()))
}

pub(crate) async fn load_auto_reply(
    conn: &mut sqlx::AnyConnection,
    mailbox: MailboxId,
) -> AppResult<AutoReply> {
    type Row = (i64, String, String, Option<String>, Option<String>, i64);
    let row: Option<Row> = sqlx::query_as(
        "SELECT enabled, subject, body, starts_on, ends_on, days FROM auto_replies
         WHERE mailbox_id = $1",
    )
    .bind(mailbox)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        None => AutoReply::default(),
        Some((enabled, subject, text, start, end, days)) => AutoReply {
            enabled: enabled != 0,
            subject,
            text,
            start,
            end,
            days: u32::try_from(days).unwrap_or(7),
        },
    })
}

pub(crate) async fn load_rules(
    conn: &mut sqlx::AnyConnection,
    mailbox: MailboxId,
) -> AppResult<Vec<Rule>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT rule FROM mailbox_rules WHERE mailbox_id = $1 ORDER BY position",
    )
    .bind(mailbox)
    .fetch_all(&mut *conn)
    .await?;
    // Stored after their check; one that no longer reads is left out.
    Ok(rows
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect())
}

/// The mailbox's address and its aliases, lower-case.
async fn own_addresses(
    conn: &mut sqlx::AnyConnection,
    mailbox: MailboxId,
) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = sqlx::query_scalar(
        "SELECT address FROM mailboxes WHERE id = $1
         UNION SELECT address FROM aliases WHERE mailbox_id = $1",
    )
    .bind(mailbox)
    .fetch_all(&mut *conn)
    .await?;
    for a in &mut out {
        *a = a.to_ascii_lowercase();
    }
    out.sort();
    Ok(out)
}

pub(crate) async fn lock_mailbox(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    id: MailboxId,
) -> AppResult<()> {
    if let Some(lock) = crate::db::dialect::lock_row(crate::db::backend(&state.db), "mailboxes") {
        sqlx::query(&lock).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes the mailbox's rules script from the rows as they are in
/// `conn`'s transaction, and marks the row as having one.
pub(crate) async fn write_script(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    mailbox: MailboxId,
) -> AppResult<()> {
    let reply = load_auto_reply(conn, mailbox).await?;
    let rules = load_rules(conn, mailbox).await?;
    let addresses = own_addresses(conn, mailbox).await?;
    let addresses: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let text = sieve::rules_script(&reply, &addresses, &rules).map_err(unwritable)?;
    state.spam.install(Script::Rules(mailbox), &text).await?;
    sqlx::query("UPDATE mailboxes SET rules_script = 1 WHERE id = $1")
        .bind(mailbox)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `GET /v1/mailboxes/{mb}/auto-reply`.
pub async fn get_auto_reply(
    State(state): State<AppState>,
    grant: Grant,
) -> AppResult<Json<AutoReplySettings>> {
    grant.require(Permission::ManageFilters)?;
    let mut conn = state.db.acquire().await?;
    Ok(Json(AutoReplySettings {
        mailbox_id: grant.mailbox_id,
        auto_reply: load_auto_reply(&mut conn, grant.mailbox_id).await?,
    }))
}

/// Stores `reply` (checked) and rewrites the script, in `conn`'s
/// transaction. Also used by a template applied to many mailboxes.
pub async fn save_auto_reply(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    mailbox: MailboxId,
    reply: &AutoReply,
) -> AppResult<()> {
    lock_mailbox(conn, state, mailbox).await?;
    sqlx::query(
        "INSERT INTO auto_replies (mailbox_id, enabled, subject, body, starts_on, ends_on, days, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (mailbox_id) DO UPDATE SET enabled = excluded.enabled,
           subject = excluded.subject, body = excluded.body, starts_on = excluded.starts_on,
           ends_on = excluded.ends_on, days = excluded.days, updated_at = excluded.updated_at",
    )
    .bind(mailbox)
    .bind(i64::from(reply.enabled))
    .bind(&reply.subject)
    .bind(reply.text.replace("\r\n", "\n"))
    .bind(reply.start.clone())
    .bind(reply.end.clone())
    .bind(i64::from(reply.days))
    .bind(now())
    .execute(&mut *conn)
    .await?;
    write_script(state, conn, mailbox).await
}

/// Trims what people type around values; empty dates are none.
fn tidy(mut r: AutoReply) -> AutoReply {
    r.subject = r.subject.trim().to_string();
    let date = |d: Option<String>| d.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
    r.start = date(r.start);
    r.end = date(r.end);
    r
}

/// `PUT /v1/mailboxes/{mb}/auto-reply`.
pub async fn put_auto_reply(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<AutoReply>,
) -> AppResult<Json<AutoReplySettings>> {
    grant.require(Permission::ManageFilters)?;
    let reply = tidy(req);
    check_auto_reply(&reply).map_err(refused)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    save_auto_reply(&state, &mut tx, grant.mailbox_id, &reply).await?;
    tx.commit().await?;
    tracing::info!(
        mailbox = grant.mailbox_id,
        enabled = reply.enabled,
        "auto-reply changed"
    );
    let mut conn = state.db.acquire().await?;
    Ok(Json(AutoReplySettings {
        mailbox_id: grant.mailbox_id,
        auto_reply: load_auto_reply(&mut conn, grant.mailbox_id).await?,
    }))
}

/// `GET /v1/mailboxes/{mb}/rules`.
pub async fn get_rules(
    State(state): State<AppState>,
    grant: Grant,
) -> AppResult<Json<MailboxRules>> {
    grant.require(Permission::ManageFilters)?;
    let mut conn = state.db.acquire().await?;
    Ok(Json(MailboxRules {
        mailbox_id: grant.mailbox_id,
        rules: load_rules(&mut conn, grant.mailbox_id).await?,
    }))
}

/// Replaces the mailbox's rows with `rules`, in order, inside `conn`'s
/// transaction (the caller rewrites the script before committing).
pub(crate) async fn store_rules(
    conn: &mut sqlx::AnyConnection,
    mailbox: MailboxId,
    rules: &[Rule],
) -> AppResult<()> {
    sqlx::query("DELETE FROM mailbox_rules WHERE mailbox_id = $1")
        .bind(mailbox)
        .execute(&mut *conn)
        .await?;
    for (i, r) in rules.iter().enumerate() {
        sqlx::query("INSERT INTO mailbox_rules (mailbox_id, position, rule) VALUES ($1, $2, $3)")
            .bind(mailbox)
            .bind(i as i64)
            .bind(serde_json::to_string(r).map_err(|e| AppError::internal(e.to_string()))?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// `PUT /v1/mailboxes/{mb}/rules`: the whole ordered list. Folders must
/// be the mailbox's; a forward goes to a plain address that is not the
/// mailbox's own (a loop), lower-cased as stored.
pub async fn put_rules(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<PutRules>,
) -> AppResult<Json<MailboxRules>> {
    grant.require(Permission::ManageFilters)?;
    let mut rules = req.rules;
    for r in &mut rules {
        r.name = r.name.trim().to_string();
    }
    check_rules(&rules).map_err(refused)?;
    let needs_folders = rules.iter().any(|r| {
        r.actions
            .iter()
            .any(|a| matches!(a, RuleAction::Move { .. }))
    });
    let folders = if needs_folders {
        crate::routes::folders::load(&state, &grant).await?
    } else {
        Vec::new()
    };
    let mut tx = crate::db::begin_write(&state.db).await?;
    lock_mailbox(&mut tx, &state, grant.mailbox_id).await?;
    let own = own_addresses(&mut tx, grant.mailbox_id).await?;
    for (i, r) in rules.iter_mut().enumerate() {
        for (j, a) in r.actions.iter_mut().enumerate() {
            let field = format!("rules[{i}].actions[{j}]");
            match a {
                RuleAction::Move { folder }
                    if !folders.iter().any(|f| &f.path == folder && f.selectable) =>
                {
                    return Err(AppError::from(ErrorCode::FolderNotFound)
                        .with(|p| p.field = Some(format!("{field}.folder"))));
                }
                RuleAction::Forward { address } => {
                    let target =
                        check_forward(&format!("{field}.address"), address).map_err(refused)?;
                    if own.contains(&target) {
                        return Err(refused(FilterError {
                            field: format!("{field}.address"),
                            reason: FilterReason::OwnAddress,
                        }));
                    }
                    *address = target;
                }
                _ => {}
            }
        }
    }
    store_rules(&mut tx, grant.mailbox_id, &rules).await?;
    write_script(&state, &mut tx, grant.mailbox_id).await?;
    tx.commit().await?;
    tracing::info!(
        mailbox = grant.mailbox_id,
        rules = rules.len(),
        "sorting rules changed"
    );
    Ok(Json(MailboxRules {
        mailbox_id: grant.mailbox_id,
        rules,
    }))
}
