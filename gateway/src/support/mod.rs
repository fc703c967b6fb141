//! Support access (R-SUP): the grants a mailbox's users give support, the
//! staff check, and the history of staff's reads. The permission check of
//! staff's requests is [`crate::grants::require_support`], in one place
//! with the mailbox grant check; the handlers are in [`routes`].

pub mod routes;

use postern_shared::api::{AccountId, MailboxId};
use postern_shared::permissions::{Action, Role};
use postern_shared::support::{
    HISTORY_LIMIT, SUPPORT_ACCESS_DAYS, StaffGrant, StaffGrants, SupportAccess, SupportGrant,
    SupportKind, SupportOverview, SupportRead, SupportScope,
};
use postern_shared::{ApiError, ErrorCode};

use crate::db::Db;
use crate::error::{AppError, AppResult};

/// `support_grants.kind` of a single shared message (R-SUP-4).
const MESSAGE_KIND: &str = "message";

/// A grant in force, as the staff check found it.
#[derive(Debug, Clone)]
pub struct ActiveGrant {
    pub id: String,
    pub mailbox_id: MailboxId,
    pub address: String,
    pub scope: SupportScope,
    /// A shared message's folder's UIDVALIDITY when it was shared.
    pub uid_validity: Option<u32>,
}

impl ActiveGrant {
    /// Whether the grant lets staff make `read` (of `folder`/`uid`): a kind
    /// of content, everything of the mailbox; a shared message, only its
    /// reading view and attachments.
    pub fn covers(&self, read: SupportRead, folder: Option<&str>, uid: Option<u32>) -> bool {
        match &self.scope {
            SupportScope::Content {
                kind: SupportKind::MailboxContents,
            } => true,
            SupportScope::Message { folder: f, uid: u } => {
                matches!(read, SupportRead::Message | SupportRead::Attachment)
                    && folder == Some(f.as_str())
                    && uid == Some(*u)
            }
        }
    }
}

/// The account is support staff: the staff role in an organisation marked
/// `staff` (the role in a customer's organisation means nothing).
pub async fn require_staff(db: &Db, account: AccountId) -> AppResult<()> {
    let roles: Vec<String> = sqlx::query_scalar(
        "SELECT m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
         WHERE m.account_id = $1 AND o.staff = 1",
    )
    .bind(account)
    .fetch_all(db)
    .await?;
    let action = Action::ReadSupportedMailboxes;
    if roles
        .iter()
        .filter_map(|r| Role::parse(r))
        .any(|r| r.may(action))
    {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::Forbidden, action.refusal()))
    }
}

fn scope_of(kind: &str, folder: Option<String>, uid: Option<i64>) -> Option<SupportScope> {
    if kind == MESSAGE_KIND {
        Some(SupportScope::Message {
            folder: folder?,
            uid: u32::try_from(uid?).ok()?,
        })
    } else {
        Some(SupportScope::Content {
            kind: SupportKind::parse(kind)?,
        })
    }
}

fn columns_of(scope: &SupportScope) -> (&str, Option<&str>, Option<i64>) {
    match scope {
        SupportScope::Content { kind } => (kind.as_str(), None, None),
        SupportScope::Message { folder, uid } => {
            (MESSAGE_KIND, Some(folder.as_str()), Some(i64::from(*uid)))
        }
    }
}

