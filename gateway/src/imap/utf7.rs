//! IMAP "modified UTF-7" (RFC 3501 §5.1.3): how folder names travel on the
//! wire. Printable ASCII stays as is (`&` becomes `&-`); anything else is
//! UTF-16BE in base64 with `,` instead of `/`, between `&` and `-`.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/// UTF-8 → modified UTF-7.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    out
}

fn flush(pending: &mut Vec<u16>, out: &mut String) {
    if pending.is_empty() {
        return;
    }
    let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1; // 1 byte → 2 chars, 2 → 3, 3 → 4
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out.push('-');
    pending.clear();
}

/// Modified UTF-7 → UTF-8. `None` for malformed input (the caller may then
/// show the raw name rather than fail the whole folder list).
pub fn decode(wire: &str) -> Option<String> {
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let end = after.find('-')?;
        let b64 = &after[..end];
        if b64.is_empty() {
            out.push('&');
        } else {
            let mut bits: u32 = 0;
            let mut nbits = 0;
            let mut bytes = Vec::new();
            for ch in b64.bytes() {
                let v = ALPHABET.iter().position(|&a| a == ch)? as u32;
                bits = (bits << 6) | v;
                nbits += 6;
                if nbits >= 8 {
                    nbits -= 8;
                    bytes.push((bits >> nbits) as u8);
                    bits &= (1 << nbits) - 1;
                }
            }
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            let s = String::from_utf16(&units).ok()?;
            // Encoders must not encode printable ASCII; refuse such names.
            if s.chars().any(|c| (' '..='~').contains(&c)) {
                return None;
            }
            out.push_str(&s);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors_from_rfc_3501_and_dovecot() {
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(encode("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(encode("A&B"), "A&-B");
        assert_eq!(decode("Entw&APw-rfe").as_deref(), Some("Entwürfe"));
        assert_eq!(decode("&Jjo-!").as_deref(), Some("☺!"));
        assert_eq!(decode("A&-B").as_deref(), Some("A&B"));
    }

    #[test]
    fn round_trips_non_ascii_and_astral_characters() {
        for s in [
            "Éléments envoyés",
            "Projets/2026 ☺",
            "Отчёты",
            "😀 emoji",
            "plain",
            "&&",
            "a&b&c",
        ] {
            let wire = encode(s);
            assert!(wire.is_ascii(), "{wire}");
            assert_eq!(decode(&wire).as_deref(), Some(s), "{wire}");
        }
    }

    #[test]
    fn refuses_malformed_input() {
        assert_eq!(decode("&AAA"), None); // unterminated
        assert_eq!(decode("&AGE-"), None); // encodes ASCII 'a'
        assert_eq!(decode("&!!-"), None);
    }
}
