//! The mail service's templates (R-TPL): rows of `templates`, written by
//! owners and administrators (`Action::ManageTemplates`) under
//! `/v1/orgs/{org}/templates`, read by whoever sees the administration;
//! the visible ones are offered to a mailbox's users with "manage
//! filters" (`/v1/mailboxes/{mb}/templates`). A template is a starting
//! point copied into a mailbox's auto-reply or rule: changing or deleting
//! it later changes no mailbox.
//!
//! Applying an auto-reply template to many mailboxes writes each one's
//! row and rules script in one transaction ([`super::save_auto_reply`]):
//! if any script cannot be written, the rows roll back and the scripts
//! already written are written again from them, so no mailbox is left
//! with a script its rows do not say.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postern_shared::api::{MailboxId, OrganizationId};
use postern_shared::permissions::Action;
use postern_shared::templates::{
    ApplyTemplateRequest, ApplyTemplateResult, MAX_TEMPLATES, MailboxTemplates, OrgTemplates,
    Template, TemplateContent, TemplateId, TemplateInput, check_template, not_applicable,
};
use postern_shared::{ErrorCode, Permission};

use super::{load_auto_reply, refused, save_auto_reply, write_script};
use crate::admin::access::OrgAccess;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::state::AppState;

/// The most mailboxes one apply names (as the bulk spam switch).
const MAX_APPLY: usize = crate::spam::MAX_BULK;

type Row = (i64, String, i64, String, i64);

const COLUMNS: &str = "SELECT id, name, visible, content, updated_at FROM templates";

fn from_row((id, name, visible, content, updated_at): Row) -> Option<Template> {
    // Stored after their check; one that no longer reads is left out.
    Some(Template {
        id,
        name,
        visible: visible != 0,
        content: serde_json::from_str(&content).ok()?,
        updated_at,
    })
}

/// The organisation's templates by name (then id); only the visible ones
/// when `visible_only`.
async fn load(
    conn: &mut sqlx::AnyConnection,
    org: OrganizationId,
    visible_only: bool,
) -> AppResult<Vec<Template>> {
    let filter = if visible_only { " AND visible = 1" } else { "" };
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{COLUMNS} WHERE organization_id = $1{filter} ORDER BY name, id"
    ))
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().filter_map(from_row).collect())
}

async fn load_one(
    conn: &mut sqlx::AnyConnection,
    org: OrganizationId,
    id: TemplateId,
) -> AppResult<Template> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{COLUMNS} WHERE organization_id = $1 AND id = $2"))
            .bind(org)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.and_then(from_row)
        .ok_or_else(|| ErrorCode::TemplateNotFound.into())
}

/// Trims what people type around names and values, then checks.
fn tidy(mut t: TemplateInput) -> AppResult<TemplateInput> {
    t.name = t.name.trim().to_string();
    match &mut t.content {
        TemplateContent::AutoReply { subject, text } => {
            *subject = subject.trim().to_string();
            *text = text.replace("\r\n", "\n");
        }
        TemplateContent::Rule { conditions, .. } => {
            for c in conditions {
                c.value = c.value.trim().to_string();
                c.header = c.header.take().map(|h| h.trim().to_string());
            }
        }
    }
    check_template(&t).map_err(refused)?;
    Ok(t)
}

fn content_json(t: &TemplateInput) -> AppResult<String> {
    serde_json::to_string(&t.content).map_err(|e| AppError::internal(e.to_string()))
}

/// Stores a template already tidied and checked (the routes, the demo
/// seed); its id.
pub(crate) async fn insert(
    conn: &mut sqlx::AnyConnection,
    org: OrganizationId,
    t: &TemplateInput,
) -> AppResult<TemplateId> {
    Ok(sqlx::query_scalar(
        "INSERT INTO templates (organization_id, kind, name, visible, content, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org)
    .bind(t.content.kind())
    .bind(&t.name)
    .bind(i64::from(t.visible))
    .bind(content_json(t)?)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?)
}

/// `GET /v1/orgs/{org}/templates`: whoever sees the administration.
pub async fn list(
    State(state): State<AppState>,
    access: OrgAccess,
) -> AppResult<Json<OrgTemplates>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(OrgTemplates {
        organization_id: access.organization,
        templates: load(&mut conn, access.organization, false).await?,
        allowed: access.role.may(Action::ManageTemplates),
    }))
}

