//! Application plumbing: the HTTP client, the session, app-wide status
//! (service availability), locale persistence and pure formatting helpers.

pub mod browser;
pub mod format;
pub mod http;
pub mod locale;
pub mod session;
pub mod status;
pub mod upload;
