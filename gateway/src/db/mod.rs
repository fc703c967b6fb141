//! The system of record: a SQLite file (embedded default) or a PostgreSQL
//! database (`postgres://…`, for several gateways or a database on its own
//! machine), behind one pool type and one set of queries. Dovecot's SQL
//! passdb/userdb (and Postfix's lookups) read the same tables.
//!
//! Queries are written once, in the subset both speak: `$1`-style
//! parameters (sqlx's SQLite driver takes them too), `RETURNING`,
//! `ON CONFLICT`, only BIGINT/TEXT values (no booleans: bind 0/1), and
//! `CAST(SUM(…) AS BIGINT)` (PostgreSQL's SUM of BIGINT is NUMERIC). What
//! cannot be written once lives in [`dialect`].

pub mod dialect;
pub mod lease;
pub mod migrate;
pub mod testing;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

pub use dialect::Backend;

pub type Db = AnyPool;

/// What `POSTERN_DATABASE` names: a SQLite path, or a PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Location {
    pub fn parse(s: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_string())
        } else {
            let path = s.strip_prefix("sqlite://").unwrap_or(s);
            Location::Sqlite(path.into())
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Location::Sqlite(_) => Backend::Sqlite,
            Location::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL sqlx connects with (SQLite: created if missing).
    fn url(&self) -> String {
        match self {
            Location::Postgres(url) => url.clone(),
            Location::Sqlite(path) => {
                // Percent-encoded: a `?` or `#` in a path would end it.
                let path = path.to_string_lossy();
                let encoded = percent_encoding::utf8_percent_encode(&path, PATH_UNSAFE);
                format!("sqlite://{encoded}?mode=rwc")
            }
        }
    }

    /// For logs and `migrate`'s answer: never the password of a URL.
    pub fn redacted(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => match url::Url::parse(url) {
                Ok(mut u) if u.password().is_some() => {
                    let _ = u.set_password(Some("***"));
                    u.to_string()
                }
                _ => url.clone(),
            },
        }
    }
}

const PATH_UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b'?')
    .add(b'#')
    .add(b'%')
    .add(b' ');

/// Which backend a pool talks to.
pub fn backend(db: &Db) -> Backend {
    match db.connect_options().database_url.scheme() {
        "sqlite" => Backend::Sqlite,
        _ => Backend::Postgres,
    }
}

/// Opens (creating a SQLite file if needed) the database and applies
/// pending migrations. Several gateways may start at once on PostgreSQL:
/// the migrator holds an advisory lock while it runs.
pub async fn open(database: &str) -> Result<Db, sqlx::Error> {
    let db = connect(&Location::parse(database)).await?;
    migrate::run(&db).await?;
    Ok(db)
}

/// Connects without migrating (tests that build an older schema).
pub async fn connect(location: &Location) -> Result<Db, sqlx::Error> {
    install_default_drivers();
    let backend = location.backend();
    let pool = AnyPoolOptions::new()
        .max_connections(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        })
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                for statement in dialect::session_setup(backend) {
                    conn.execute(*statement).await?;
                }
                Ok(())
            })
        })
        .connect(&location.url())
        .await?;
    Ok(pool)
}

/// A transaction that reads, checks and then writes (see
/// [`dialect::begin_write`]).
pub async fn begin_write(db: &Db) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    db.begin_with(dialect::begin_write(backend(db))).await
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

    #[test]
    fn locations_are_told_apart_and_passwords_never_shown() {
        assert_eq!(
            Location::parse("/var/lib/postern/p.db"),
            Location::Sqlite("/var/lib/postern/p.db".into())
        );
        assert_eq!(
            Location::parse("sqlite:///tmp/x.db"),
            Location::Sqlite("/tmp/x.db".into())
        );
        let pg = Location::parse("postgres://postern:s3cret@db.internal:5432/postern");
        assert_eq!(pg.backend(), Backend::Postgres);
        assert!(!pg.redacted().contains("s3cret"), "{}", pg.redacted());
        assert!(pg.redacted().contains("db.internal"));
        assert_eq!(
            Location::Sqlite("/tmp/a b?c#d.db".into()).url(),
            "sqlite:///tmp/a%20b%3Fc%23d.db?mode=rwc"
        );
    }

    /// Many read-check-write transactions at once (a double click, a CSV
    /// and a form together) each end in a commit, never in SQLite's
    /// "database is locked", and none sees another's half: the counter
    /// ends at exactly their number.
    #[tokio::test]
    async fn read_then_write_transactions_at_once_all_commit_one_after_another() {
        let t = testing::TestDb::new().await;
        sqlx::query("INSERT INTO leases (name, holder, expires_at) VALUES ('counter', '0', 0)")
            .execute(&t.db)
            .await
            .unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let db = t.db.clone();
                tokio::spawn(async move {
                    let mut tx = begin_write(&db).await?;
                    // PostgreSQL serialises on the row lock, SQLite on the
                    // IMMEDIATE transaction itself.
                    let read = match backend(&db) {
                        Backend::Postgres => {
                            "SELECT holder FROM leases WHERE name = 'counter' FOR UPDATE"
                        }
                        Backend::Sqlite => "SELECT holder FROM leases WHERE name = 'counter'",
                    };
                    let n: String = sqlx::query_scalar(read).fetch_one(&mut *tx).await?;
                    tokio::task::yield_now().await;
                    let next = n.parse::<i64>().unwrap() + 1;
                    sqlx::query("UPDATE leases SET holder = $1 WHERE name = 'counter'")
                        .bind(next.to_string())
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let n: String = sqlx::query_scalar("SELECT holder FROM leases WHERE name = 'counter'")
            .fetch_one(&t.db)
            .await
            .unwrap();
        assert_eq!(n, "16");
    }

    #[tokio::test]
    async fn a_sqlite_path_with_odd_characters_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a b?c#%.db");
        let db = open(path.to_str().unwrap()).await.unwrap();
        let one: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&db).await.unwrap();
        assert_eq!(one, 1);
        assert!(path.exists(), "the file is created where it was named");
    }

    #[tokio::test]
    async fn dovecot_userdb_query_finds_live_mailboxes_only() {
        let t = testing::TestDb::new().await;
        let db = &t.db;
        let org: i64 = sqlx::query_scalar(
            "INSERT INTO organizations (name, offer, created_at) VALUES ('o', 'free', 0) RETURNING id",
        )
        .fetch_one(db)
        .await
        .unwrap();
        let domain: i64 = sqlx::query_scalar(
            "INSERT INTO domains (organization_id, name) VALUES ($1, 'x.test') RETURNING id",
        )
        .bind(org)
        .fetch_one(db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO mailboxes (organization_id, domain_id, address, display_name, created_at, deleted_at) \
             VALUES ($1, $2, 'a@x.test', 'A', 0, NULL), ($1, $2, 'b@x.test', 'B', 0, 5)",
        )
        .bind(org)
        .bind(domain)
        .execute(db)
        .await
        .unwrap();
        // The query Dovecot's userdb runs, %u substituted as Dovecot does (a
        // quoted literal), so it is checked on the backend under test.
        let userdb = |u: &str| {
            format!(
                "SELECT address AS user FROM mailboxes WHERE address = '{u}' AND deleted_at IS NULL"
            )
        };
        let a: Option<String> = sqlx::query_scalar(&userdb("a@x.test"))
            .fetch_optional(db)
            .await
            .unwrap();
        let b: Option<String> = sqlx::query_scalar(&userdb("b@x.test"))
            .fetch_optional(db)
            .await
            .unwrap();
        assert_eq!(a.as_deref(), Some("a@x.test"));
        assert_eq!(b, None);
    }
}
