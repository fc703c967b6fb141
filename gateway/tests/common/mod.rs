//! What the router-level tests share: the gateway's state over a scratch
//! database with no mail server behind it.

use postern_gateway::config::{ImapConfig, SendingConfig};
use postern_gateway::db::Db;
use postern_gateway::imap::Pool;
use postern_gateway::state::AppState;
use std::path::Path;
use std::sync::Arc;

/// The edge's shared secret in these tests.
pub const SECRET: &str = "test-edge-secret-0123456789";

/// Nothing listens on the IMAP and submission addresses: mail routes
/// answer 503 (`mail_server_unavailable`). Blobs go under `blob_dir`.
pub fn offline_state(db: Db, blob_dir: &Path, public_url: &str) -> AppState {
    AppState {
        db,
        imap: Pool::new(ImapConfig {
            addr: "127.0.0.1:1".into(),
            tls: false,
            master_user: "m".into(),
            master_password: "p".into(),
        }),
        edge_secret: SECRET.as_bytes().into(),
        sending: Arc::new(SendingConfig {
            submission_addr: "127.0.0.1:1".into(),
            submission_ca: None,
            submission_tls_name: "localhost".into(),
            policy_addr: None,
            milter_addr: None,
            blob_dir: blob_dir.to_string_lossy().into_owned(),
            public_url: public_url.into(),
            transfer_days: 30,
        }),
    }
}
