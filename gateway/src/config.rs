//! Configuration from the environment (see the table in `ARCHITECTURE.md`).
//! Secrets never come from files in the repository.

use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Where the mail server is and how the gateway logs in to it.
#[derive(Clone)]
pub struct ImapConfig {
    /// `host:port` of Dovecot's IMAP listener.
    pub addr: String,
    /// Implicit TLS. Not implemented yet: the pool refuses to connect rather
    /// than silently falling back to plain text.
    pub tls: bool,
    pub master_user: String,
    pub master_password: String,
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("addr", &self.addr)
            .field("tls", &self.tls)
            .field("master_user", &self.master_user)
            .field("master_password", &"<redacted>")
            .finish()
    }
}

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub edge_secret: String,
    pub database: String,
    pub imap: ImapConfig,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("edge_secret", &"<redacted>")
            .field("database", &self.database)
            .field("imap", &self.imap)
            .finish()
    }
}

fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    var(name).ok_or(ConfigError::Missing(name))
}

/// The database path alone, for `migrate` which needs nothing else.
pub fn database_from_env() -> Result<String, ConfigError> {
    required("POSTERN_DATABASE")
}

/// IMAP settings alone, for the seeding commands.
pub fn imap_from_env() -> Result<ImapConfig, ConfigError> {
    let tls = match var("POSTERN_IMAP_TLS").as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(ConfigError::Invalid {
                name: "POSTERN_IMAP_TLS",
                reason: format!("expected true or false, got {other:?}"),
            });
        }
    };
    Ok(ImapConfig {
        addr: required("POSTERN_IMAP_ADDR")?,
        tls,
        master_user: required("POSTERN_IMAP_MASTER_USER")?,
        master_password: required("POSTERN_IMAP_MASTER_PASSWORD")?,
    })
}

impl Config {
    /// Everything `serve` needs; fails on the first missing variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        let listen = var("POSTERN_GATEWAY_ADDR").unwrap_or_else(|| "127.0.0.1:8081".into());
        let listen = listen.parse().map_err(|e| ConfigError::Invalid {
            name: "POSTERN_GATEWAY_ADDR",
            reason: format!("{e}"),
        })?;
        let edge_secret = required("POSTERN_EDGE_SECRET")?;
        if edge_secret.len() < 16 {
            return Err(ConfigError::Invalid {
                name: "POSTERN_EDGE_SECRET",
                reason: "must be at least 16 characters".into(),
            });
        }
        Ok(Config {
            listen,
            edge_secret,
            database: database_from_env()?,
            imap: imap_from_env()?,
        })
    }
}
