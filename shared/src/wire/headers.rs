//! Every `X-Postern-*` header name, once. HTTP header names are written in
//! lower case (as `http` and the WASI host hand them over); the two MIME
//! headers that mark parts of a draft keep their conventional casing.

/// Edge → gateway: the shared secret (constant-time compared).
pub const EDGE_SECRET: &str = "x-postern-edge-secret";
/// Edge → gateway: the session id of the signed cookie.
pub const SESSION: &str = "x-postern-session";
/// Edge → gateway: the browser's address, for throttling and "last seen".
pub const CLIENT_IP: &str = "x-postern-client-ip";
/// Gateway → edge, on a raw message: its IMAP flags, space-separated.
pub const FLAGS: &str = "x-postern-flags";
/// Gateway → edge, on a part or transfer file: the stored file name.
pub const FILENAME: &str = "x-postern-filename";
/// Browser → edge: the CSRF token of the session.
pub const CSRF_TOKEN: &str = "x-csrf-token";

/// Draft-only MIME header: an upload above 25 MiB that becomes a transfer
/// link only when the message is sent (R-LIM-3). One header per upload id.
pub const MIME_UPLOAD: &str = "X-Postern-Upload";
/// Draft-only MIME header: `<kind>;<uid>;<folder>` of the message replied
/// to or forwarded, so a reopened draft still sets `\Answered`/`$Forwarded`.
pub const MIME_ORIGINAL: &str = "X-Postern-Original";
