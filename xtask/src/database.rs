//! Which database a stack runs on, and how each of its readers is told:
//! the gateway (`POSTERN_DATABASE`: a path or a URL), Dovecot's SQL
//! passdb/userdb (`driver`, `connect`) and Postfix's lookup tables
//! (`sqlite:` or `pgsql:` with their connection lines).

use std::path::PathBuf;

/// The database of the run's own PostgreSQL server (see `postgres.rs`).
pub const PG_DATABASE: &str = "postern";
/// Its user (the server's superuser: the gateway's unit tests create a
/// database per test).
pub const PG_USER: &str = "postern";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// The SQLite file (`<run>/db/postern.db`).
    Sqlite(PathBuf),
    /// `PG_DATABASE` on the run's server at 127.0.0.1:`port`.
    Postgres { port: u16, password: String },
}

impl Database {
    /// `sqlite` | `postgres` (`POSTERN_TEST_BACKEND`).
    pub fn backend(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres { .. } => "postgres",
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Database::Postgres { .. })
    }

    /// `POSTERN_DATABASE`: the path, or the URL with the password.
    pub fn location(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres { port, password } => pg_url(*port, password, PG_DATABASE),
        }
    }

    /// For banners and logs: the URL's password is `***`.
    pub fn redacted(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres { port, .. } => pg_url(*port, "***", PG_DATABASE),
        }
    }

    /// Dovecot's `driver` and `connect` of `dovecot-sql.conf.ext`.
    pub fn dovecot_driver(&self) -> (&'static str, String) {
        match self {
            Database::Sqlite(path) => ("sqlite", path.display().to_string()),
            Database::Postgres { port, password } => (
                "pgsql",
                format!(
                    "host=127.0.0.1 port={port} dbname={PG_DATABASE} user={PG_USER} password={password}"
                ),
            ),
        }
    }

    /// The current Unix time in Dovecot's SQL queries (`%%` is Dovecot's
    /// escape of `%`): a device password past its `expires_at` is refused.
    pub fn dovecot_now(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "CAST(strftime('%%s', 'now') AS INTEGER)",
            Database::Postgres { .. } => "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)",
        }
    }

    /// Postfix's table type (`sqlite:` / `pgsql:`) and the connection
    /// lines of its `*.cf` lookup tables.
    pub fn postfix_table(&self) -> (&'static str, String) {
        match self {
            Database::Sqlite(path) => ("sqlite", format!("dbpath = {}", path.display())),
            Database::Postgres { port, password } => (
                "pgsql",
                format!(
                    "hosts = inet:127.0.0.1:{port}\n\
                     dbname = {PG_DATABASE}\n\
                     user = {PG_USER}\n\
                     password = {password}"
                ),
            ),
        }
    }
}

/// `postgres://postern:<password>@127.0.0.1:<port>/<db>` (the generated
/// password is alphanumeric: nothing to percent-encode).
pub fn pg_url(port: u16, password: &str, db: &str) -> String {
    format!("postgres://{PG_USER}:{password}@127.0.0.1:{port}/{db}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reader_is_told_the_same_database() {
        let pg = Database::Postgres {
            port: 21432,
            password: "Secret1".into(),
        };
        assert_eq!(pg.backend(), "postgres");
        assert_eq!(
            pg.location(),
            "postgres://postern:Secret1@127.0.0.1:21432/postern"
        );
        assert_eq!(
            pg.redacted(),
            "postgres://postern:***@127.0.0.1:21432/postern"
        );
        assert_eq!(
            pg.dovecot_driver(),
            (
                "pgsql",
                "host=127.0.0.1 port=21432 dbname=postern user=postern password=Secret1".into()
            )
        );
        let (kind, lines) = pg.postfix_table();
        assert_eq!(kind, "pgsql");
        assert!(lines.contains("hosts = inet:127.0.0.1:21432\n"), "{lines}");
        assert!(lines.contains("password = Secret1"), "{lines}");

        let lite = Database::Sqlite("/r/db/postern.db".into());
        assert_eq!(lite.backend(), "sqlite");
        assert_eq!(lite.location(), "/r/db/postern.db");
        assert_eq!(lite.redacted(), lite.location());
        assert_eq!(
            lite.dovecot_driver(),
            ("sqlite", "/r/db/postern.db".to_string())
        );
        assert_eq!(
            lite.postfix_table(),
            ("sqlite", "dbpath = /r/db/postern.db".to_string())
        );
    }
}
