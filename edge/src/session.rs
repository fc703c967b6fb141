//! Signed session cookies and CSRF protection (ARCHITECTURE.md, "Sessions
//! and CSRF").
//!
//! Cookie: `postern_session=<session_id>.<expires>.<mac>` where
//! `mac = base64url(HMAC-SHA256(key, "session|<session_id>|<expires>"))`.
//! The MAC lets the edge refuse forged or expired cookies without asking the
//! gateway; the gateway's row makes sign-out real.
//!
//! CSRF token: `base64url(HMAC-SHA256(key, "csrf|" + session_id))`, sent back
//! by the app as `X-CSRF-Token` on every state-changing request.

use crate::http::EdgeRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

pub const COOKIE_NAME: &str = postern_shared::privacy::SESSION_COOKIE;
/// Longest session id we accept from the gateway or a cookie.
const MAX_SESSION_ID: usize = 256;

/// A cookie whose signature checked out and which has not expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    /// Unix seconds.
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    /// No cookie, or one that is malformed or forged.
    Missing,
    /// Correctly signed but past its expiry.
    Expired,
}

/// Session ids go into a cookie and a header: keep them to a safe alphabet.
pub fn is_valid_session_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_SESSION_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn mac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    for p in parts {
        m.update(p);
    }
    m
}

fn session_mac(key: &[u8], id: &str, expires_at: i64) -> HmacSha256 {
    mac(
        key,
        &[
            b"session|",
            id.as_bytes(),
            b"|",
            expires_at.to_string().as_bytes(),
        ],
    )
}

/// The cookie value for a session (`None` if the id is not cookie-safe).
pub fn sign(key: &[u8], id: &str, expires_at: i64) -> Option<String> {
    if !is_valid_session_id(id) {
        return None;
    }
    let tag = session_mac(key, id, expires_at).finalize().into_bytes();
    Some(format!("{id}.{expires_at}.{}", URL_SAFE_NO_PAD.encode(tag)))
}

/// Checks one cookie value: signature (constant time), then expiry.
pub fn verify(key: &[u8], value: &str, now: i64) -> Result<Session, SessionError> {
    let mut parts = value.split('.');
    let (Some(id), Some(expires), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SessionError::Missing);
    };
    if !is_valid_session_id(id)
        || expires.is_empty()
        || !expires.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(SessionError::Missing);
    }
    let expires_at: i64 = expires.parse().map_err(|_| SessionError::Missing)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| SessionError::Missing)?;
    session_mac(key, id, expires_at)
        .verify_slice(&tag)
        .map_err(|_| SessionError::Missing)?;
    if expires_at <= now {
        return Err(SessionError::Expired);
    }
    Ok(Session {
        id: id.to_string(),
        expires_at,
    })
}

/// Finds and verifies `postern_session` among the request's cookies. When
/// several are present (cookie tossing from a sibling domain), a valid one
/// wins; an expired one is reported only if none is valid.
pub fn from_request(key: &[u8], req: &EdgeRequest, now: i64) -> Result<Session, SessionError> {
    let mut result = Err(SessionError::Missing);
    for header in req.header_values("cookie") {
        for pair in header.split(';') {
            let Some((name, value)) = pair.trim().split_once('=') else {
                continue;
            };
            if name.trim() != COOKIE_NAME {
                continue;
            }
            match verify(key, value.trim().trim_matches('"'), now) {
                Ok(s) => return Ok(s),
                Err(SessionError::Expired) => result = Err(SessionError::Expired),
                Err(SessionError::Missing) => {}
            }
        }
    }
    result
}

fn secure_attr(secure: bool) -> &'static str {
    if secure { "; Secure" } else { "" }
}

/// `Set-Cookie` value establishing the session.
pub fn set_cookie(value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={value}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}",
        max_age.max(0),
        secure_attr(secure)
    )
}

/// `Set-Cookie` value that makes the browser forget the session.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}",
        secure_attr(secure)
    )
}

// ------------------------------------------------------------------- CSRF

pub fn csrf_token(key: &[u8], session_id: &str) -> String {
    let tag = mac(key, &[b"csrf|", session_id.as_bytes()])
        .finalize()
        .into_bytes();
    URL_SAFE_NO_PAD.encode(tag)
}

/// Constant-time check of an `X-CSRF-Token` value.
pub fn csrf_token_matches(key: &[u8], session_id: &str, presented: &str) -> bool {
    let expected = csrf_token(key, session_id);
    expected
        .as_bytes()
        .ct_eq(presented.trim().as_bytes())
        .into()
}

/// `Origin`, when present, must name the host the request was sent to; and
/// a browser that says the request is cross-site is refused outright.
pub fn same_origin(req: &EdgeRequest) -> bool {
    if req
        .header("sec-fetch-site")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("cross-site"))
    {
        return false;
    }
    let Some(origin) = req.header("origin") else {
        return true;
    };
    let origin = origin.trim();
    let Some(authority) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false; // "null", other schemes
    };
    if authority.is_empty() || authority.contains(['/', '@', '?', '#']) {
        return false;
    }
    let Some(host) = req.header("host").map(str::trim).filter(|h| !h.is_empty()) else {
        return false;
    };
    let default_port = if origin.starts_with("https://") {
        ":443"
    } else {
        ":80"
    };
    let normalise = |a: &str| {
        let a = a.to_ascii_lowercase();
        a.strip_suffix(default_port)
            .map(str::to_string)
            .unwrap_or(a)
    };
    normalise(authority) == normalise(host)
}

