//! Application plumbing: the typed API client (`api`) over its HTTP layer, the session, app-wide status
//! (service availability), locale persistence and pure formatting helpers.

pub mod api;
pub mod browser;
pub mod format;
pub mod http;
pub mod locale;
pub mod session;
pub mod status;
pub mod upload;
