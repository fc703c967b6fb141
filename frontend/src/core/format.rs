//! Pure helpers: folder paths in URLs, human sizes, date forms. No browser
//! APIs here, so they are unit-tested natively.

/// Percent-encodes a folder path as ONE URL path segment: `/` becomes
/// `%2F`, non-ASCII is UTF-8 percent-encoded. Same set as JavaScript's
/// `encodeURIComponent`, so the router's `decodeURIComponent` reverses it.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            )
        {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(
                char::from_digit((b >> 4) as u32, 16)
                    .unwrap()
                    .to_ascii_uppercase(),
            );
            out.push(
                char::from_digit((b & 15) as u32, 16)
                    .unwrap()
                    .to_ascii_uppercase(),
            );
        }
    }
    out
}

/// Reverses [`encode_segment`]; invalid escapes are kept as they are.
pub fn decode_segment(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// The app path of a folder's message list.
pub fn folder_href(mailbox: i64, folder: &str) -> String {
    format!("/mail/{mailbox}/{}", encode_segment(folder))
}

/// The app path of a message in the reader.
pub fn message_href(mailbox: i64, folder: &str, uid: u32) -> String {
    format!("{}/{uid}", folder_href(mailbox, folder))
}

/// Encodes a query-string value (`folder=…`).
pub fn encode_query(s: &str) -> String {
    encode_segment(s)
}

/// Units of [`format_size`], localized by the caller: B, KB, MB, GB.
#[derive(Debug, Clone, Copy)]
pub struct SizeUnits<'a> {
    pub b: &'a str,
    pub kb: &'a str,
    pub mb: &'a str,
    pub gb: &'a str,
    pub decimal_sep: &'a str,
}

impl Default for SizeUnits<'static> {
    fn default() -> Self {
        SizeUnits {
            b: "B",
            kb: "KB",
            mb: "MB",
            gb: "GB",
            decimal_sep: ".",
        }
    }
}

/// `1536` → `1.5 KB` (binary multiples; one decimal below 10, none above).
/// Integer arithmetic only: no float formatting code in the bundle.
pub fn format_size(bytes: u64, u: SizeUnits<'_>) -> String {
    const K: u64 = 1024;
    let (div, unit) = if bytes < K {
        return format!("{bytes} {}", u.b);
    } else if bytes < K * K {
        (K, u.kb)
    } else if bytes < K * K * K {
        (K * K, u.mb)
    } else {
        (K * K * K, u.gb)
    };
    // Rounded half up, like `f64::round` on these (exact) quotients.
    let round = |n: u64, d: u64| n / d + u64::from(n % d >= d.div_ceil(2));
    let text = if bytes < 10 * div {
        // < 100 GiB: no overflow.
        let tenths = round(bytes * 10, div);
        if tenths >= 100 {
            "10".to_owned()
        } else {
            format!("{}{}{}", tenths / 10, u.decimal_sep, tenths % 10)
        }
    } else {
        round(bytes, div).to_string()
    };
    format!("{text} {unit}")
}

/// How a list date is shown: time for today, day + month this year, full
/// date otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForm {
    Time,
    DayMonth,
    Full,
}

/// Picks the [`DateForm`] from local calendar parts `(year, month, day)`.
pub fn date_form(date: (i32, u32, u32), today: (i32, u32, u32)) -> DateForm {
    if date == today {
        DateForm::Time
    } else if date.0 == today.0 {
        DateForm::DayMonth
    } else {
        DateForm::Full
    }
}

/// A display name for an address: the name when there is one, else the address.
pub fn address_label(a: &postern_shared::api::EmailAddress) -> String {
    match &a.name {
        Some(n) if !n.trim().is_empty() => n.clone(),
        _ => a.address.clone(),
    }
}

/// `Name <address>` (or just the address), joined with `, `.
pub fn address_list(list: &[postern_shared::api::EmailAddress]) -> String {
    list.iter()
        .map(|a| match &a.name {
            Some(n) if !n.trim().is_empty() => format!("{n} <{}>", a.address),
            _ => a.address.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_paths_become_one_segment_and_come_back() {
        assert_eq!(encode_segment("INBOX"), "INBOX");
        assert_eq!(encode_segment("Projects/2026"), "Projects%2F2026");
        assert_eq!(encode_segment("Entwürfe"), "Entw%C3%BCrfe");
        assert_eq!(encode_segment("a b&c?d#e%"), "a%20b%26c%3Fd%23e%25");
        for p in [
            "Projects/2026",
            "Entwürfe/日本",
            "100% sure",
            "a+b",
            "INBOX",
        ] {
            assert_eq!(decode_segment(&encode_segment(p)), p);
        }
        assert_eq!(decode_segment("bad%zzescape%"), "bad%zzescape%");
    }

    #[test]
    fn hrefs_encode_the_folder() {
        assert_eq!(folder_href(3, "Projects/2026"), "/mail/3/Projects%2F2026");
        assert_eq!(message_href(3, "INBOX", 42), "/mail/3/INBOX/42");
    }

    #[test]
    fn sizes_are_human_and_localized() {
        let en = SizeUnits::default();
        let es = SizeUnits {
            decimal_sep: ",",
            ..SizeUnits::default()
        };
        assert_eq!(format_size(0, en), "0 B");
        assert_eq!(format_size(1023, en), "1023 B");
        assert_eq!(format_size(1536, en), "1.5 KB");
        assert_eq!(format_size(1536, es), "1,5 KB");
        assert_eq!(format_size(10 * 1024 * 1024 - 1, en), "10 MB");
        assert_eq!(format_size(250 * 1024, en), "250 KB");
        assert_eq!(format_size(3 * 1024 * 1024 * 1024, en), "3.0 GB");
    }

    #[test]
    fn date_form_depends_on_distance_from_today() {
        let today = (2026, 3, 14);
        assert_eq!(date_form((2026, 3, 14), today), DateForm::Time);
        assert_eq!(date_form((2026, 1, 2), today), DateForm::DayMonth);
        assert_eq!(date_form((2025, 3, 14), today), DateForm::Full);
    }
}
