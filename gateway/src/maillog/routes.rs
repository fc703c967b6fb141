//! The Logs page's routes (R-LOG-1, -3): a mailbox's entries
//! (`GET /v1/mailboxes/{mb}/logs`) and those of every mailbox of an
//! organisation the caller may read (`GET /v1/orgs/{org}/logs`).
//!
//! Who (R-LOG-3): an owner, administrator or legal representative of the
//! mailbox's organisation (`Action::ViewLogs`) whose grant on the mailbox
//! holds `view_logs`. Anyone else: 403, the same for a mailbox that does
//! not exist. The mailbox route is mounted outside the grant middleware,
//! which asks for `read`: logs are a permission of their own.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use postern_shared::api::MailboxId;
use postern_shared::logs::{
    Cursor, Direction, LogEntry, LogPage, LogQuery, LogStatus, PAGE_SIZE, explain,
};
use postern_shared::permissions::{Action, Role};
use postern_shared::{ErrorCode, Permission};

use crate::admin::access::OrgAccess;
use crate::auth::Authenticated;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// `GET /v1/mailboxes/{mb}/logs`.
pub async fn mailbox(
    State(state): State<AppState>,
    account: Authenticated,
    Path(params): Path<HashMap<String, String>>,
    Query(q): Query<LogQuery>,
) -> AppResult<Json<LogPage>> {
    let mb: MailboxId = crate::grants::path_id(&params, "mb")?;
    check_query(&q)?;
    let org = may_view(&state.db, account.account.id, mb).await?;
    let days = super::retention_days(&state.db, org).await?;
    let page = search(&state.db, Scope::Mailbox(mb), &q, days, now()).await?;
    Ok(Json(page))
}

/// `GET /v1/orgs/{org}/logs`: the service's view, for its administrators
/// and legal representatives, over the mailboxes whose grant lets them.
pub async fn organization(
    State(state): State<AppState>,
    access: OrgAccess,
    Query(q): Query<LogQuery>,
) -> AppResult<Json<LogPage>> {
    access.require(Action::ViewLogs)?;
    check_query(&q)?;
    let days = super::retention_days(&state.db, access.organization).await?;
    let scope = Scope::Granted {
        account: access.account.account.id,
        organization: access.organization,
    };
    Ok(Json(search(&state.db, scope, &q, days, now()).await?))
}

fn check_query(q: &LogQuery) -> AppResult<()> {
    match q.problem() {
        Some(m) => Err(AppError::new(ErrorCode::BadRequest, m)),
        None => Ok(()),
    }
}

/// The organisation of `mb` when `account` may read its logs.
pub async fn may_view(db: &Db, account: i64, mb: MailboxId) -> AppResult<i64> {
    let row: Option<(i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT m.organization_id, g.permissions, s.role
         FROM grants g JOIN mailboxes m ON m.id = g.mailbox_id
         LEFT JOIN memberships s ON s.account_id = g.account_id AND s.organization_id = m.organization_id
         WHERE g.account_id = $1 AND g.mailbox_id = $2 AND m.deleted_at IS NULL",
    )
    .bind(account)
    .bind(mb)
    .fetch_optional(db)
    .await?;
    let Some((org, bits, role)) = row else {
        return Err(ErrorCode::Forbidden.into());
    };
    let perms = postern_shared::PermissionSet::from_bits(u8::try_from(bits).unwrap_or(0));
    let role_may = role
        .as_deref()
        .and_then(Role::parse)
        .is_some_and(|r| r.may(Action::ViewLogs));
    if perms.contains(Permission::ViewLogs) && role_may {
        Ok(org)
    } else {
        Err(AppError::new(
            ErrorCode::Forbidden,
            Action::ViewLogs.refusal(),
        ))
    }
}

/// Whose entries a search reads.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Mailbox(MailboxId),
    /// Every mailbox of `organization` on which `account`'s grant holds
    /// `view_logs`.
    Granted {
        account: i64,
        organization: i64,
    },
}