/// `POST /v1/orgs/{org}/templates`.
pub async fn create(
    State(state): State<AppState>,
    access: OrgAccess,
    Json(req): Json<TemplateInput>,
) -> AppResult<(StatusCode, Json<Template>)> {
    access.require(Action::ManageTemplates)?;
    let t = tidy(req)?;
    let org = access.organization;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM templates WHERE organization_id = $1")
            .bind(org)
            .fetch_one(&mut *tx)
            .await?;
    if count >= MAX_TEMPLATES as i64 {
        return Err(AppError::bad_request(format!(
            "A mail service has at most {MAX_TEMPLATES} templates; delete some first."
        ))
        .with(|p| p.limit = Some(MAX_TEMPLATES as u64)));
    }
    let id = insert(&mut tx, org, &t).await?;
    let made = load_one(&mut tx, org, id).await?;
    tx.commit().await?;
    tracing::info!(
        organization = org,
        template = id,
        kind = t.content.kind(),
        "template created"
    );
    Ok((StatusCode::CREATED, Json(made)))
}

/// `PUT /v1/orgs/{org}/templates/{template}`: the kind may change too.
pub async fn update(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, template)): Path<(i64, TemplateId)>,
    Json(req): Json<TemplateInput>,
) -> AppResult<Json<Template>> {
    access.require(Action::ManageTemplates)?;
    let t = tidy(req)?;
    let org = access.organization;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let n = sqlx::query(
        "UPDATE templates SET kind = $1, name = $2, visible = $3, content = $4, updated_at = $5
         WHERE organization_id = $6 AND id = $7",
    )
    .bind(t.content.kind())
    .bind(&t.name)
    .bind(i64::from(t.visible))
    .bind(content_json(&t)?)
    .bind(now())
    .bind(org)
    .bind(template)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(ErrorCode::TemplateNotFound.into());
    }
    let changed = load_one(&mut tx, org, template).await?;
    tx.commit().await?;
    tracing::info!(organization = org, template = template, "template changed");
    Ok(Json(changed))
}

