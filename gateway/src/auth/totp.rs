//! TOTP (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 30-second steps, six
//! digits, one step of tolerance either way, and a step never accepted
//! twice for one account (the caller stores the step [`matching_step`]
//! returns and passes it back as `last`). Plus the secret's base32 text,
//! the `otpauth://` URI of the QR code, and the sealing of secrets at rest
//! with `POSTERN_TOTP_KEY` (AES-256-GCM, the account id as associated
//! data, so a sealed secret copied to another account does not open).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use postern_shared::account::{TOTP_DIGITS, TOTP_ISSUER, TOTP_STEP_SECS};
use ring::aead;
use ring::hmac;
use subtle::ConstantTimeEq;

/// Bytes of a secret: 160 bits (RFC 4226 §4 recommends it).
pub const SECRET_BYTES: usize = 20;

/// HOTP (RFC 4226 §5.3): the `digits`-digit code of `counter`.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = hmac::sign(&key, &counter.to_be_bytes());
    let h = mac.as_ref();
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin =
        u32::from_be_bytes([h[offset], h[offset + 1], h[offset + 2], h[offset + 3]]) & 0x7fff_ffff;
    bin % 10u32.pow(digits)
}

/// The time step of a Unix time (T0 = 0).
pub fn step_of(unix: i64) -> i64 {
    unix.div_euclid(TOTP_STEP_SECS)
}

/// The six-digit code of a step, zero-padded.
pub fn code_at(secret: &[u8], step: i64) -> String {
    format!(
        "{:0width$}",
        hotp(secret, step.max(0) as u64, TOTP_DIGITS as u32),
        width = TOTP_DIGITS
    )
}

