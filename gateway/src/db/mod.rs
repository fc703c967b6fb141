//! The system of record: one SQLite file (PostgreSQL later), shared with
//! Dovecot's SQL userdb/passdb. WAL mode lets Dovecot read while we write;
//! busy_timeout makes concurrent writers wait instead of failing.

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub type Db = SqlitePool;

/// The migrations of `gateway/migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed) the database file and applies pending migrations.
pub async fn open(path: &str) -> Result<Db, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Current time in Unix seconds, the unit of every timestamp column.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn migrations_apply_to_a_fresh_database_and_are_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite");
        let path = path.to_str().unwrap();
        let db = open(path).await.unwrap();
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(&db)
                .await
                .unwrap();
        for t in [
            "accounts",
            "aliases",
            "device_passwords",
            "domains",
            "grants",
            "login_failures",
            "mailboxes",
            "memberships",
            "organizations",
            "sessions",
        ] {
            assert!(tables.iter().any(|x| x == t), "missing {t}: {tables:?}");
        }
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        db.close().await;
        // Re-opening runs the migrator again without error.
        open(path).await.unwrap();
    }

    #[tokio::test]
    async fn dovecot_userdb_query_finds_live_mailboxes_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path().join("d.sqlite").to_str().unwrap())
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO organizations(id, name, offer, created_at) VALUES (1, 'o', 'free', 0)",
        )
        .execute(&db)
        .await
        .unwrap();
        sqlx::query("INSERT INTO domains(id, organization_id, name) VALUES (1, 1, 'x.test')")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("INSERT INTO mailboxes(organization_id, domain_id, address, display_name, created_at, deleted_at) VALUES (1, 1, 'a@x.test', 'A', 0, NULL), (1, 1, 'b@x.test', 'B', 0, 5)")
            .execute(&db).await.unwrap();
        // The exact query Dovecot's userdb runs (with %u substituted).
        let q = "SELECT address AS user FROM mailboxes WHERE address = ? AND deleted_at IS NULL";
        let a: Option<String> = sqlx::query_scalar(q)
            .bind("a@x.test")
            .fetch_optional(&db)
            .await
            .unwrap();
        let b: Option<String> = sqlx::query_scalar(q)
            .bind("b@x.test")
            .fetch_optional(&db)
            .await
            .unwrap();
        assert_eq!(a.as_deref(), Some("a@x.test"));
        assert_eq!(b, None);
    }
}