/// `DELETE /v1/orgs/{org}/templates/{template}`.
pub async fn delete(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, template)): Path<(i64, TemplateId)>,
) -> AppResult<StatusCode> {
    access.require(Action::ManageTemplates)?;
    let n = sqlx::query("DELETE FROM templates WHERE organization_id = $1 AND id = $2")
        .bind(access.organization)
        .bind(template)
        .execute(&state.db)
        .await?
        .rows_affected();
    if n != 1 {
        return Err(ErrorCode::TemplateNotFound.into());
    }
    tracing::info!(
        organization = access.organization,
        template = template,
        "template deleted"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/orgs/{org}/templates/{template}/apply` (R-TPL-1): all or
/// none; a mailbox that is not the organisation's refuses the whole
/// request with the usual 403.
pub async fn apply(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, template)): Path<(i64, TemplateId)>,
    Json(req): Json<ApplyTemplateRequest>,
) -> AppResult<Json<ApplyTemplateResult>> {
    access.require(Action::ManageTemplates)?;
    if req.mailboxes.is_empty() || req.mailboxes.len() > MAX_APPLY {
        return Err(AppError::bad_request(format!(
            "Name 1 to {MAX_APPLY} mailboxes."
        )));
    }
    let org = access.organization;
    let mut ids = req.mailboxes.clone();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let t = load_one(&mut tx, org, template).await?;
    if let Some(reason) = not_applicable(&t) {
        return Err(AppError::from(ErrorCode::TemplateNotApplicable)
            .with(|p| p.reason = Some(reason.into())));
    }
    let TemplateContent::AutoReply { subject, text } = &t.content else {
        unreachable!("not_applicable refuses every other kind");
    };
    for &id in &ids {
        let theirs: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM mailboxes
             WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL AND kind = 'mailbox'",
        )
        .bind(id)
        .bind(org)
        .fetch_optional(&mut *tx)
        .await?;
        if theirs.is_none() {
            return Err(ErrorCode::Forbidden.into());
        }
    }
    let (y, m, d) = crate::dpa::today();
    let today = format!("{y:04}-{m:02}-{d:02}");
    let mut written: Vec<MailboxId> = Vec::new();
    let mut failure = None;
    for &id in &ids {
        let mut reply = match load_auto_reply(&mut tx, id).await {
            Ok(r) => r,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        reply.enabled = true;
        reply.subject = subject.clone();
        reply.text = text.clone();
        // A past absence's dates would switch on a reply that never
        // answers: the template answers from today, as applying it means.
        if dates_over(&reply, &today) || postern_shared::filters::check_auto_reply(&reply).is_err()
        {
            reply.start = None;
            reply.end = None;
        }
        match save_auto_reply(&state, &mut tx, id, &reply).await {
            Ok(()) => written.push(id),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    if let Some(e) = failure {
        drop(tx);
        restore_scripts(&state, &written).await;
        return Err(e);
    }
    tx.commit().await?;
    tracing::info!(
        organization = org,
        template = t.id,
        mailboxes = ids.len(),
        "auto-reply template applied"
    );
    Ok(Json(ApplyTemplateResult { mailboxes: ids }))
}

/// An auto-reply whose last day is before `today` (both `YYYY-MM-DD`,
/// which sort as dates).
fn dates_over(r: &postern_shared::filters::AutoReply, today: &str) -> bool {
    r.end.as_deref().is_some_and(|end| end < today)
}

/// After a rolled-back apply: the scripts written in it, from the rows.
async fn restore_scripts(state: &AppState, mailboxes: &[MailboxId]) {
    for &id in mailboxes {
        let restored = async {
            let mut tx = crate::db::begin_write(&state.db).await?;
            write_script(state, &mut tx, id).await?;
            tx.commit().await?;
            AppResult::Ok(())
        }
        .await;
        if let Err(e) = restored {
            tracing::error!(mailbox = id, error = ?e, "rules script not restored after a failed apply");
        }
    }
}

/// `GET /v1/mailboxes/{mb}/templates`: the visible templates of the
/// mailbox's organisation.
pub async fn for_mailbox(
    State(state): State<AppState>,
    grant: Grant,
) -> AppResult<Json<MailboxTemplates>> {
    grant.require(Permission::ManageFilters)?;
    let mut conn = state.db.acquire().await?;
    let org: OrganizationId =
        sqlx::query_scalar("SELECT organization_id FROM mailboxes WHERE id = $1")
            .bind(grant.mailbox_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(Json(MailboxTemplates {
        mailbox_id: grant.mailbox_id,
        templates: load(&mut conn, org, true).await?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::filters::AutoReply;

    fn ending(end: Option<&str>) -> AutoReply {
        AutoReply {
            enabled: true,
            subject: "s".into(),
            text: "t".into(),
            start: Some("2026-01-01".into()),
            end: end.map(str::to_string),
            days: 7,
        }
    }

    #[test]
    fn only_an_absence_that_ended_before_today_is_over() {
        assert!(dates_over(&ending(Some("2026-11-30")), "2026-12-01"));
        assert!(
            !dates_over(&ending(Some("2026-12-01")), "2026-12-01"),
            "its last day is today"
        );
        assert!(!dates_over(&ending(Some("2027-01-02")), "2026-12-01"));
        assert!(!dates_over(&ending(None), "2026-12-01"), "open-ended");
    }
}
