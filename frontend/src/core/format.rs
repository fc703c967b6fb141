//! Pure helpers: folder paths in URLs, human sizes, date forms. No browser
//! APIs here, so they are unit-tested natively.

/// A folder path as ONE URL path segment of the app (`/` becomes `%2F`,
/// non-ASCII is UTF-8 percent-encoded); the router's `decodeURIComponent`
/// and [`decode_segment`] reverse it.
pub fn encode_segment(s: &str) -> String {
    postern_shared::format::encode_component(s)
}

/// Reverses [`encode_segment`]; invalid escapes are kept as they are.
pub fn decode_segment(s: &str) -> String {
    postern_shared::format::decode_component(s)
}

/// The app path of a folder's message list.
pub fn folder_href(mailbox: i64, folder: &str) -> String {
    format!("/mail/{mailbox}/{}", encode_segment(folder))
}

/// The app path of a message in the reader.
pub fn message_href(mailbox: i64, folder: &str, uid: u32) -> String {
    format!("{}/{uid}", folder_href(mailbox, folder))
}

pub use postern_shared::format::{SizeUnits, format_size};

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
