//! Migrations: the files of `gateway/migrations/`, embedded in the binary
//! and run on start (`serve`, `migrate`) on either backend, each once, in
//! order, each in a transaction. On PostgreSQL the migrator takes an
//! advisory lock, so gateways starting together do not race.

use sqlx::migrate::{MigrateError, Migration, Migrator};
use std::borrow::Cow;

use super::{Db, backend, dialect};

/// As written (SQLite's dialect); [`for_backend`] adapts them.
static FILES: Migrator = sqlx::migrate!("./migrations");

/// Every migration, as `backend` runs it.
pub fn for_backend(backend: dialect::Backend) -> Migrator {
    up_to(backend, i64::MAX)
}

/// The migrations up to `version` included: a database "made by the
/// previous migration set", to test upgrades.
pub fn up_to(backend: dialect::Backend, version: i64) -> Migrator {
    let migrations: Vec<Migration> = FILES
        .iter()
        .filter(|m| m.version <= version)
        .map(|m| {
            Migration::new(
                m.version,
                m.description.clone(),
                m.migration_type,
                Cow::Owned(dialect::migration_sql(backend, &m.sql)),
                m.no_tx,
            )
        })
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// The newest version this binary knows.
pub fn latest() -> i64 {
    FILES.iter().map(|m| m.version).max().unwrap_or(0)
}

pub async fn run(db: &Db) -> Result<(), MigrateError> {
    for_backend(backend(db)).run(db).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::TestDb;

    #[test]
    fn sqlite_runs_the_files_unchanged() {
        // A database made by an earlier build recorded these checksums:
        // they must not move, or it would refuse to start.
        let adapted = for_backend(dialect::Backend::Sqlite);
        for (file, ran) in FILES.iter().zip(adapted.iter()) {
            assert_eq!(file.checksum, ran.checksum, "migration {}", file.version);
        }
    }

    #[tokio::test]
    async fn a_fresh_database_gets_every_table_and_reopening_is_harmless() {
        let t = TestDb::new().await;
        let tables: Vec<String> = sqlx::query_scalar(dialect::list_tables(t.backend()))
            .fetch_all(&t.db)
            .await
            .unwrap();
        for name in [
            "accounts",
            "aliases",
            "correspondents",
            "device_logins",
            "device_passwords",
            "device_setup_invitations",
            "domains",
            "grants",
            "leases",
            "login_failures",
            "mailboxes",
            "memberships",
            "offers",
            "organizations",
            "outbox",
            "sends",
            "sessions",
            "signatures",
            "transfer_files",
            "transfers",
            "uploads",
        ] {
            assert!(
                tables.iter().any(|x| x == name),
                "missing {name}: {tables:?}"
            );
        }
        // Starting again (another gateway, a restart) applies nothing twice.
        run(&t.db).await.unwrap();
        run(&t.db).await.unwrap();
    }

    /// R-LIM-5: the storage per offer that Dovecot's userdb reads is the
    /// shared rule's.
    #[tokio::test]
    async fn the_offers_table_is_the_shared_offer_rule() {
        use postern_shared::sending::Offer;
        let t = TestDb::new().await;
        let rows: Vec<(String, Option<i64>)> =
            sqlx::query_as("SELECT offer, mailbox_quota_bytes FROM offers ORDER BY offer")
                .fetch_all(&t.db)
                .await
                .unwrap();
        assert_eq!(rows.len(), Offer::ALL.len());
        for (name, bytes) in rows {
            let offer = Offer::parse(&name).unwrap_or_else(|| panic!("unknown offer {name}"));
            assert_eq!(
                bytes.map(|b| b as u64),
                offer.mailbox_storage_limit(),
                "{name}"
            );
        }
    }

    #[tokio::test]
    async fn a_database_of_the_previous_migration_set_upgrades_keeping_its_rows() {
        let previous = latest() - 1;
        let t = TestDb::empty().await;
        up_to(t.backend(), previous).run(&t.db).await.unwrap();
        // Rows written by the previous version, ids taken by the database.
        let org: i64 = sqlx::query_scalar(
            "INSERT INTO organizations (name, offer, created_at) VALUES ('Old', 'free', 1) RETURNING id",
        )
        .fetch_one(&t.db)
        .await
        .unwrap();
        let domain: i64 = sqlx::query_scalar(
            "INSERT INTO domains (organization_id, name) VALUES ($1, 'old.test') RETURNING id",
        )
        .bind(org)
        .fetch_one(&t.db)
        .await
        .unwrap();
        let mailbox: i64 = sqlx::query_scalar(
            "INSERT INTO mailboxes (organization_id, domain_id, address, display_name, created_at)
             VALUES ($1, $2, 'box@old.test', 'Box', 1) RETURNING id",
        )
        .bind(org)
        .bind(domain)
        .fetch_one(&t.db)
        .await
        .unwrap();
        let old_device: i64 = sqlx::query_scalar(
            "INSERT INTO device_passwords (mailbox_id, username, label, pw_sha256, created_at)
             VALUES ($1, 'box@old.test', 'Old', 'ab', 1) RETURNING id",
        )
        .bind(mailbox)
        .fetch_one(&t.db)
        .await
        .unwrap();
        run(&t.db).await.unwrap();

        let name: String = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
            .bind(org)
            .fetch_one(&t.db)
            .await
            .unwrap();
        assert_eq!(name, "Old");
        // New rows still get fresh ids after the upgrade (PostgreSQL's
        // identity sequence and SQLite's rowid both carried on).
        let next: i64 = sqlx::query_scalar(
            "INSERT INTO organizations (name, offer, created_at) VALUES ('New', 'free', 2) RETURNING id",
        )
        .fetch_one(&t.db)
        .await
        .unwrap();
        assert!(next > org);
        // What the newest migration added works, and the old mailbox is
        // a plain mailbox, no catch-all anywhere.
        let kind: String = sqlx::query_scalar("SELECT kind FROM mailboxes WHERE id = $1")
            .bind(mailbox)
            .fetch_one(&t.db)
            .await
            .unwrap();
        assert_eq!(kind, "mailbox");
        let catch_all: Option<i64> =
            sqlx::query_scalar("SELECT catch_all_mailbox_id FROM domains WHERE id = $1")
                .bind(domain)
                .fetch_one(&t.db)
                .await
                .unwrap();
        assert_eq!(catch_all, None);
        sqlx::query("INSERT INTO redirects (mailbox_id, target) VALUES ($1, 'x@elsewhere.test')")
            .bind(mailbox)
            .execute(&t.db)
            .await
            .unwrap();
        // The old mailbox keeps its offer's storage (no limit of its own).
        let quota: Option<i64> =
            sqlx::query_scalar("SELECT quota_bytes FROM mailboxes WHERE id = $1")
                .bind(mailbox)
                .fetch_one(&t.db)
                .await
                .unwrap();
        assert_eq!(quota, None);
        let free: Option<i64> =
            sqlx::query_scalar("SELECT mailbox_quota_bytes FROM offers WHERE offer = 'free'")
                .fetch_one(&t.db)
                .await
                .unwrap();
        assert_eq!(free, Some(20_000_000_000));
        // 0008: an old device password is a computer of nobody in
        // particular, never expiring, never used.
        let row: (String, Option<i64>, Option<i64>, Option<String>) = sqlx::query_as(
            "SELECT kind, owner_account_id, expires_at, last_used_ip FROM device_passwords WHERE id = $1",
        )
        .bind(old_device)
        .fetch_one(&t.db)
        .await
        .unwrap();
        assert_eq!(row, ("computer".into(), None, None, None));
        // 0010: it keeps every protocol (Dovecot's passdb lets it in as
        // before), has no recent connection and no setup link.
        let scope: (i64, i64, i64) = sqlx::query_as(
            "SELECT allow_imap, allow_pop3, allow_smtp FROM device_passwords WHERE id = $1",
        )
        .bind(old_device)
        .fetch_one(&t.db)
        .await
        .unwrap();
        assert_eq!(scope, (1, 1, 1));
        let logins: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM device_logins WHERE device_id = $1")
                .bind(old_device)
                .fetch_one(&t.db)
                .await
                .unwrap();
        assert_eq!(logins, 0);
        // One row per login line, however many gateways read it.
        for _ in 0..2 {
            sqlx::query(
                "INSERT INTO device_logins (device_id, at, protocol, client_ip, session)
                 SELECT id, 5, 'imap', '127.0.0.1', 'AbC' FROM device_passwords WHERE id = $1
                 ON CONFLICT DO NOTHING",
            )
            .bind(old_device)
            .execute(&t.db)
            .await
            .unwrap();
        }
        let logins: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM device_logins WHERE device_id = $1")
                .bind(old_device)
                .fetch_one(&t.db)
                .await
                .unwrap();
        assert_eq!(logins, 1);
        // 0011: an old mailbox has its spam filter on (R-SPAM-1), Junk as
        // destination, no script of its own and no lists.
        let spam: (i64, Option<String>, i64) = sqlx::query_as(
            "SELECT spam_filter, spam_folder, spam_script FROM mailboxes WHERE id = $1",
        )
        .bind(mailbox)
        .fetch_one(&t.db)
        .await
        .unwrap();
        assert_eq!(spam, (1, None, 0));
        let listed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mailbox_senders")
            .fetch_one(&t.db)
            .await
            .unwrap();
        assert_eq!(listed, 0);
    }
}
