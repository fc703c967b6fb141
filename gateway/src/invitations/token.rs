//! Invitation tokens: 256 random bits, lower-case hex, in the link only.
//! The database holds their SHA-256, so a lookup by digest compares no
//! secret byte by byte (the index finds the row or not) and a copy of the
//! database opens no invitation.

use sha2::{Digest, Sha256};

const BYTES: usize = 32;

pub fn new() -> String {
    use rand::RngCore;
    let mut b = [0u8; BYTES];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Only a well-formed token is looked up.
pub fn valid(token: &str) -> bool {
    token.len() == BYTES * 2
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What the `invitations.token_sha256` column holds.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_well_formed_and_stored_as_digests() {
        let (a, b) = (new(), new());
        assert!(valid(&a) && valid(&b));
        assert_ne!(a, b);
        assert_ne!(digest(&a), a);
        assert_eq!(digest(&a), digest(&a));
        assert!(!valid(&a.to_uppercase()));
        assert!(!valid(&a[1..]));
        assert!(!valid("../../etc/passwd"));
    }
}
