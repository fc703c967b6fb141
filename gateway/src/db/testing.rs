//! Databases for tests, on the backend the run asks for: SQLite in a
//! temporary directory by default; a fresh PostgreSQL database per test
//! when `POSTERN_TEST_POSTGRES` names a server (`cargo xtask test` runs the
//! gateway's tests once each way). Public because the gateway's own
//! integration tests (`gateway/tests/`) use it too.

use super::{Backend, Db, Location, backend, connect, migrate};

/// The variable that switches tests to PostgreSQL: a URL of a server whose
/// user may create databases, e.g. `postgres://postern@127.0.0.1:15432/postgres`.
pub const POSTGRES_VAR: &str = "POSTERN_TEST_POSTGRES";

/// A database of one test. Keeps its temporary directory (SQLite file,
/// blobs) alive; a PostgreSQL database is named after the test run and
/// dropped with the server of the run.
pub struct TestDb {
    pub db: Db,
    /// `POSTERN_DATABASE` for this database (a path or a URL).
    pub location: String,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    /// Migrated to the newest schema.
    pub async fn new() -> TestDb {
        let t = TestDb::empty().await;
        migrate::run(&t.db).await.expect("migrations apply");
        t
    }

    /// Connected, nothing migrated (upgrade tests build older schemas).
    pub async fn empty() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let location = match std::env::var(POSTGRES_VAR).ok().filter(|v| !v.is_empty()) {
            None => dir.path().join("test.db").to_string_lossy().into_owned(),
            Some(server) => create_database(&server).await,
        };
        let db = connect(&Location::parse(&location))
            .await
            .unwrap_or_else(|e| panic!("cannot open the test database {location}: {e}"));
        TestDb { db, location, dir }
    }

    pub fn backend(&self) -> Backend {
        backend(&self.db)
    }
}

/// Creates `t_<random>` on `server` and returns its URL.
async fn create_database(server: &str) -> String {
    let admin = connect(&Location::Postgres(server.to_string()))
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_VAR}={server}: cannot connect: {e}"));
    let name = format!("t_{}", super::lease::random_hex(8));
    // A name of our own making (hex), so it can be spliced in.
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    admin.close().await;
    let mut url = url::Url::parse(server).expect("a postgres:// URL");
    url.set_path(&name);
    url.to_string()
}