/// The step (now − 1, now or now + 1, and newer than `last`) whose code is
/// `code`, or `None`. Spaces in `code` are ignored; the comparison takes
/// the same time whatever the digits.
pub fn matching_step(secret: &[u8], code: &str, now: i64, last: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| *c != ' ').collect();
    if code.len() != TOTP_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = step_of(now);
    let mut found = None;
    for step in [t - 1, t, t + 1] {
        let same: bool = code_at(secret, step)
            .as_bytes()
            .ct_eq(code.as_bytes())
            .into();
        if same && last.is_none_or(|l| step > l) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// A new random secret.
pub fn new_secret() -> [u8; SECRET_BYTES] {
    rand::random()
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, upper case, without padding (what authenticator apps
/// read): 20 bytes are 32 characters.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// `otpauth://totp/Postern:<login>?secret=…&issuer=Postern` (Google's Key
/// URI format, which every authenticator app reads).
pub fn otpauth_uri(login: &str, secret_b32: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const LABEL: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'@')
        .remove(b'.')
        .remove(b'-')
        .remove(b'_');
    format!(
        "otpauth://totp/{TOTP_ISSUER}:{}?secret={secret_b32}&issuer={TOTP_ISSUER}",
        utf8_percent_encode(login, LABEL)
    )
}

/// `POSTERN_TOTP_KEY`: 32 bytes that seal TOTP secrets in the database.
pub struct SecretKey(aead::LessSafeKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

const SEALED_PREFIX: &str = "v1.";

impl SecretKey {
    pub fn new(bytes: &[u8; 32]) -> SecretKey {
        let key = aead::UnboundKey::new(&aead::AES_256_GCM, bytes).expect("a 32-byte key");
        SecretKey(aead::LessSafeKey::new(key))
    }

    /// From 64 hex digits.
    pub fn from_hex(hex_key: &str) -> Option<SecretKey> {
        let bytes: [u8; 32] = hex::decode(hex_key.trim()).ok()?.try_into().ok()?;
        Some(SecretKey::new(&bytes))
    }

    /// `v1.` + base64url(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, account: i64, secret: &[u8]) -> String {
        let nonce_bytes: [u8; 12] = rand::random();
        let mut data = secret.to_vec();
        self.0
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce_bytes),
                aead::Aad::from(account.to_be_bytes()),
                &mut data,
            )
            .expect("sealing a short secret");
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&data);
        format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// The secret, or `None` when `sealed` was not made by this key for
    /// this account.
    pub fn open(&self, account: i64, sealed: &str) -> Option<Vec<u8>> {
        let raw = URL_SAFE_NO_PAD
            .decode(sealed.strip_prefix(SEALED_PREFIX)?)
            .ok()?;
        if raw.len() < 12 + aead::AES_256_GCM.tag_len() {
            return None;
        }
        let (nonce, rest) = raw.split_at(12);
        let mut data = rest.to_vec();
        let plain = self
            .0
            .open_in_place(
                aead::Nonce::try_assume_unique_for_key(nonce).ok()?,
                aead::Aad::from(account.to_be_bytes()),
                &mut data,
            )
            .ok()?;
        Some(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, the SHA-1 rows (8 digits, the ASCII secret
    /// "12345678901234567890").
    #[test]
    fn rfc6238_appendix_b_sha1_vectors() {
        let secret = b"12345678901234567890";
        for (time, want) in [
            (59_i64, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(secret, step_of(time) as u64, 8), want, "T = {time}");
        }
        // Six digits are the last six of those.
        assert_eq!(code_at(secret, step_of(59)), "287082");
        assert_eq!(code_at(secret, step_of(1111111109)), "081804");
    }

    #[test]
    fn a_code_is_accepted_one_step_either_way_and_no_further() {
        let secret = b"12345678901234567890";
        let now = 1_700_000_000;
        let t = step_of(now);
        for (step, ok) in [
            (t - 2, false),
            (t - 1, true),
            (t, true),
            (t + 1, true),
            (t + 2, false),
        ] {
            let code = code_at(secret, step);
            assert_eq!(
                matching_step(secret, &code, now, None),
                ok.then_some(step),
                "step {}",
                step - t
            );
        }
        let spaced = code_at(secret, t);
        let spaced = format!("{} {}", &spaced[..3], &spaced[3..]);
        assert_eq!(matching_step(secret, &spaced, now, None), Some(t));
        assert_eq!(matching_step(secret, "12345", now, None), None);
        assert_eq!(matching_step(secret, "abcdef", now, None), None);
    }

    #[test]
    fn a_used_step_or_an_older_one_is_refused() {
        let secret = b"12345678901234567890";
        let now = 1_700_000_000;
        let t = step_of(now);
        let code = code_at(secret, t);
        let used = matching_step(secret, &code, now, None).unwrap();
        assert_eq!(
            matching_step(secret, &code, now, Some(used)),
            None,
            "replay"
        );
        assert_eq!(
            matching_step(secret, &code_at(secret, t - 1), now, Some(used)),
            None,
            "an older step after a newer one"
        );
        assert_eq!(
            matching_step(secret, &code_at(secret, t + 1), now, Some(used)),
            Some(t + 1),
            "the next step still works"
        );
    }

    #[test]
    fn base32_is_rfc4648_without_padding() {
        // RFC 4648 §10.
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(&[0u8; 20]).len(), 32);
    }

    #[test]
    fn the_otpauth_uri_names_issuer_login_and_secret() {
        assert_eq!(
            otpauth_uri("ann+x@example.test", "ABC"),
            "otpauth://totp/Postern:ann%2Bx@example.test?secret=ABC&issuer=Postern"
        );
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_account() {
        let key = SecretKey::new(&[7; 32]);
        let secret = new_secret();
        let sealed = key.seal(42, &secret);
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains(&base32(&secret)));
        assert_eq!(key.open(42, &sealed).unwrap(), secret);
        assert_eq!(key.open(43, &sealed), None, "another account");
        assert_eq!(
            SecretKey::new(&[8; 32]).open(42, &sealed),
            None,
            "another key"
        );
        assert_eq!(key.open(42, "v1.AAAA"), None);
        assert_ne!(key.seal(42, &secret), sealed, "a fresh nonce each time");
        assert!(SecretKey::from_hex(&"ab".repeat(32)).is_some());
        assert!(SecretKey::from_hex("abc").is_none());
    }
}
