//! Device passwords (R-DEV-5): [`PASSWORD_GROUPS`] groups of
//! [`PASSWORD_GROUP_LEN`] characters of [`PASSWORD_ALPHABET`], drawn
//! uniformly from the operating system's random source (≥ 128 bits, see
//! `shared::devices::password_entropy_bits`). Only the SHA-256 is stored:
//! what Dovecot's passdb compares (`%{sha256:password}`).

use postern_shared::devices::{PASSWORD_ALPHABET, PASSWORD_GROUP_LEN, PASSWORD_GROUPS};
use rand::Rng;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

pub fn generate() -> String {
    let mut rng = OsRng;
    let mut out = String::with_capacity(postern_shared::devices::PASSWORD_LEN);
    for g in 0..PASSWORD_GROUPS {
        if g > 0 {
            out.push('-');
        }
        for _ in 0..PASSWORD_GROUP_LEN {
            // gen_range is uniform (rejection sampling, no modulo bias).
            out.push(PASSWORD_ALPHABET[rng.gen_range(0..PASSWORD_ALPHABET.len())] as char);
        }
    }
    out
}

/// What `device_passwords.pw_sha256` holds: lower-hex SHA-256.
pub fn digest(password: &str) -> String {
    hex::encode(Sha256::digest(password.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::devices::{
        FORBIDDEN_CHARS, PASSWORD_LEN, is_generated_password, password_entropy_bits,
    };
    use std::collections::{HashMap, HashSet};

    /// R-DEV-5, as a property over many passwords: the shape, no forbidden
    /// character, no repeats, every character of the alphabet drawn about
    /// equally often, and the entropy bound.
    #[test]
    fn generated_passwords_are_long_random_and_safe_in_shells_yaml_env_and_urls() {
        const N: usize = 20_000;
        assert!(password_entropy_bits() >= 128.0);
        let mut seen = HashSet::new();
        let mut counts: HashMap<char, usize> = HashMap::new();
        for _ in 0..N {
            let p = generate();
            assert_eq!(p.len(), PASSWORD_LEN, "{p}");
            assert!(is_generated_password(&p), "{p}");
            assert!(!p.starts_with('-') && !p.ends_with('-'), "{p}");
            for c in p.chars() {
                assert!(!FORBIDDEN_CHARS.contains(c), "{c:?} in {p}");
                assert!(c.is_ascii_alphanumeric() || c == '-', "{c:?} in {p}");
                if c != '-' {
                    *counts.entry(c).or_default() += 1;
                }
            }
            // Percent-encoding (URLs) and shell quoting leave it unchanged.
            assert!(p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
            assert!(seen.insert(p), "a password came twice");
        }
        assert_eq!(
            counts.len(),
            PASSWORD_ALPHABET.len(),
            "every character is used"
        );
        let expected =
            (N * PASSWORD_GROUPS * PASSWORD_GROUP_LEN) as f64 / PASSWORD_ALPHABET.len() as f64;
        for (c, n) in counts {
            let ratio = n as f64 / expected;
            assert!(
                (0.9..1.1).contains(&ratio),
                "{c:?} drawn {n} times, expected ~{expected}"
            );
        }
    }

    #[test]
    fn the_digest_is_what_dovecot_compares() {
        // printf 'abc' | sha256sum
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
