//! Pure parsing of IMAP server responses (RFC 3501 and extensions), kept
//! free of I/O so it is tested against captured Dovecot responses.
//!
//! The connection hands us one complete response: the line with any
//! literals inlined as `{n}\r\n<n bytes>`. We tokenize it into [`Value`]s.

use super::utf7;

/// One token of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Atoms and numbers, including fetch keys like `BODY[1.MIME]<0>` and
    /// response codes like `[UIDNEXT 5]`.
    Atom(String),
    /// Quoted string or literal (raw bytes; headers may be 8-bit).
    Str(Vec<u8>),
    Nil,
    List(Vec<Value>),
}

impl Value {
    pub fn as_atom(&self) -> Option<&str> {
        match self {
            Value::Atom(a) => Some(a),
            _ => None,
        }
    }

    /// Atoms and strings as text (lossy for 8-bit strings).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Atom(a) => Some(a.clone()),
            Value::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s),
            Value::Atom(a) => Some(a.as_bytes()),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        self.as_atom()?.parse().ok()
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("cannot parse IMAP response at byte {at}: {what}")]
pub struct ParseError {
    pub at: usize,
    pub what: &'static str,
}

/// Tokenizes a whole response (without the leading `* ` and trailing CRLF).
pub fn tokenize(buf: &[u8]) -> Result<Vec<Value>, ParseError> {
    let mut p = Lexer { buf, pos: 0 };
    let mut out = Vec::new();
    loop {
        p.skip_spaces();
        if p.pos >= buf.len() || buf[p.pos] == b'\r' || buf[p.pos] == b'\n' {
            return Ok(out);
        }
        if buf[p.pos] == b')' {
            return Err(p.err("unbalanced ')'"));
        }
        out.push(p.value()?);
    }
}

