//! `seed-demo`: the "Example Org" demo — two people, three mailboxes (one
//! shared), a few hundred messages. Idempotent: existing rows are reused
//! and a mailbox whose INBOX already has mail is not seeded again.

use postern_shared::permissions::Role;
use postern_shared::{Permission, PermissionSet};

use crate::config::ImapConfig;
use crate::db::Db;
use crate::provision::Provisioner;
use crate::server::anyhow_like::Result;

use super::generator::{self, Spec};

pub const ORG: &str = "Example Org";
pub const PASSWORD: &str = "postern-demo";
/// The host's support organisation and its staff member (R-SUP).
pub const STAFF_ORG: &str = "Postern Support";
pub const STAFF_LOGIN: &str = "support@postern.test";

pub async fn run(db: Db, imap: ImapConfig) -> Result<String> {
    let p = Provisioner::from_db(db);
    let (olivia_mb, umar_mb, team_mb) = match p.find_organization(ORG).await? {
        Some(_) => ids(&p).await?,
        None => {
            let org = p.create_organization(ORG, "standard").await?;
            let olivia = p
                .create_account(
                    org,
                    "olivia@example.test",
                    "Olivia Ortega",
                    PASSWORD,
                    Role::Owner,
                )
                .await?;
            let umar = p
                .create_account(org, "umar@example.test", "Umar Ünal", PASSWORD, Role::User)
                .await?;
            let o = p
                .create_mailbox(org, "olivia@example.test", "Olivia Ortega")
                .await?;
            let u = p
                .create_mailbox(org, "umar@example.test", "Umar Ünal")
                .await?;
            let t = p.create_mailbox(org, "team@example.test", "Team").await?;
            p.grant(olivia, o, PermissionSet::all()).await?;
            p.grant(umar, u, PermissionSet::all()).await?;
            p.grant(olivia, t, PermissionSet::all()).await?;
            p.grant(
                umar,
                t,
                PermissionSet::empty()
                    .with(Permission::Read)
                    .with(Permission::Send),
            )
            .await?;
            generic_addresses(&p, org, o, u, t).await?;
            (o, u, t)
        }
    };
    if let Some(org) = p.find_organization(ORG).await? {
        organization_details(p.db(), org).await?;
        templates(p.db(), org).await?;
    }
    support_staff(&p).await?;
    let now = crate::db::now();
    let mut report = vec![format!(
        "organisation {ORG:?}: mailboxes {olivia_mb}, {umar_mb}, {team_mb}"
    )];
    /// (address, owner name, folders with message counts, PRNG seed)
    type Plan<'a> = (&'a str, &'a str, &'a [(&'a str, usize)], u64);
    let plans: [Plan<'_>; 3] = [
        (
            "olivia@example.test",
            "Olivia Ortega",
            &[
                ("INBOX", 150),
                ("Archive", 60),
                ("Sent", 40),
                ("Projects", 25),
                ("Projects/2026", 15),
                ("Drafts", 3),
                ("Trash", 7),
            ],
            1,
        ),
        (
            "umar@example.test",
            "Umar Ünal",
            &[("INBOX", 20), ("Sent", 5)],
            2,
        ),
        ("team@example.test", "Team", &[("INBOX", 50)], 3),
    ];
    for (address, name, folders, seed) in plans {
        let mut conn = super::connect(&imap, address).await?;
        if address.starts_with("olivia") {
            for f in ["Archive", "Projects", "Projects/2026"] {
                super::ensure_folder(&mut conn, f).await?;
            }
        }
        if super::message_count(&mut conn, "INBOX").await? > 0 {
            report.push(format!("{address}: already has mail, skipped"));
            continue;
        }
        let mail = generator::generate(&Spec {
            owner: (name, address),
            folders,
            seed,
            now,
            days: 180,
        });
        let n = super::append_all(&mut conn, &mail).await?;
        report.push(format!("{address}: appended {n} messages"));
    }
    report.push(format!(
        "sign in as olivia@example.test or umar@example.test (support staff: {STAFF_LOGIN}), password {PASSWORD:?}"
    ));
    Ok(report.join("\n"))
}

/// Something for each kind of the address table (R-ADDR-3): a no-reply,
/// a redirect to both people, an alias of the team mailbox; and a pending
/// invitation to the team mailbox.
async fn generic_addresses(
    p: &Provisioner,
    org: i64,
    olivia: i64,
    umar: i64,
    team: i64,
) -> Result<()> {
    let db = p.db();
    let domain: i64 = sqlx::query_scalar("SELECT domain_id FROM mailboxes WHERE id = $1")
        .bind(team)
        .fetch_one(db)
        .await?;
    let now = crate::db::now();
    for (address, name, kind) in [
        ("no-reply@example.test", "No reply", "no_reply"),
        ("sales@example.test", "Sales", "redirect"),
    ] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mailboxes (organization_id, domain_id, address, display_name, created_at, kind)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org)
        .bind(domain)
        .bind(address)
        .bind(name)
        .bind(now)
        .bind(kind)
        .fetch_one(db)
        .await?;
        if kind == "redirect" {
            for target in [olivia, umar] {
                sqlx::query(
                    "INSERT INTO redirects (mailbox_id, target) SELECT $1, address FROM mailboxes WHERE id = $2",
                )
                .bind(id)
                .bind(target)
                .execute(db)
                .await?;
            }
        }
    }
    sqlx::query("INSERT INTO aliases (mailbox_id, address) VALUES ($1, 'hello@example.test')")
        .bind(team)
        .execute(db)
        .await?;
    // A pending invitation in the team's Users tab (its link is never
    // shown: the demo only lists it; revoking it works).
    sqlx::query(
        "INSERT INTO invitations (mailbox_id, token_sha256, email, permissions, invited_by, emailed, created_at, expires_at)
         SELECT $1, $2, 'new.colleague@elsewhere.test', $3, id, 0, $4, $5 FROM accounts WHERE login = 'olivia@example.test'",
    )
    .bind(team)
    .bind(crate::invitations::token::digest(&crate::invitations::token::new()))
    .bind(i64::from(
        PermissionSet::empty()
            .with(Permission::Read)
            .with(Permission::Send)
            .bits(),
    ))
    .bind(now)
    .bind(now + postern_shared::invitations::INVITATION_DAYS * 86_400)
    .execute(db)
    .await?;
    Ok(())
}

