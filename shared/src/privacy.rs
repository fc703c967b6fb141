//! What Postern keeps in a browser (R-GDPR-2), once: the edge sets the
//! cookie by these names and the privacy page lists them, so the page
//! cannot drift from what is really set.

/// The one cookie: the signed session (`HttpOnly`, `SameSite=Strict`,
/// `Path=/`, `Secure` over HTTPS). Strictly necessary: without it no one
/// stays signed in.
pub const SESSION_COOKIE: &str = "postern_session";

/// How long a session (and so its cookie) lasts: 12 hours.
pub const SESSION_LIFETIME_SECS: i64 = 12 * 3600;

/// What the apps keep in the browser's local storage (never sent to a
/// server, no cookie): the chosen language, the composer's undo delay and
/// the light / dark / auto choice (which `public/boot.js` reads too).
pub const LOCAL_STORAGE_KEYS: [&str; 3] =
    ["postern.locale", "postern.undo_seconds", "postern.theme"];
