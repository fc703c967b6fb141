//! Upload ids and transfer tokens: random, lower-case hex. They end up in
//! file paths, so only well-formed ones are ever looked up.

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// 128 random bits, hex.
pub fn new_upload_id() -> String {
    random_hex(16)
}

/// 160 random bits, hex: the secret of a public download link.
pub fn new_token() -> String {
    random_hex(20)
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Ids and tokens end up in file paths: only well-formed ones are looked up.
pub fn valid_upload_id(s: &str) -> bool {
    is_lower_hex(s, 32)
}

pub fn valid_token(s: &str) -> bool {
    is_lower_hex(s, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_tokens() {
        assert!(valid_upload_id(&new_upload_id()));
        assert!(valid_token(&new_token()));
        assert!(!valid_upload_id("../x"));
        assert!(!valid_token(&new_upload_id()));
    }
}