type Row = (
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// One page, newest first, never older than the retention (the sweeper
/// may not have run yet).
pub async fn search(
    db: &Db,
    scope: Scope,
    q: &LogQuery,
    days: u32,
    now: i64,
) -> AppResult<LogPage> {
    let oldest = now - i64::from(days) * 86_400;
    let since = q.since.unwrap_or(oldest).max(oldest);
    let mut sql = String::from(
        "SELECT id, mailbox_id, at, updated_at, direction, sender, recipient, subject, size,
                queue_id, message_id, status, folder, relay, dsn, reply
         FROM mail_log_entries WHERE ",
    );
    let mut n = 0;
    let mut arg = || {
        n += 1;
        format!("${n}")
    };
    match scope {
        Scope::Mailbox(_) => sql.push_str(&format!("mailbox_id = {}", arg())),
        Scope::Granted { .. } => sql.push_str(&format!(
            "mailbox_id IN (SELECT g.mailbox_id FROM grants g JOIN mailboxes m ON m.id = g.mailbox_id
              WHERE g.account_id = {} AND m.organization_id = {} AND (g.permissions & {}) <> 0)",
            arg(),
            arg(),
            arg()
        )),
    }
    sql.push_str(&format!(" AND at >= {}", arg()));
    if q.until.is_some() {
        sql.push_str(&format!(" AND at < {}", arg()));
    }
    if q.direction.is_some() {
        sql.push_str(&format!(" AND direction = {}", arg()));
    }
    let pattern =
        q.q.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(like_pattern);
    if pattern.is_some() {
        let p = arg();
        sql.push_str(&format!(
            " AND (LOWER(sender) LIKE {p} ESCAPE '\\' OR LOWER(recipient) LIKE {p} ESCAPE '\\'
               OR LOWER(subject) LIKE {p} ESCAPE '\\')"
        ));
    }
    let before = q.before.as_deref().and_then(Cursor::parse);
    if before.is_some() {
        let (a, b) = (arg(), arg());
        sql.push_str(&format!(" AND (at < {a} OR (at = {a} AND id < {b}))"));
    }
    sql.push_str(&format!(
        " ORDER BY at DESC, id DESC LIMIT {}",
        PAGE_SIZE + 1
    ));

    let mut query = sqlx::query_as::<_, Row>(&sql);
    query = match scope {
        Scope::Mailbox(mb) => query.bind(mb),
        Scope::Granted {
            account,
            organization,
        } => query.bind(account).bind(organization).bind(i64::from(
            postern_shared::PermissionSet::empty()
                .with(Permission::ViewLogs)
                .bits(),
        )),
    };
    query = query.bind(since);
    if let Some(u) = q.until {
        query = query.bind(u);
    }
    if let Some(d) = q.direction {
        query = query.bind(d.as_str());
    }
    if let Some(p) = pattern {
        query = query.bind(p);
    }
    if let Some(c) = before {
        query = query.bind(c.at).bind(c.id);
    }
    let mut rows = query.fetch_all(db).await?;
    let next = (rows.len() > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE);
        let last = rows.last().expect("a full page");
        Cursor {
            at: last.2,
            id: last.0,
        }
        .encode()
    });
    Ok(LogPage {
        entries: rows.into_iter().filter_map(entry).collect(),
        next,
        retention_days: days,
    })
}

fn entry(r: Row) -> Option<LogEntry> {
    let status = LogStatus::parse(&r.11)?;
    let reason = explain(status, r.14.as_deref(), r.15.as_deref().unwrap_or_default());
    Some(LogEntry {
        id: r.0,
        mailbox_id: r.1,
        at: r.2,
        updated_at: r.3,
        direction: Direction::parse(&r.4)?,
        from: r.5,
        to: r.6,
        subject: r.7,
        size: r.8.map(|s| s.max(0) as u64),
        queue_id: r.9,
        message_id: r.10,
        status,
        folder: r.12,
        relay: r.13,
        dsn: r.14,
        reply: r.15,
        reason,
    })
}

/// `%text%`, lower-cased, with LIKE's own characters escaped; compared
/// with lower-cased columns, because PostgreSQL's LIKE minds case where
/// SQLite's does not.
fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_a_literal_substring() {
        assert_eq!(like_pattern("Ann_%\\"), "%ann\\_\\%\\\\%");
    }
}