/// The whole CSRF rule for a state-changing request of a signed-in session.
pub fn csrf_ok(key: &[u8], session_id: &str, req: &EdgeRequest) -> bool {
    same_origin(req)
        && req
            .header(postern_shared::wire::headers::CSRF_TOKEN)
            .is_some_and(|t| csrf_token_matches(key, session_id, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    const KEY: &[u8] = &[7u8; 32];
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn signed_cookie_verifies_until_it_expires() {
        let v = sign(KEY, "abc_DEF-123", NOW + 60).unwrap();
        assert_eq!(
            verify(KEY, &v, NOW),
            Ok(Session {
                id: "abc_DEF-123".into(),
                expires_at: NOW + 60
            })
        );
        assert_eq!(verify(KEY, &v, NOW + 60), Err(SessionError::Expired));
        assert_eq!(verify(KEY, &v, NOW + 3600), Err(SessionError::Expired));
    }

    #[test]
    fn tampered_cookies_are_refused() {
        let v = sign(KEY, "sid", NOW + 60).unwrap();
        let (id, rest) = v.split_once('.').unwrap();
        let (_, tag) = rest.split_once('.').unwrap();
        // Longer life with the old signature.
        let extended = format!("{id}.{}.{tag}", NOW + 999_999);
        assert_eq!(verify(KEY, &extended, NOW), Err(SessionError::Missing));
        // Someone else's id with my signature.
        assert_eq!(
            verify(KEY, &format!("other.{}.{tag}", NOW + 60), NOW),
            Err(SessionError::Missing)
        );
        // Other key.
        assert_eq!(verify(&[8u8; 32], &v, NOW), Err(SessionError::Missing));
        // Flipped signature character, truncated, extra parts, junk.
        let mut flipped = v.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        for bad in [
            flipped.as_str(),
            &v[..v.len() - 3],
            &format!("{v}.x"),
            "",
            "..",
            "sid.-5.abc",
            "s id.1.abc",
        ] {
            assert_eq!(verify(KEY, bad, NOW), Err(SessionError::Missing), "{bad:?}");
        }
    }

    #[test]
    fn unsafe_session_ids_are_never_signed() {
        assert!(sign(KEY, "a.b", NOW).is_none());
        assert!(sign(KEY, "a;b", NOW).is_none());
        assert!(sign(KEY, "", NOW).is_none());
    }

    #[test]
    fn cookie_is_found_among_others_and_valid_one_wins() {
        let good = sign(KEY, "good", NOW + 60).unwrap();
        let old = sign(KEY, "old", NOW - 1).unwrap();
        let req = EdgeRequest::new(Method::Get, "/api/me").with_header(
            "cookie",
            &format!("theme=dark; postern_session={old}; postern_session={good}"),
        );
        assert_eq!(from_request(KEY, &req, NOW).unwrap().id, "good");
        let req = EdgeRequest::new(Method::Get, "/")
            .with_header("cookie", &format!("postern_session={old}"));
        assert_eq!(from_request(KEY, &req, NOW), Err(SessionError::Expired));
        let req = EdgeRequest::new(Method::Get, "/");
        assert_eq!(from_request(KEY, &req, NOW), Err(SessionError::Missing));
    }

    #[test]
    fn set_cookie_attributes() {
        let c = set_cookie("v", 3600, false);
        assert_eq!(
            c,
            "postern_session=v; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict"
        );
        assert!(set_cookie("v", 1, true).ends_with("; Secure"));
        assert!(clear_cookie(true).contains("Max-Age=0"));
        assert!(clear_cookie(false).starts_with("postern_session=;"));
    }

    #[test]
    fn csrf_token_is_bound_to_the_session() {
        let t = csrf_token(KEY, "sid1");
        assert!(csrf_token_matches(KEY, "sid1", &t));
        assert!(!csrf_token_matches(KEY, "sid2", &t));
        assert!(!csrf_token_matches(KEY, "sid1", ""));
        assert!(!csrf_token_matches(&[1u8; 32], "sid1", &t));
    }

    #[test]
    fn csrf_needs_token_and_same_origin() {
        let t = csrf_token(KEY, "sid");
        let base = || {
            EdgeRequest::new(Method::Post, "/api/mailboxes/1/messages/move")
                .with_header("host", "mail.example.test")
        };
        assert!(csrf_ok(
            KEY,
            "sid",
            &base().with_header(postern_shared::wire::headers::CSRF_TOKEN, &t)
        ));
        assert!(!csrf_ok(KEY, "sid", &base()));
        assert!(!csrf_ok(
            KEY,
            "sid",
            &base().with_header(postern_shared::wire::headers::CSRF_TOKEN, "nope")
        ));
        let with_origin = |o: &str| {
            base()
                .with_header(postern_shared::wire::headers::CSRF_TOKEN, &t)
                .with_header("origin", o)
        };
        assert!(csrf_ok(
            KEY,
            "sid",
            &with_origin("https://mail.example.test")
        ));
        assert!(csrf_ok(
            KEY,
            "sid",
            &with_origin("https://MAIL.example.test:443")
        ));
        assert!(!csrf_ok(KEY, "sid", &with_origin("https://evil.test")));
        assert!(!csrf_ok(
            KEY,
            "sid",
            &with_origin("https://mail.example.test.evil.test")
        ));
        assert!(!csrf_ok(KEY, "sid", &with_origin("null")));
        assert!(!csrf_ok(
            KEY,
            "sid",
            &base()
                .with_header(postern_shared::wire::headers::CSRF_TOKEN, &t)
                .with_header("sec-fetch-site", "cross-site")
        ));
    }
}