struct Lexer<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    fn err(&self, what: &'static str) -> ParseError {
        ParseError { at: self.pos, what }
    }

    fn skip_spaces(&mut self) {
        while self.pos < self.buf.len() && self.buf[self.pos] == b' ' {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        match self.buf.get(self.pos) {
            None => Err(self.err("unexpected end")),
            Some(b'(') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_spaces();
                    match self.buf.get(self.pos) {
                        None => return Err(self.err("unterminated list")),
                        Some(b')') => {
                            self.pos += 1;
                            return Ok(Value::List(items));
                        }
                        _ => items.push(self.value()?),
                    }
                }
            }
            Some(b'"') => self.quoted(),
            Some(b'{') => self.literal(),
            // literal8 (RFC 3516), as BINARY answers carry: `~{n}`.
            Some(b'~') if self.buf.get(self.pos + 1) == Some(&b'{') => {
                self.pos += 1;
                self.literal()
            }
            _ => {
                let atom = self.atom()?;
                if atom.eq_ignore_ascii_case("NIL") {
                    Ok(Value::Nil)
                } else {
                    Ok(Value::Atom(atom))
                }
            }
        }
    }

    fn quoted(&mut self) -> Result<Value, ParseError> {
        self.pos += 1;
        let mut s = Vec::new();
        loop {
            match self.buf.get(self.pos) {
                None => return Err(self.err("unterminated quoted string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Value::Str(s));
                }
                Some(b'\\') => {
                    let c = *self.buf.get(self.pos + 1).ok_or(self.err("bad escape"))?;
                    s.push(c);
                    self.pos += 2;
                }
                Some(&c) => {
                    s.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn literal(&mut self) -> Result<Value, ParseError> {
        let close = self.buf[self.pos..]
            .iter()
            .position(|&b| b == b'}')
            .ok_or(self.err("bad literal"))?;
        let digits = &self.buf[self.pos + 1..self.pos + close];
        let digits = digits.strip_suffix(b"+").unwrap_or(digits);
        let n: usize = std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or(self.err("bad literal length"))?;
        let start = self.pos + close + 1;
        let start = if self.buf[start..].starts_with(b"\r\n") {
            start + 2
        } else if self.buf[start..].starts_with(b"\n") {
            start + 1
        } else {
            return Err(self.err("literal without CRLF"));
        };
        let end = start.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or(self.err("literal longer than response"))?;
        self.pos = end;
        Ok(Value::Str(self.buf[start..end].to_vec()))
    }

    /// An atom; `[...]` groups (which may hold spaces and parentheses, as in
    /// `BODY[HEADER.FIELDS (FROM TO)]`) and a `<n>` suffix belong to it.
    fn atom(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(&c) = self.buf.get(self.pos) {
            match c {
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                b' ' | b'(' | b')' | b'\r' | b'\n' if depth == 0 => break,
                b'\r' | b'\n' => break,
                _ => {}
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err("expected an atom"));
        }
        Ok(String::from_utf8_lossy(&self.buf[start..self.pos]).into_owned())
    }
}

// ------------------------------------------------------------------ LIST

/// One `* LIST (attrs) "delim" name` line, name decoded to UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub attributes: Vec<String>,
    pub delimiter: Option<char>,
    pub path: String,
    /// The name exactly as on the wire (modified UTF-7), to send back.
    pub wire_name: String,
}

impl ListEntry {
    pub fn has_attribute(&self, attr: &str) -> bool {
        self.attributes.iter().any(|a| a.eq_ignore_ascii_case(attr))
    }
}

/// Parses the values after `LIST`.
pub fn parse_list(values: &[Value]) -> Option<ListEntry> {
    let attributes = values
        .first()?
        .as_list()?
        .iter()
        .filter_map(|v| v.as_text())
        .collect();
    let delimiter = match values.get(1)? {
        Value::Nil => None,
        v => v.as_text().and_then(|s| s.chars().next()),
    };
    let wire_name = values.get(2)?.as_text()?;
    let path = utf7::decode(&wire_name).unwrap_or_else(|| wire_name.clone());
    Some(ListEntry {
        attributes,
        delimiter,
        path,
        wire_name,
    })
}

/// Parses the values after `STATUS`: the folder (decoded) and its items.
pub fn parse_status(values: &[Value]) -> Option<(String, Vec<(String, u64)>)> {
    let wire = values.first()?.as_text()?;
    let path = utf7::decode(&wire).unwrap_or(wire);
    let list = values.get(1)?.as_list()?;
    let items = list
        .chunks(2)
        .filter_map(|kv| {
            Some((
                kv.first()?.as_atom()?.to_ascii_uppercase(),
                kv.get(1)?.as_u64()?,
            ))
        })
        .collect();
    Some((path, items))
}

// ------------------------------------------------------------------ FETCH

/// The attributes of one `* n FETCH (...)` response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchItems(pub Vec<(String, Value)>);

impl FetchItems {
    /// The value of a key, matched case-insensitively (`UID`, `BODY[]`…).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// The value whose key starts with `prefix` (for `BODY[HEADER.FIELDS …]`,
    /// whose exact echo varies between servers).
    pub fn get_prefix(&self, prefix: &str) -> Option<&Value> {
        let prefix = prefix.to_ascii_uppercase();
        self.0
            .iter()
            .find(|(k, _)| k.to_ascii_uppercase().starts_with(&prefix))
            .map(|(_, v)| v)
    }

    pub fn uid(&self) -> Option<u32> {
        self.get("UID")?
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
    }

    pub fn flags(&self) -> Vec<String> {
        self.get("FLAGS")
            .and_then(|v| v.as_list())
            .map(|l| l.iter().filter_map(|v| v.as_text()).collect())
            .unwrap_or_default()
    }
}

pub fn parse_fetch(values: &[Value]) -> Option<FetchItems> {
    let list = values.first()?.as_list()?;
    let mut items = Vec::with_capacity(list.len() / 2);
    for kv in list.chunks(2) {
        let key = kv.first()?.as_atom()?.to_string();
        let value = kv.get(1)?.clone();
        items.push((key, value));
    }
    Some(FetchItems(items))
}

/// Numbers of `* SORT …` / `* SEARCH …` (ignoring a `(MODSEQ n)` tail).
pub fn parse_numbers(values: &[Value]) -> Vec<u32> {
    values
        .iter()
        .filter_map(|v| v.as_atom()?.parse().ok())
        .collect()
}

/// The UIDs of `* ESEARCH (TAG "…") UID ALL 1:3,7` (RFC 4731), the set
/// expanded; no `ALL` means no match. A malformed set is an error, never
/// a partial answer.
pub fn esearch_all(values: &[Value]) -> Result<Vec<u32>, ParseError> {
    let bad = || ParseError {
        what: "ESEARCH ALL set",
        at: 0,
    };
    let mut it = values.iter();
    while let Some(v) = it.next() {
        if v.as_atom().is_some_and(|a| a.eq_ignore_ascii_case("ALL")) {
            let set = it.next().and_then(Value::as_atom).ok_or_else(bad)?;
            return expand_set(set).ok_or_else(bad);
        }
    }
    Ok(Vec::new())
}

/// Most UIDs one ESEARCH set may name (a folder of ten million).
const MAX_SET: u64 = 10_000_000;

/// `1:3,7` → `[1, 2, 3, 7]` (ranges may be given high:low).
pub fn expand_set(set: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in set.split(',') {
        let (a, b) = match part.split_once(':') {
            Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
            None => {
                let n = part.parse::<u32>().ok()?;
                (n, n)
            }
        };
        let (lo, hi) = (a.min(b), a.max(b));
        // A set wider than any folder is not an answer to trust (and must
        // not make us allocate gigabytes).
        if out.len() as u64 + u64::from(hi - lo) + 1 > MAX_SET {
            return None;
        }
        out.extend(lo..=hi);
    }
    Some(out)
}

// ------------------------------------------------------------------ BODYSTRUCTURE

/// Whether a BODYSTRUCTURE holds a part a user would call an attachment:
/// disposition `attachment`, or a named non-inline leaf part. Inline images
/// referenced by `cid:` (disposition `inline`) are not attachments.
pub fn has_attachments(body: &Value) -> bool {
    let Some(list) = body.as_list() else {
        return false;
    };
    if matches!(list.first(), Some(Value::List(_))) {
        // Multipart: children first, then the subtype and extension data.
        return list
            .iter()
            .take_while(|v| matches!(v, Value::List(_)))
            .any(has_attachments);
    }
    let media = list.first().and_then(|v| v.as_text()).unwrap_or_default();
    let subtype = list.get(1).and_then(|v| v.as_text()).unwrap_or_default();
    // Basic fields: type subtype params id desc enc size = 7; text adds
    // lines; message/rfc822 adds envelope, body, lines.
    let ext_start = if media.eq_ignore_ascii_case("text") {
        8
    } else if media.eq_ignore_ascii_case("message") && subtype.eq_ignore_ascii_case("rfc822") {
        10
    } else {
        7
    };
    // Extension data: md5, then disposition.
    let disposition = list.get(ext_start + 1).and_then(|v| v.as_list());
    let disposition_kind = disposition
        .and_then(|d| d.first())
        .and_then(|v| v.as_text())
        .map(|s| s.to_ascii_lowercase());
    if disposition_kind.as_deref() == Some("attachment") {
        return true;
    }
    let named = |params: Option<&Value>, key: &str| {
        params.and_then(|p| p.as_list()).is_some_and(|p| {
            p.chunks(2).any(|kv| {
                kv.first().and_then(|k| k.as_text()).is_some_and(|k| {
                    k.eq_ignore_ascii_case(key)
                        || k.to_ascii_lowercase().starts_with(&format!("{key}*"))
                })
            })
        })
    };
    let has_name =
        named(list.get(2), "name") || named(disposition.and_then(|d| d.get(1)), "filename");
    has_name && disposition_kind.as_deref() != Some("inline")
}

// ------------------------------------------------------------------ QUOTA

/// One resource of a `* QUOTA root (NAME usage limit …)` line (RFC 2087 /
/// RFC 9208): `STORAGE` counts KiB, `MESSAGE` messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaResource {
    /// Upper-cased (`STORAGE`, `MESSAGE`).
    pub name: String,
    pub usage: u64,
    pub limit: u64,
}

/// Parses the values after `QUOTA`: the root's name and its resources.
/// Dovecot lists only limited resources, and an unlimited root not at all.
pub fn parse_quota(values: &[Value]) -> Option<(String, Vec<QuotaResource>)> {
    let root = values.first()?.as_text()?;
    let list = values.get(1)?.as_list()?;
    if list.len() % 3 != 0 {
        return None;
    }
    let resources = list
        .chunks(3)
        .map(|r| {
            Some(QuotaResource {
                name: r[0].as_atom()?.to_ascii_uppercase(),
                usage: r[1].as_u64()?,
                limit: r[2].as_u64()?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some((root, resources))
}

/// Parses the values after `QUOTAROOT`: the mailbox and its roots.
pub fn parse_quotaroot(values: &[Value]) -> Option<(String, Vec<String>)> {
    let mailbox = values.first()?.as_text()?;
    let roots = values[1..]
        .iter()
        .map(Value::as_text)
        .collect::<Option<Vec<_>>>()?;
    Some((mailbox, roots))
}

/// Values of a `[CODE a b c]` response code inside status text, e.g.
/// `[UIDNEXT 42]` → `("UIDNEXT", ["42"])`.
pub fn response_code(text: &str) -> Option<(String, Vec<String>)> {
    let inner = text.trim_start().strip_prefix('[')?;
    let end = inner.find(']')?;
    let mut parts = inner[..end].split_whitespace();
    let code = parts.next()?.to_ascii_uppercase();
    Some((code, parts.map(str::to_string).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(b: &str) -> Value {
        Value::Str(b.as_bytes().to_vec())
    }

    #[test]
    fn esearch_sets_expand_and_garbage_is_refused() {
        let v = tokenize(br#"ESEARCH (TAG "A7") UID ALL 1:3,7,10:9"#).unwrap();
        assert_eq!(esearch_all(&v[1..]).unwrap(), [1, 2, 3, 7, 9, 10]);
        let none = tokenize(br#"ESEARCH (TAG "A8") UID"#).unwrap();
        assert!(esearch_all(&none[1..]).unwrap().is_empty());
        for bad in [
            &br#"ESEARCH UID ALL 1:x"#[..],
            br#"ESEARCH UID ALL"#,
            br#"ESEARCH ALL 1:4294967295"#,
        ] {
            let v = tokenize(bad).unwrap();
            assert!(
                esearch_all(&v[1..]).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn tokenizes_a_dovecot_list_status_response() {
        let v = tokenize(br#"LIST (\HasNoChildren \Trash) "/" Trash"#).unwrap();
        assert_eq!(v[0], Value::Atom("LIST".into()));
        let e = parse_list(&v[1..]).unwrap();
        assert_eq!(e.path, "Trash");
        assert!(e.has_attribute("\\trash"));
        assert_eq!(e.delimiter, Some('/'));

        let v = tokenize(br#"LIST (\HasNoChildren) "/" "Entw&APw-rfe/2026 x""#).unwrap();
        let e = parse_list(&v[1..]).unwrap();
        assert_eq!(e.path, "Entwürfe/2026 x");
        assert_eq!(e.wire_name, "Entw&APw-rfe/2026 x");

        let v = tokenize(br#"STATUS "Entw&APw-rfe" (MESSAGES 12 UNSEEN 3)"#).unwrap();
        let (p, items) = parse_status(&v[1..]).unwrap();
        assert_eq!(p, "Entwürfe");
        assert_eq!(items, vec![("MESSAGES".into(), 12), ("UNSEEN".into(), 3)]);
    }

    #[test]
    fn parses_a_fetch_with_header_literal_and_bodystructure() {
        let raw = b"12 FETCH (UID 345 FLAGS (\\Seen \\Flagged) RFC822.SIZE 2048 INTERNALDATE \"05-Jan-2026 10:00:00 +0000\" BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"base64\" 100 NIL (\"attachment\" (\"filename\" \"a.pdf\")) NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL) BODY[HEADER.FIELDS (FROM TO SUBJECT DATE)] {30}\r\nSubject: =?utf-8?q?h=C3=A9?=\r\n)";
        let v = tokenize(raw).unwrap();
        assert_eq!(v[1], Value::Atom("FETCH".into()));
        let f = parse_fetch(&v[2..]).unwrap();
        assert_eq!(f.uid(), Some(345));
        assert_eq!(f.flags(), vec!["\\Seen", "\\Flagged"]);
        assert_eq!(f.get("RFC822.SIZE").unwrap().as_u64(), Some(2048));
        assert_eq!(
            f.get_prefix("BODY[HEADER").unwrap(),
            &s("Subject: =?utf-8?q?h=C3=A9?=\r\n")
        );
        assert!(has_attachments(f.get("BODYSTRUCTURE").unwrap()));
    }

    #[test]
    fn inline_cid_images_and_plain_text_are_not_attachments() {
        let plain = tokenize(
            b"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 1 NIL NIL NIL NIL)",
        )
        .unwrap();
        assert!(!has_attachments(&plain[0]));
        let related = tokenize(b"((\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 50 2 NIL NIL NIL NIL)(\"image\" \"png\" (\"name\" \"logo.png\") \"<logo>\" NIL \"base64\" 100 NIL (\"inline\" (\"filename\" \"logo.png\")) NIL NIL) \"related\" (\"boundary\" \"x\") NIL NIL NIL)").unwrap();
        assert!(!has_attachments(&related[0]));
        // A named part without disposition is an attachment (old mailers).
        let named = tokenize(b"((\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1)(\"text\" \"csv\" (\"name\" \"data.csv\") NIL NIL \"7bit\" 20 2) \"mixed\")").unwrap();
        assert!(has_attachments(&named[0]));
    }

    #[test]
    fn parses_quoted_escapes_nil_and_binary_keys() {
        let v = tokenize(
            b"1 FETCH (UID 7 BINARY[1.2]<0> ~{3}\r\nabc BINARY.SIZE[2] 99 X \"a\\\"b\\\\c\" Y NIL)",
        )
        .unwrap();
        let f = parse_fetch(&v[2..]).unwrap();
        assert_eq!(f.get("BINARY[1.2]<0>"), Some(&s("abc")));
        assert_eq!(f.get("BINARY.SIZE[2]").unwrap().as_u64(), Some(99));
        assert_eq!(f.get("X"), Some(&s("a\"b\\c")));
        assert_eq!(f.get("Y"), Some(&Value::Nil));
    }

    #[test]
    fn numbers_and_response_codes() {
        let v = tokenize(b"SORT 5 3 1").unwrap();
        assert_eq!(parse_numbers(&v[1..]), vec![5, 3, 1]);
        assert_eq!(
            response_code("[UIDNEXT 42] Predicted next UID"),
            Some(("UIDNEXT".into(), vec!["42".into()]))
        );
        assert_eq!(response_code("Done"), None);
    }

    #[test]
    fn parses_dovecot_quota_answers() {
        // Captured from Dovecot 2.3.19 (`quota = count:User quota`).
        let v = tokenize(br#"QUOTAROOT "INBOX" "User quota""#).unwrap();
        assert_eq!(
            parse_quotaroot(&v[1..]),
            Some(("INBOX".into(), vec!["User quota".into()]))
        );
        let v = tokenize(br#"QUOTAROOT INBOX"#).unwrap();
        assert_eq!(parse_quotaroot(&v[1..]), Some(("INBOX".into(), vec![])));
        let v = tokenize(br#"QUOTA "User quota" (STORAGE 6 20)"#).unwrap();
        assert_eq!(
            parse_quota(&v[1..]),
            Some((
                "User quota".into(),
                vec![QuotaResource {
                    name: "STORAGE".into(),
                    usage: 6,
                    limit: 20
                }]
            ))
        );
        let v = tokenize(br#"QUOTA "" (storage 1 2 MESSAGE 3 400)"#).unwrap();
        let (root, r) = parse_quota(&v[1..]).unwrap();
        assert_eq!(root, "");
        assert_eq!(
            (r[0].name.as_str(), r[1].name.as_str()),
            ("STORAGE", "MESSAGE")
        );
        assert_eq!(r[1].limit, 400);
        for bad in [
            &br#"QUOTA "r" (STORAGE 1)"#[..],
            br#"QUOTA "r" (STORAGE x 2)"#,
            br#"QUOTA "r""#,
        ] {
            let v = tokenize(bad).unwrap();
            assert_eq!(
                parse_quota(&v[1..]),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn refuses_truncated_input() {
        assert!(tokenize(b"(a b").is_err());
        assert!(tokenize(b"{10}\r\nabc").is_err());
        assert!(tokenize(b"\"abc").is_err());
    }
}