/// The staff organisation with one staff member, unless it exists.
async fn support_staff(p: &Provisioner) -> Result<()> {
    if p.find_organization(STAFF_ORG).await?.is_some() {
        return Ok(());
    }
    let org = p.create_organization(STAFF_ORG, "standard").await?;
    p.mark_staff(org).await?;
    p.create_account(org, STAFF_LOGIN, "Postern Support", PASSWORD, Role::Staff)
        .await?;
    Ok(())
}

/// The demo organisation's legal details (the DPA's controller, R-GDPR-1),
/// unless someone already saved others.
async fn organization_details(db: &crate::db::Db, org: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO organization_details (organization_id, legal_name, postal_address, country, \
         registration_number, representative_name, representative_role, contact_email, updated_at) \
         VALUES ($1, 'Example Org Servicios S.L.', $2, 'España', 'ESB12345678', 'Olivia Ortega', \
         'Administradora única', 'olivia@example.test', $3) ON CONFLICT (organization_id) DO NOTHING",
    )
    .bind(org)
    .bind("Calle de la Princesa 25, 3.º B\n28008 Madrid")
    .bind(crate::db::now())
    .execute(db)
    .await?;
    Ok(())
}

/// Templates for the administration's Templates page and the Auto-reply
/// and Filters tabs (R-TPL): two visible, one hidden; only while the
/// organisation has none, so nobody's own are touched.
async fn templates(db: &crate::db::Db, org: i64) -> Result<()> {
    use postern_shared::filters::{Condition, Match, RuleField};
    use postern_shared::templates::TemplateContent;
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM templates WHERE organization_id = $1")
        .bind(org)
        .fetch_one(db)
        .await?;
    if have > 0 {
        return Ok(());
    }
    let contains = |field, value: &str| Condition {
        field,
        matches: Match::Contains,
        header: None,
        value: value.into(),
    };
    let rows = [
        (
            "Holidays",
            true,
            TemplateContent::AutoReply {
                subject: "Closed for the holidays".into(),
                text: "Thank you for your message. Our office is closed until 7 January; \
                       we will answer as soon as we are back.\n\nExample Org"
                    .into(),
            },
        ),
        (
            "Invoices and receipts",
            true,
            TemplateContent::Rule {
                all: false,
                conditions: vec![
                    contains(RuleField::Subject, "invoice"),
                    contains(RuleField::Subject, "receipt"),
                ],
            },
        ),
        (
            "Office move (draft)",
            false,
            TemplateContent::AutoReply {
                subject: "We are moving".into(),
                text: "From 1 March our new address is Calle de Alcalá 10, Madrid.".into(),
            },
        ),
    ];
    let mut conn = db.acquire().await?;
    for (name, visible, content) in rows {
        let t = postern_shared::templates::TemplateInput {
            name: name.into(),
            visible,
            content,
        };
        // Checked as an administrator's would be.
        postern_shared::templates::check_template(&t).map_err(|e| format!("{e:?}"))?;
        crate::filters::templates::insert(&mut conn, org, &t)
            .await
            .map_err(|e| e.0)?;
    }
    Ok(())
}

async fn ids(p: &Provisioner) -> Result<(i64, i64, i64)> {
    let id = |a: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM mailboxes WHERE address = $1")
            .bind(a)
            .fetch_one(p.db())
            .await
    };
    Ok((
        id("olivia@example.test").await?,
        id("umar@example.test").await?,
        id("team@example.test").await?,
    ))
}