/// The grant `id` if staff may use it at `now`. An unknown id (or one of a
/// deleted mailbox) is the plain 403; a revoked or expired one says so.
pub async fn active(db: &Db, id: &str, now: i64) -> AppResult<ActiveGrant> {
    type Row = (
        i64,
        String,
        String,
        Option<String>,
        Option<i64>,
        i64,
        Option<i64>,
        Option<i64>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT g.mailbox_id, m.address, g.kind, g.folder, g.uid, g.expires_at, g.revoked_at,
                g.uid_validity
         FROM support_grants g JOIN mailboxes m ON m.id = g.mailbox_id
         WHERE g.id = $1 AND m.deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let (mailbox_id, address, kind, folder, uid, expires_at, revoked_at, uid_validity) =
        row.ok_or(AppError::from(ErrorCode::Forbidden))?;
    if revoked_at.is_some() || expires_at <= now {
        return Err(ErrorCode::SupportAccessExpired.into());
    }
    let scope = scope_of(&kind, folder, uid).ok_or(AppError::from(ErrorCode::Forbidden))?;
    Ok(ActiveGrant {
        id: id.to_string(),
        mailbox_id,
        address,
        scope,
        uid_validity: uid_validity.and_then(|v| u32::try_from(v).ok()),
    })
}

/// R-SUP-3: the first member of support to open grant `id` takes it; it
/// is theirs alone from then on (403 `support_access_taken` for another).
/// One statement, so two members opening it at once cannot both take it.
pub async fn claim(db: &Db, id: &str, staff: AccountId) -> AppResult<()> {
    sqlx::query("UPDATE support_grants SET handled_by = $1 WHERE id = $2 AND handled_by IS NULL")
        .bind(staff)
        .bind(id)
        .execute(db)
        .await?;
    let handler: Option<i64> =
        sqlx::query_scalar("SELECT handled_by FROM support_grants WHERE id = $1")
            .bind(id)
            .fetch_one(db)
            .await?;
    if handler == Some(staff) {
        Ok(())
    } else {
        Err(ErrorCode::SupportAccessTaken.into())
    }
}

/// Writes one read of the history (R-SUP-3), before the read is served.
pub async fn record(
    db: &Db,
    grant: &str,
    staff: AccountId,
    read: SupportRead,
    folder: Option<&str>,
    uid: Option<u32>,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO support_accesses (grant_id, staff_id, what, folder, uid, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(grant)
    .bind(staff)
    .bind(read_name(read))
    .bind(folder)
    .bind(uid.map(i64::from))
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

fn read_name(read: SupportRead) -> &'static str {
    match read {
        SupportRead::Folders => "folders",
        SupportRead::Messages => "messages",
        SupportRead::Message => "message",
        SupportRead::Attachment => "attachment",
    }
}

fn parse_read(s: &str) -> Option<SupportRead> {
    [
        SupportRead::Folders,
        SupportRead::Messages,
        SupportRead::Message,
        SupportRead::Attachment,
    ]
    .into_iter()
    .find(|r| read_name(*r) == s)
}

/// A new random handle: 128 bits, lower hex.
fn new_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

type GrantRow = (
    String,
    String,
    Option<String>,
    Option<i64>,
    String,
    Option<String>,
    i64,
    i64,
);

fn grant_of(row: GrantRow) -> Option<SupportGrant> {
    let (id, kind, folder, uid, granted_by, handled_by, created_at, expires_at) = row;
    Some(SupportGrant {
        id,
        scope: scope_of(&kind, folder, uid)?,
        granted_by,
        handled_by,
        created_at,
        expires_at,
    })
}

/// The grants of `mailbox` in force at `now`, newest first.
async fn in_force(db: &Db, mailbox: MailboxId, now: i64) -> AppResult<Vec<SupportGrant>> {
    let rows: Vec<GrantRow> = sqlx::query_as(
        "SELECT g.id, g.kind, g.folder, g.uid, a.display_name, h.display_name, g.created_at,
                g.expires_at
         FROM support_grants g JOIN accounts a ON a.id = g.granted_by
         LEFT JOIN accounts h ON h.id = g.handled_by
         WHERE g.mailbox_id = $1 AND g.revoked_at IS NULL AND g.expires_at > $2
         ORDER BY g.created_at DESC, g.id",
    )
    .bind(mailbox)
    .bind(now)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().filter_map(grant_of).collect())
}

/// Opens `scope` of `mailbox` to support for [`SUPPORT_ACCESS_DAYS`]. The
/// same scope already in force is answered as it is (switching on twice
/// neither doubles it nor extends it).
pub async fn grant(
    db: &Db,
    mailbox: MailboxId,
    by: AccountId,
    scope: &SupportScope,
    uid_validity: Option<u32>,
    now: i64,
) -> AppResult<SupportGrant> {
    for g in in_force(db, mailbox, now).await? {
        // The same message is the same UID of the same UIDVALIDITY.
        if g.scope == *scope && stored_uid_validity(db, &g.id).await? == uid_validity {
            return Ok(g);
        }
    }
    let (kind, folder, uid) = columns_of(scope);
    let id = new_id();
    let expires_at = now + SUPPORT_ACCESS_DAYS * 86_400;
    sqlx::query(
        "INSERT INTO support_grants (id, mailbox_id, kind, folder, uid, granted_by, created_at,
                                     expires_at, uid_validity)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(mailbox)
    .bind(kind)
    .bind(folder)
    .bind(uid)
    .bind(by)
    .bind(now)
    .bind(expires_at)
    .bind(uid_validity.map(i64::from))
    .execute(db)
    .await?;
    let granted_by: String = sqlx::query_scalar("SELECT display_name FROM accounts WHERE id = $1")
        .bind(by)
        .fetch_one(db)
        .await?;
    Ok(SupportGrant {
        id,
        scope: scope.clone(),
        granted_by,
        handled_by: None,
        created_at: now,
        expires_at,
    })
}

async fn stored_uid_validity(db: &Db, id: &str) -> AppResult<Option<u32>> {
    let v: Option<i64> =
        sqlx::query_scalar("SELECT uid_validity FROM support_grants WHERE id = $1")
            .bind(id)
            .fetch_one(db)
            .await?;
    Ok(v.and_then(|v| u32::try_from(v).ok()))
}

/// Ends grant `id` of `mailbox` now; 404 unless it is in force there.
pub async fn revoke(db: &Db, mailbox: MailboxId, id: &str, now: i64) -> AppResult<()> {
    let done = sqlx::query(
        "UPDATE support_grants SET revoked_at = $1
         WHERE id = $2 AND mailbox_id = $3 AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(id)
    .bind(mailbox)
    .execute(db)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::NotFound,
            "No support access in force has this id.",
        )
        .into())
    }
}

