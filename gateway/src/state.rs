//! What every handler can reach.

use std::sync::Arc;

use crate::config::SendingConfig;
use crate::db::Db;
use crate::imap::{ListCache, Pool};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub imap: Pool,
    /// Sanitised bodies, rendered once (`<blob dir>/cache/html`).
    pub bodies: Arc<crate::body_cache::BodyCache>,
    /// The order of each folder's list, between requests.
    pub lists: Arc<ListCache>,
    /// `POSTERN_EDGE_SECRET`, compared in constant time on every request.
    pub edge_secret: Arc<[u8]>,
    /// Submission, policy service, blob store, public URL.
    pub sending: Arc<SendingConfig>,
    /// Device passwords: client settings, Dovecot's sessions and log.
    pub devices: Arc<crate::devices::Devices>,
    /// `POSTERN_TOTP_KEY`: seals TOTP secrets at rest (`None`: no 2FA).
    pub totp_key: Option<Arc<crate::auth::totp::SecretKey>>,
    /// The spam filter's generated Sieve scripts (R-SPAM).
    pub spam: Arc<crate::spam::Scripts>,
    /// rspamd's controller, taught what users report (R-SPAM-5).
    pub learner: Arc<crate::spam::learn::Learner>,
    /// Conversations: each folder's threads and Sent's answers, kept.
    pub conversations: Arc<crate::conversations::ConversationCache>,
    /// Live updates: one watcher per open mailbox (`live`).
    pub live: Arc<crate::live::Live>,
    /// The DPA's processor details and fonts (R-GDPR-1).
    pub dpa: Arc<crate::dpa::Dpa>,
}
