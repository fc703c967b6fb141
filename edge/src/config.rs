//! Configuration from the environment (ARCHITECTURE.md, "Trust and
//! configuration"). Only `std::env`: the same `.wasm` runs under
//! `wasmtime serve --env …` and `spin up --env …`.

use std::fmt;

/// Where the app files are mounted (`--dir dist::/dist`, or `files` in spin.toml).
pub const DIST_DIR: &str = "/dist";

#[derive(Clone)]
pub struct Config {
    /// `GATEWAY_URL`: one gateway, or several separated by commas (they
    /// share one PostgreSQL database and are interchangeable), without
    /// trailing slashes, e.g. `http://127.0.0.1:8081`.
    pub gateway_urls: Vec<String>,
    /// `POSTERN_EDGE_SECRET`, sent to the gateway on every call.
    pub edge_secret: String,
    /// `POSTERN_SESSION_KEY`, hex-decoded (≥ 32 bytes).
    pub session_key: Vec<u8>,
    /// `POSTERN_SECURE_COOKIES=true`: always mark cookies `Secure`.
    pub secure_cookies: bool,
    /// `POSTERN_TRUST_FORWARDED_FOR=true`: a proxy in front of the edge sets
    /// `X-Forwarded-For`. Off by default, because a client talking to the
    /// edge directly could forge it and dodge per-address sign-in throttling.
    pub trust_forwarded_for: bool,
}

// Never print secrets, not even in debug output.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("gateway_urls", &self.gateway_urls)
            .field("edge_secret", &"<redacted>")
            .field("session_key", &"<redacted>")
            .field("secure_cookies", &self.secure_cookies)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Missing(&'static str),
    Invalid(&'static str, &'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Missing(name) => write!(f, "environment variable {name} is not set"),
            ConfigError::Invalid(name, why) => write!(f, "environment variable {name}: {why}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Testable core of [`Config::from_env`].
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let non_empty = |name: &'static str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        let gateway_urls: Vec<String> = non_empty("GATEWAY_URL")?
            .split(',')
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty())
            .collect();
        if gateway_urls.is_empty()
            || !gateway_urls
                .iter()
                .all(|u| u.starts_with("http://") || u.starts_with("https://"))
        {
            return Err(ConfigError::Invalid(
                "GATEWAY_URL",
                "each gateway URL must start with http:// or https://",
            ));
        }
        let edge_secret = non_empty("POSTERN_EDGE_SECRET")?;
        let session_key = decode_hex(&non_empty("POSTERN_SESSION_KEY")?).ok_or(
            ConfigError::Invalid("POSTERN_SESSION_KEY", "must be hexadecimal"),
        )?;
        if session_key.len() < 32 {
            return Err(ConfigError::Invalid(
                "POSTERN_SESSION_KEY",
                "must be at least 32 bytes (64 hex digits)",
            ));
        }
        let flag = |name: &str| {
            get(name).is_some_and(|v| {
                matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes")
            })
        };
        Ok(Config {
            gateway_urls,
            edge_secret,
            session_key,
            secure_cookies: flag("POSTERN_SECURE_COOKIES"),
            trust_forwarded_for: flag("POSTERN_TRUST_FORWARDED_FOR"),
        })
    }
}

impl Config {
    /// The gateway of call number `turn`: calls go round the gateways, so
    /// a retry goes to the next one (which may be up when the first is not).
    pub fn gateway_url(&self, turn: usize) -> &str {
        &self.gateway_urls[turn % self.gateway_urls.len()]
    }
}

/// Where a request's calls start going round the gateways: spread over
/// them by the clock (the edge keeps no state between requests).
pub fn first_turn() -> usize {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as usize / 1000)
        .unwrap_or(0)
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn reads_a_complete_environment() {
        let c = Config::from_lookup(env(&[
            ("GATEWAY_URL", "http://127.0.0.1:8081/"),
            ("POSTERN_EDGE_SECRET", "s3cret"),
            ("POSTERN_SESSION_KEY", KEY),
            ("POSTERN_SECURE_COOKIES", "true"),
        ]))
        .unwrap();
        assert_eq!(c.gateway_urls, ["http://127.0.0.1:8081"]);
        assert_eq!(c.session_key.len(), 32);
        assert!(c.secure_cookies);
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn several_gateways_are_taken_in_turn() {
        let c = Config::from_lookup(env(&[
            (
                "GATEWAY_URL",
                " http://10.0.0.1:8081/, http://10.0.0.2:8081 ,",
            ),
            ("POSTERN_EDGE_SECRET", "s3cret"),
            ("POSTERN_SESSION_KEY", KEY),
        ]))
        .unwrap();
        assert_eq!(
            c.gateway_urls,
            ["http://10.0.0.1:8081", "http://10.0.0.2:8081"]
        );
        let turns: Vec<&str> = (7..10).map(|t| c.gateway_url(t)).collect();
        assert_eq!(
            turns,
            [
                "http://10.0.0.2:8081",
                "http://10.0.0.1:8081",
                "http://10.0.0.2:8081"
            ]
        );
        let bad = Config::from_lookup(env(&[
            ("GATEWAY_URL", "http://ok:1,ftp://no"),
            ("POSTERN_EDGE_SECRET", "s"),
            ("POSTERN_SESSION_KEY", KEY),
        ]));
        assert!(matches!(bad, Err(ConfigError::Invalid("GATEWAY_URL", _))));
    }

    #[test]
    fn refuses_short_or_non_hex_keys_and_missing_values() {
        let base = [("GATEWAY_URL", "http://x"), ("POSTERN_EDGE_SECRET", "s")];
        let with_key = |k: &str| {
            let mut v: Vec<(&str, &str)> = base.to_vec();
            v.push(("POSTERN_SESSION_KEY", k));
            Config::from_lookup(env(&v))
        };
        assert!(matches!(with_key("abcd"), Err(ConfigError::Invalid(..))));
        assert!(matches!(
            with_key(&KEY.replace('0', "g")),
            Err(ConfigError::Invalid(..))
        ));
        assert_eq!(
            Config::from_lookup(env(&base)).unwrap_err(),
            ConfigError::Missing("POSTERN_SESSION_KEY")
        );
        assert!(!with_key(KEY).unwrap().secure_cookies);
    }
}
