//! Account security (R-ID-1): optional two-factor sign-in with a TOTP
//! authenticator app (RFC 6238) and its recovery codes, and the account's
//! open portal sessions. The bodies of the `/api/account/…` routes and of
//! the sign-in's second step; the TOTP arithmetic itself is the gateway's.

use serde::{Deserialize, Serialize};

/// Digits of a TOTP code.
pub const TOTP_DIGITS: usize = 6;
/// Seconds of one TOTP time step.
pub const TOTP_STEP_SECS: i64 = 30;
/// How many single-use recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;
/// The issuer an authenticator app shows beside the login.
pub const TOTP_ISSUER: &str = "Postern";

/// `POST /api/session/second-factor`: the second step of a sign-in whose
/// password step answered `second_factor_required` (its `params.pending`).
/// `code` is a current TOTP code or an unused recovery code.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorRequest {
    pub pending: String,
    pub code: String,
}

/// `GET /api/account/security`: what the security page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSecurity {
    pub login: String,
    /// Two-factor sign-in is on (an enrolment confirmed with a code).
    pub two_factor: bool,
    /// When it was turned on (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_factor_since: Option<i64>,
    /// Unused recovery codes (0 when two-factor sign-in is off).
    pub recovery_codes_left: u32,
}

/// The UI languages (R-CLI-2): the apps' `frontend/locales/<code>.json`,
/// the codes an account may keep (`PUT /api/account/locale`).
pub const UI_LOCALES: &[&str] = &["en", "de", "es", "fr", "it"];

/// `PUT /api/account/locale`: the account's UI language, kept so it follows
/// the user to another browser.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetLocaleRequest {
    /// One of [`UI_LOCALES`].
    pub locale: String,
}

/// `POST /api/account/totp`: begin an enrolment (needs the password).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartTotpRequest {
    pub password: String,
}

/// A new TOTP secret, shown while enrolling (as a QR code and as text);
/// it is not in force until confirmed with a first code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    /// 160 bits, base32 (RFC 4648, upper case, no padding): 32 characters.
    pub secret: String,
    /// `otpauth://totp/Postern:<login>?secret=…&issuer=Postern`, for the QR code.
    pub otpauth_uri: String,
}

/// A TOTP code (or, where the route says so, a recovery code).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeRequest {
    pub code: String,
}

/// `POST /api/account/totp/disable`: the password and a current code (or a
/// recovery code).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisableTotpRequest {
    pub password: String,
    pub code: String,
}

/// Ten single-use recovery codes: this answer is the only time they are
/// shown (only their hashes are kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// `GET /api/account/sessions`: the account's open portal sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSessions {
    /// Newest first; the caller's own is `current`.
    pub sessions: Vec<OpenSession>,
}

/// One open session. `id` is a handle for ending it, never the session's
/// secret id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenSession {
    pub id: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds, to within a few minutes (it is not written on every
    /// request).
    pub last_seen_at: i64,
    /// The client address of the last use (or of the sign-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// The browser and system, when its user agent told them (`Firefox on Linux`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    pub current: bool,
}

/// `POST /api/account/sessions/end-others`: how many sessions ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndedSessions {
    pub ended: u32,
}

/// The secret as people type it: groups of four (`ABCD EFGH …`).
pub fn group_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a typed code looks like a TOTP code (six digits, spaces
/// allowed) rather than a recovery code.
pub fn looks_like_totp(code: &str) -> bool {
    let digits: Vec<u8> = code.bytes().filter(|b| *b != b' ').collect();
    digits.len() == TOTP_DIGITS && digits.iter().all(u8::is_ascii_digit)
}

/// "Firefox on Linux" from a `User-Agent`, or `None` when it names nothing
/// we know. Order matters: Edge and Opera say "Chrome" too, Chrome says
/// "Safari", Android says "Linux".
pub fn browser_name(user_agent: &str) -> Option<String> {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") {
        "Opera"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("CriOS/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        ""
    };
    let system = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    match (browser, system) {
        ("", "") => None,
        (b, "") => Some(b.to_string()),
        ("", s) => Some(s.to_string()),
        (b, s) => Some(format!("{b} · {s}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_grouped_by_four() {
        assert_eq!(group_secret("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(group_secret(""), "");
    }

    #[test]
    fn six_digits_are_a_totp_code_anything_else_a_recovery_code() {
        assert!(looks_like_totp("123456"));
        assert!(looks_like_totp("123 456"));
        assert!(!looks_like_totp("12345"));
        assert!(!looks_like_totp("abcd-efgh-jkmn"));
    }

    #[test]
    fn browsers_are_named_from_their_user_agent() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(browser_name(chrome).as_deref(), Some("Chrome · Linux"));
        let ff = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";
        assert_eq!(browser_name(ff).as_deref(), Some("Firefox · Windows"));
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_name(iphone).as_deref(), Some("Safari · iOS"));
        let android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
        assert_eq!(browser_name(android).as_deref(), Some("Chrome · Android"));
        assert_eq!(browser_name("curl/8.0"), None);
    }
}