/// What the mailbox's users see: the grants in force and the history.
pub async fn overview(db: &Db, mailbox: MailboxId, now: i64) -> AppResult<SupportOverview> {
    type Row = (
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT s.at, a.display_name, a.login, s.what, s.folder, s.uid, g.kind
         FROM support_accesses s JOIN support_grants g ON g.id = s.grant_id
         JOIN accounts a ON a.id = s.staff_id
         WHERE g.mailbox_id = $1 ORDER BY s.at DESC, s.id DESC LIMIT {HISTORY_LIMIT}"
    ))
    .bind(mailbox)
    .fetch_all(db)
    .await?;
    let history = rows
        .into_iter()
        .filter_map(|(at, staff_name, staff_login, what, folder, uid, kind)| {
            Some(SupportAccess {
                at,
                staff_name,
                staff_login,
                read: parse_read(&what)?,
                folder,
                uid: uid.and_then(|u| u32::try_from(u).ok()),
                shared_message: kind == MESSAGE_KIND,
            })
        })
        .collect();
    Ok(SupportOverview {
        now,
        grants: in_force(db, mailbox, now).await?,
        history,
    })
}

/// Every grant in force, for staff: soonest to end first.
pub async fn staff_grants(db: &Db, staff: AccountId, now: i64) -> AppResult<StaffGrants> {
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        String,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT g.id, m.address, m.display_name, g.kind, g.folder, g.uid, a.display_name,
                g.expires_at
         FROM support_grants g JOIN mailboxes m ON m.id = g.mailbox_id
         JOIN accounts a ON a.id = g.granted_by
         WHERE g.revoked_at IS NULL AND g.expires_at > $1 AND m.deleted_at IS NULL
           AND (g.handled_by IS NULL OR g.handled_by = $2)
         ORDER BY g.expires_at, g.id",
    )
    .bind(now)
    .bind(staff)
    .fetch_all(db)
    .await?;
    Ok(StaffGrants {
        now,
        grants: rows
            .into_iter()
            .filter_map(
                |(id, address, display_name, kind, folder, uid, granted_by, expires_at)| {
                    Some(StaffGrant {
                        id,
                        address,
                        display_name,
                        scope: scope_of(&kind, folder, uid)?,
                        granted_by,
                        expires_at,
                    })
                },
            )
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::Provisioner;
    use postern_shared::PermissionSet;

    fn content() -> SupportScope {
        SupportScope::Content {
            kind: SupportKind::MailboxContents,
        }
    }

    #[tokio::test]
    async fn grants_expire_after_seven_days_and_revoke_ends_them() {
        let t = crate::db::testing::TestDb::new().await;
        let _dir = t.dir;
        let p = Provisioner::from_db(t.db);
        let org = p.create_organization("A", "standard").await.unwrap();
        let ann = p
            .create_account(org, "ann@a.test", "Ann", "pw-ann-123", Role::User)
            .await
            .unwrap();
        let mb = p.create_mailbox(org, "ann@a.test", "Ann").await.unwrap();
        p.grant(ann, mb, PermissionSet::all()).await.unwrap();
        let db = p.db();
        let now = 1_000_000;

        let g = grant(db, mb, ann, &content(), None, now).await.unwrap();
        assert_eq!(g.expires_at, now + 7 * 86_400);
        assert_eq!(g.granted_by, "Ann");
        let again = grant(db, mb, ann, &content(), None, now + 60)
            .await
            .unwrap();
        assert_eq!(again, g, "switching on twice is the same grant");
        // Staff see whose mailbox, what, who asked and until when.
        let staff = staff_grants(db, ann, now + 60).await.unwrap();
        let s = staff.grants.iter().find(|s| s.id == g.id).unwrap();
        assert_eq!(
            (s.address.as_str(), s.granted_by.as_str(), s.expires_at),
            ("ann@a.test", "Ann", g.expires_at)
        );

        let a = active(db, &g.id, now + 7 * 86_400 - 1).await.unwrap();
        assert_eq!((a.mailbox_id, a.address.as_str()), (mb, "ann@a.test"));
        let e = active(db, &g.id, now + 7 * 86_400).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::SupportAccessExpired);
        let e = active(db, "0123", now).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::Forbidden);

        revoke(db, mb, &g.id, now + 10).await.unwrap();
        let e = active(db, &g.id, now + 11).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::SupportAccessExpired);
        let e = revoke(db, mb, &g.id, now + 12).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
        assert!(overview(db, mb, now + 12).await.unwrap().grants.is_empty());

        // A shared message is its UID in one UIDVALIDITY of its folder: the
        // same UID in a folder made again is another grant.
        let m = SupportScope::Message {
            folder: "INBOX".into(),
            uid: 7,
        };
        let one = grant(db, mb, ann, &m, Some(11), now).await.unwrap();
        assert_eq!(grant(db, mb, ann, &m, Some(11), now).await.unwrap(), one);
        let other = grant(db, mb, ann, &m, Some(12), now).await.unwrap();
        assert_ne!(other.id, one.id);
        assert_eq!(
            active(db, &one.id, now).await.unwrap().uid_validity,
            Some(11)
        );

        // R-SUP-3: the first member of support to open it handles it alone.
        let org2 = p.create_organization("Support", "standard").await.unwrap();
        let sam = p
            .create_account(org2, "sam@s.test", "Sam", "pw-sam-123", Role::Staff)
            .await
            .unwrap();
        let kim = p
            .create_account(org2, "kim@s.test", "Kim", "pw-kim-123", Role::Staff)
            .await
            .unwrap();
        assert!(listed(db, kim, &one.id, now).await && listed(db, sam, &one.id, now).await);
        claim(db, &one.id, sam).await.unwrap();
        claim(db, &one.id, sam).await.unwrap();
        let e = claim(db, &one.id, kim).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::SupportAccessTaken);
        assert!(listed(db, sam, &one.id, now).await);
        assert!(
            !listed(db, kim, &one.id, now).await,
            "not offered to another"
        );
        let shown = overview(db, mb, now).await.unwrap();
        let g = shown.grants.iter().find(|g| g.id == one.id).unwrap();
        assert_eq!(g.handled_by.as_deref(), Some("Sam"));
    }

    async fn listed(db: &Db, staff: AccountId, id: &str, now: i64) -> bool {
        staff_grants(db, staff, now)
            .await
            .unwrap()
            .grants
            .iter()
            .any(|g| g.id == id)
    }

    #[test]
    fn a_shared_message_covers_only_itself() {
        let g = ActiveGrant {
            id: "x".into(),
            mailbox_id: 1,
            address: "a@b.test".into(),
            scope: SupportScope::Message {
                folder: "INBOX".into(),
                uid: 7,
            },
            uid_validity: Some(1),
        };
        assert!(g.covers(SupportRead::Message, Some("INBOX"), Some(7)));
        assert!(g.covers(SupportRead::Attachment, Some("INBOX"), Some(7)));
        assert!(!g.covers(SupportRead::Message, Some("INBOX"), Some(8)));
        assert!(!g.covers(SupportRead::Message, Some("Archive"), Some(7)));
        assert!(!g.covers(SupportRead::Messages, Some("INBOX"), None));
        assert!(!g.covers(SupportRead::Folders, None, None));
        let all = ActiveGrant {
            scope: content(),
            ..g
        };
        assert!(all.covers(SupportRead::Folders, None, None));
    }
}
