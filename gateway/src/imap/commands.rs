//! Building IMAP commands as bytes. Every user-supplied string goes through
//! [`string_arg`] (quoted or literal), so no input can inject IMAP syntax.

use postern_shared::api::MessageFilter;

use super::utf7;

/// A command under construction; `Connection::run` adds the tag and CRLF.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Command(pub Vec<u8>);

impl Command {
    pub fn new(verb: &str) -> Self {
        Command(verb.as_bytes().to_vec())
    }

    /// Appends raw syntax (keywords, numbers): never user input.
    pub fn raw(mut self, s: &str) -> Self {
        if !self.0.is_empty() {
            self.0.push(b' ');
        }
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    /// Appends a string argument, safely quoted or as a literal.
    pub fn string(mut self, s: &[u8]) -> Self {
        if !self.0.is_empty() {
            self.0.push(b' ');
        }
        string_arg(&mut self.0, s);
        self
    }

    /// Appends a folder name (UTF-8), encoded to modified UTF-7.
    pub fn mailbox(self, path: &str) -> Self {
        let wire = if path.eq_ignore_ascii_case("INBOX") {
            "INBOX".to_string()
        } else {
            utf7::encode(path)
        };
        self.string(wire.as_bytes())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Writes `s` as an IMAP string: a quoted string when it is plain printable
/// ASCII, else a non-synchronising literal (`{n+}`, RFC 7888), which can
/// carry any byte but NUL without interpretation.
pub fn string_arg(out: &mut Vec<u8>, s: &[u8]) {
    let quotable = s.len() < 1024 && s.iter().all(|&b| (0x20..0x7f).contains(&b));
    if quotable {
        out.push(b'"');
        for &b in s {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(format!("{{{}+}}\r\n", s.len()).as_bytes());
        out.extend_from_slice(s);
    }
}

/// A compact UID set: `[1,2,3,7]` → `1:3,7`. Input need not be sorted.
pub fn uid_set(uids: &[u32]) -> String {
    let mut v: Vec<u32> = uids.to_vec();
    v.sort_unstable();
    v.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < v.len() {
        let start = v[i];
        let mut end = start;
        while i + 1 < v.len() && v[i + 1] == end + 1 {
            i += 1;
            end = v[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// The SEARCH key of a list filter (R-MAIL-2).
pub fn filter_key(filter: MessageFilter) -> Option<&'static str> {
    match filter {
        MessageFilter::All => None,
        MessageFilter::Read => Some("SEEN"),
        MessageFilter::Unread => Some("UNSEEN"),
        MessageFilter::Flagged => Some("FLAGGED"),
        MessageFilter::Unflagged => Some("UNFLAGGED"),
    }
}

/// Cleans a free-text query: control characters (CR, LF, NUL…) go, spaces
/// are trimmed. `None` when nothing is left.
pub fn clean_query(q: Option<&str>) -> Option<String> {
    let cleaned: String = q?
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = cleaned.trim();
    (!cleaned.is_empty()).then(|| cleaned.to_string())
}

/// Which UIDs a list query covers relative to the anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UidRange {
    /// `UID 1:anchor-1`: the pages (messages older than the anchor).
    Below(u32),
    /// `UID anchor:*`: arrivals since the first page. Beware that `n:*`
    /// always includes the highest UID, so callers filter `uid >= anchor`.
    From(u32),
}

/// The search criteria of a list query: UID range, filter, then the text
/// search `OR OR OR FROM q TO q SUBJECT q BODY q`.
/// Returns `None` when the range is empty (anchor ≤ 1).
pub fn search_criteria(range: UidRange, filter: MessageFilter, q: Option<&str>) -> Option<Command> {
    let mut c = Command::default();
    c = match range {
        UidRange::Below(anchor) if anchor <= 1 => return None,
        UidRange::Below(anchor) => c.raw(&format!("UID 1:{}", anchor - 1)),
        UidRange::From(anchor) => c.raw(&format!("UID {}:*", anchor.max(1))),
    };
    if let Some(key) = filter_key(filter) {
        c = c.raw(key);
    }
    if let Some(q) = clean_query(q) {
        let q = q.as_bytes();
        c = c
            .raw("OR OR OR FROM")
            .string(q)
            .raw("TO")
            .string(q)
            .raw("SUBJECT")
            .string(q)
            .raw("BODY")
            .string(q);
    }
    Some(c)
}

/// `UID SORT (REVERSE DATE) UTF-8 <criteria>`: newest first by Date header.
pub fn sort_newest_first(criteria: &Command) -> Command {
    let mut c = Command::new("UID SORT (REVERSE DATE) UTF-8");
    c.0.push(b' ');
    c.0.extend_from_slice(criteria.as_bytes());
    c
}

/// `UID SEARCH CHARSET UTF-8 <criteria>`.
pub fn search(criteria: &Command) -> Command {
    let mut c = Command::new("UID SEARCH CHARSET UTF-8");
    c.0.push(b' ');
    c.0.extend_from_slice(criteria.as_bytes());
    c
}

/// A body section as the client may name it: `1`, `2.1`, … (digits and dots
/// only), so it can be spliced into `BINARY.PEEK[…]` safely. The one rule
/// of the wire contract.
pub use postern_shared::wire::routes::is_valid_section as valid_section;

#[cfg(test)]
mod tests {
    use super::*;

    fn text(c: &Command) -> String {
        String::from_utf8(c.0.clone()).unwrap()
    }

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[7, 1, 2, 3, 3, 9, 10]), "1:3,7,9:10");
        assert_eq!(uid_set(&[5]), "5");
    }

    #[test]
    fn filters_map_to_search_keys() {
        let c = |f| text(&search_criteria(UidRange::Below(100), f, None).unwrap());
        assert_eq!(c(MessageFilter::All), "UID 1:99");
        assert_eq!(c(MessageFilter::Read), "UID 1:99 SEEN");
        assert_eq!(c(MessageFilter::Unread), "UID 1:99 UNSEEN");
        assert_eq!(c(MessageFilter::Flagged), "UID 1:99 FLAGGED");
        assert_eq!(c(MessageFilter::Unflagged), "UID 1:99 UNFLAGGED");
        assert_eq!(
            text(&search_criteria(UidRange::From(100), MessageFilter::Unread, None).unwrap()),
            "UID 100:* UNSEEN"
        );
        assert!(search_criteria(UidRange::Below(1), MessageFilter::All, None).is_none());
    }

    #[test]
    fn text_query_is_quoted_and_cannot_inject() {
        let c =
            search_criteria(UidRange::Below(10), MessageFilter::All, Some("a\" ALL \\")).unwrap();
        assert_eq!(
            text(&c),
            r#"UID 1:9 OR OR OR FROM "a\" ALL \\" TO "a\" ALL \\" SUBJECT "a\" ALL \\" BODY "a\" ALL \\""#
        );
        // CR/LF cannot end the command early: they are removed.
        let c = search_criteria(
            UidRange::Below(10),
            MessageFilter::All,
            Some("x\r\nA1 LOGOUT"),
        )
        .unwrap();
        assert!(!text(&c).contains('\r') && !text(&c).contains('\n'));
        // Non-ASCII goes as a literal of its UTF-8 bytes.
        let c = search_criteria(UidRange::Below(10), MessageFilter::All, Some("Ünal")).unwrap();
        assert!(
            text(&c).contains("FROM {5+}\r\nÜnal TO {5+}\r\nÜnal"),
            "{}",
            text(&c)
        );
        // Blank queries are ignored.
        let c = search_criteria(UidRange::Below(10), MessageFilter::All, Some("  \r\n")).unwrap();
        assert_eq!(text(&c), "UID 1:9");
    }

    #[test]
    fn sort_command_has_charset() {
        let crit = search_criteria(UidRange::Below(5), MessageFilter::Flagged, None).unwrap();
        assert_eq!(
            text(&sort_newest_first(&crit)),
            "UID SORT (REVERSE DATE) UTF-8 UID 1:4 FLAGGED"
        );
        assert_eq!(
            text(&search(&crit)),
            "UID SEARCH CHARSET UTF-8 UID 1:4 FLAGGED"
        );
    }

    #[test]
    fn mailbox_names_are_encoded_and_quoted() {
        assert_eq!(
            text(&Command::new("SELECT").mailbox("Entwürfe")),
            "SELECT \"Entw&APw-rfe\""
        );
        assert_eq!(
            text(&Command::new("SELECT").mailbox("a\"b")),
            "SELECT \"a\\\"b\""
        );
        assert_eq!(
            text(&Command::new("SELECT").mailbox("inbox")),
            "SELECT \"INBOX\""
        );
    }

    #[test]
    fn sections_are_validated() {
        for ok in ["1", "1.2", "10.3.1"] {
            assert!(valid_section(ok), "{ok}");
        }
        for bad in ["", "0", "1.", "1..2", "TEXT", "1]<0.5> X", "1.MIME", "-1"] {
            assert!(!valid_section(bad), "{bad}");
        }
    }
}
