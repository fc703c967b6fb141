//! A deliberately tiny IMAP4rev1 client for tests: it shares no code with
//! the gateway, so a test can check the gateway's work "as any mail client
//! sees it" (or change a mailbox behind the gateway's back).
//!
//! One command at a time: [`ImapClient::command`] sends a tagged command and
//! collects the untagged responses (literals included) until the tagged
//! status. Helpers cover what tests need: LOGIN, LIST, SELECT, UID SEARCH,
//! UID STORE, UID FETCH FLAGS/BODY, APPEND, EXPUNGE. Mailbox names are
//! UTF-8 in this API and modified UTF-7 on the wire.

use std::collections::BTreeMap;
use std::fmt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Debug)]
pub enum ImapError {
    Io(std::io::Error),
    /// The server answered `NO` (text included).
    No(String),
    /// The server answered `BAD` (text included).
    Bad(String),
    /// The server said `* BYE` or closed the connection.
    Closed(String),
    /// An answer this client cannot parse.
    Protocol(String),
}

impl fmt::Display for ImapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImapError::Io(e) => write!(f, "I/O: {e}"),
            ImapError::No(t) => write!(f, "NO {t}"),
            ImapError::Bad(t) => write!(f, "BAD {t}"),
            ImapError::Closed(t) => write!(f, "connection closed: {t}"),
            ImapError::Protocol(t) => write!(f, "protocol: {t}"),
        }
    }
}

impl std::error::Error for ImapError {}

impl From<std::io::Error> for ImapError {
    fn from(e: std::io::Error) -> Self {
        ImapError::Io(e)
    }
}

pub type Result<T> = std::result::Result<T, ImapError>;

/// The answer to one command.
#[derive(Debug, Clone, Default)]
pub struct Response {
    /// Untagged responses without the leading `* `, literals inlined.
    pub untagged: Vec<Vec<u8>>,
    /// Text of the tagged `OK` (e.g. `[APPENDUID 17 4] Append completed.`).
    pub text: String,
}

impl Response {
    /// Untagged responses as (lossy) UTF-8 strings.
    pub fn lines(&self) -> Vec<String> {
        self.untagged
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }
}

/// What SELECT reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selected {
    pub exists: u32,
    pub uidvalidity: u32,
    pub uidnext: u32,
}

pub struct ImapClient {
    stream: BufReader<TcpStream>,
    next_tag: u32,
}

impl ImapClient {
    /// Connects (plain TCP) and reads the greeting.
    pub async fn connect(addr: &str) -> Result<ImapClient> {
        let tcp = TcpStream::connect(addr).await?;
        let mut c = ImapClient {
            stream: BufReader::new(tcp),
            next_tag: 1,
        };
        let greeting = c.read_line().await?;
        if !greeting.starts_with(b"* OK") {
            return Err(ImapError::Protocol(format!(
                "greeting: {}",
                String::from_utf8_lossy(&greeting)
            )));
        }
        Ok(c)
    }

    /// `LOGIN user password` (for the master user: `address*master`).
    pub async fn login(&mut self, user: &str, password: &str) -> Result<()> {
        self.command(&format!("LOGIN {} {}", quote(user), quote(password)))
            .await
            .map(drop)
    }

    /// Sends `<tag> <cmd>` and collects the answer; `NO`/`BAD` become errors.
    pub async fn command(&mut self, cmd: &str) -> Result<Response> {
        let tag = self.send_tagged(cmd).await?;
        self.read_response(&tag).await
    }

    /// Starts `IDLE` and waits for the server's continuation (`+ idling`).
    pub async fn idle(&mut self) -> Result<()> {
        self.send_tagged("IDLE").await?;
        loop {
            let line = self.read_line().await?;
            if line.starts_with(b"+") {
                return Ok(());
            }
            if !line.starts_with(b"* ") {
                return Err(ImapError::Protocol(format!(
                    "IDLE: {}",
                    String::from_utf8_lossy(&line)
                )));
            }
        }
    }

    /// Whether the server closes the connection within `limit` (reading
    /// and dropping whatever it says first, e.g. `* BYE`).
    pub async fn closed_within(&mut self, limit: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            match tokio::time::timeout_at(deadline, self.read_line()).await {
                Err(_) => return false,
                Ok(Err(_)) => return true,
                Ok(Ok(_)) => {}
            }
        }
    }

    /// Folder names (UTF-8), as `LIST "" "*"` returns them.
    pub async fn list(&mut self) -> Result<Vec<String>> {
        let resp = self.command(r#"LIST "" "*""#).await?;
        let mut names = Vec::new();
        for line in resp.lines() {
            let Some(rest) = line.strip_prefix("LIST ") else {
                continue;
            };
            // (\Flags) "/" name  — the name is the last token, maybe quoted.
            let after_flags = rest.split_once(") ").map(|x| x.1).unwrap_or(rest);
            let name = after_flags
                .split_once(' ')
                .map(|x| x.1)
                .unwrap_or(after_flags);
            names.push(decode_mutf7(&unquote(name)));
        }
        Ok(names)
    }

    pub async fn select(&mut self, mailbox: &str) -> Result<Selected> {
        let resp = self
            .command(&format!("SELECT {}", quote(&encode_mutf7(mailbox))))
            .await?;
        let mut sel = Selected::default();
        for line in resp.lines() {
            if let Some(n) = line.strip_suffix(" EXISTS") {
                sel.exists = n.trim().parse().unwrap_or(0);
            }
            if let Some(v) = bracket_number(&line, "UIDVALIDITY ") {
                sel.uidvalidity = v;
            }
            if let Some(v) = bracket_number(&line, "UIDNEXT ") {
                sel.uidnext = v;
            }
        }
        Ok(sel)
    }

    /// `UID SEARCH <criteria>` (e.g. `ALL`, `UNSEEN`, `FLAGGED`, `HEADER Subject "x"`).
    pub async fn uid_search(&mut self, criteria: &str) -> Result<Vec<u32>> {
        let resp = self.command(&format!("UID SEARCH {criteria}")).await?;
        let mut uids = Vec::new();
        for line in resp.lines() {
            if let Some(rest) = line.strip_prefix("SEARCH") {
                uids.extend(
                    rest.split_whitespace()
                        .filter_map(|n| n.parse::<u32>().ok()),
                );
            }
        }
        Ok(uids)
    }

    /// `UID STORE <uids> <op> (<flags>)`, op = `+FLAGS`, `-FLAGS` or `FLAGS`
    /// (silently).
    pub async fn uid_store(&mut self, uids: &[u32], op: &str, flags: &[&str]) -> Result<()> {
        self.command(&format!(
            "UID STORE {} {op}.SILENT ({})",
            uid_set(uids),
            flags.join(" ")
        ))
        .await
        .map(drop)
    }

    /// Stored flags of each message, by UID (`UID FETCH <uids> FLAGS`),
    /// without the session flag `\Recent`.
    pub async fn uid_fetch_flags(&mut self, uids: &[u32]) -> Result<BTreeMap<u32, Vec<String>>> {
        let resp = self
            .command(&format!("UID FETCH {} (UID FLAGS)", uid_set(uids)))
            .await?;
        let mut out = BTreeMap::new();
        for line in resp.lines() {
            let (Some(uid), Some(flags)) =
                (after_number(&line, "UID "), paren_list(&line, "FLAGS ("))
            else {
                continue;
            };
            // \Recent is per session (and gone in IMAP4rev2): not a stored flag.
            out.insert(uid, flags.into_iter().filter(|f| f != "\\Recent").collect());
        }
        Ok(out)
    }

    /// The flags of one message.
    pub async fn flags(&mut self, uid: u32) -> Result<Vec<String>> {
        self.uid_fetch_flags(&[uid])
            .await?
            .remove(&uid)
            .ok_or_else(|| ImapError::Protocol(format!("no FETCH answer for UID {uid}")))
    }

    /// The raw RFC 5322 bytes of one message (`BODY.PEEK[]`: does not set \Seen).
    pub async fn fetch_raw(&mut self, uid: u32) -> Result<Vec<u8>> {
        let resp = self
            .command(&format!("UID FETCH {uid} (UID BODY.PEEK[])"))
            .await?;
        for line in &resp.untagged {
            if let Some(start) = find(line, b"BODY[] {") {
                let open = start + b"BODY[] {".len();
                let close = open
                    + find(&line[open..], b"}")
                        .ok_or_else(|| ImapError::Protocol("literal size".into()))?;
                let n: usize = String::from_utf8_lossy(&line[open..close])
                    .parse()
                    .map_err(|_| ImapError::Protocol("literal size".into()))?;
                let body = close + 1 + 2; // "}\r\n"
                return Ok(line[body..body + n].to_vec());
            }
        }
        Err(ImapError::Protocol(format!("no BODY[] for UID {uid}")))
    }

    /// `APPEND <mailbox> (<flags>) {n}` + message; returns the new UID
    /// (Dovecot answers APPENDUID).
    pub async fn append(&mut self, mailbox: &str, flags: &[&str], message: &[u8]) -> Result<u32> {
        let tag = self
            .send_tagged(&format!(
                "APPEND {} ({}) {{{}}}",
                quote(&encode_mutf7(mailbox)),
                flags.join(" "),
                message.len()
            ))
            .await?;
        // Wait for the continuation request before sending the literal.
        loop {
            let line = self.read_line().await?;
            if line.starts_with(b"+") {
                break;
            }
            if line.starts_with(tag.as_bytes()) {
                return Err(status_error(&line, &tag));
            }
        }
        let w = self.stream.get_mut();
        w.write_all(message).await?;
        w.write_all(b"\r\n").await?;
        w.flush().await?;
        let resp = self.read_response(&tag).await?;
        bracket_number(&resp.text, "APPENDUID ")
            .and_then(|_| {
                let inner = resp.text.split("APPENDUID ").nth(1)?;
                inner
                    .split_whitespace()
                    .nth(1)?
                    .trim_end_matches(']')
                    .parse()
                    .ok()
            })
            .ok_or_else(|| ImapError::Protocol(format!("no APPENDUID in {:?}", resp.text)))
    }

    /// `EXPUNGE` on the selected mailbox.
    pub async fn expunge(&mut self) -> Result<()> {
        self.command("EXPUNGE").await.map(drop)
    }

    /// `CREATE <mailbox>`.
    pub async fn create(&mut self, mailbox: &str) -> Result<()> {
        self.command(&format!("CREATE {}", quote(&encode_mutf7(mailbox))))
            .await
            .map(drop)
    }

    pub async fn logout(mut self) -> Result<()> {
        let tag = self.send_tagged("LOGOUT").await?;
        // The server says BYE first; read until the tagged OK or EOF.
        loop {
            match self.read_line().await {
                Ok(line) if line.starts_with(tag.as_bytes()) => return Ok(()),
                Ok(_) => {}
                Err(_) => return Ok(()),
            }
        }
    }

    async fn send_tagged(&mut self, cmd: &str) -> Result<String> {
        let tag = format!("T{}", self.next_tag);
        self.next_tag += 1;
        let w = self.stream.get_mut();
        w.write_all(format!("{tag} {cmd}\r\n").as_bytes()).await?;
        w.flush().await?;
        Ok(tag)
    }

    /// One response line, literals (`{n}\r\n` + n bytes) inlined, CRLF kept
    /// off the end.
    async fn read_line(&mut self) -> Result<Vec<u8>> {
        let mut line = Vec::new();
        loop {
            let before = line.len();
            let n = self.stream.read_until(b'\n', &mut line).await?;
            if n == 0 {
                return Err(ImapError::Closed(
                    String::from_utf8_lossy(&line).into_owned(),
                ));
            }
            let part = &line[before..];
            let trimmed = part.strip_suffix(b"\r\n").unwrap_or(part);
            if let Some(size) = literal_size(trimmed) {
                let mut buf = vec![0u8; size];
                self.stream.read_exact(&mut buf).await?;
                line.extend_from_slice(&buf);
                continue;
            }
            let end = line.len() - (part.len() - trimmed.len());
            line.truncate(end);
            return Ok(line);
        }
    }

    async fn read_response(&mut self, tag: &str) -> Result<Response> {
        let mut resp = Response::default();
        loop {
            let line = self.read_line().await?;
            if let Some(rest) = line.strip_prefix(b"* ") {
                if rest.starts_with(b"BYE") {
                    return Err(ImapError::Closed(
                        String::from_utf8_lossy(rest).into_owned(),
                    ));
                }
                resp.untagged.push(rest.to_vec());
            } else if line.starts_with(tag.as_bytes()) && line.get(tag.len()) == Some(&b' ') {
                let status = String::from_utf8_lossy(&line[tag.len() + 1..]).into_owned();
                if let Some(text) = status.strip_prefix("OK") {
                    resp.text = text.trim().to_string();
                    return Ok(resp);
                }
                return Err(status_error(&line, tag));
            }
            // "+ " continuations are not expected here; ignore other lines.
        }
    }
}

fn status_error(line: &[u8], tag: &str) -> ImapError {
    let status = String::from_utf8_lossy(&line[(tag.len() + 1).min(line.len())..]).into_owned();
    if let Some(t) = status.strip_prefix("NO") {
        ImapError::No(t.trim().to_string())
    } else if let Some(t) = status.strip_prefix("BAD") {
        ImapError::Bad(t.trim().to_string())
    } else {
        ImapError::Protocol(status)
    }
}

/// `{123}` or `{123+}` at the end of a line.
fn literal_size(line: &[u8]) -> Option<usize> {
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `1,5,7` (tests pass explicit UIDs).
fn uid_set(uids: &[u32]) -> String {
    uids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The number after `key` (e.g. `UID 5` → 5).
fn after_number(line: &str, key: &str) -> Option<u32> {
    let i = line.find(key)? + key.len();
    line[i..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// `[UIDVALIDITY 123]`-style codes.
fn bracket_number(line: &str, key: &str) -> Option<u32> {
    let i = line.find(&format!("[{key}"))? + 1;
    after_number(&line[i..], key)
}

/// The items of `key` … `)` (e.g. `FLAGS (\Seen \Flagged)`).
fn paren_list(line: &str, key: &str) -> Option<Vec<String>> {
    let i = line.find(key)? + key.len();
    let end = line[i..].find(')')? + i;
    Some(line[i..end].split_whitespace().map(String::from).collect())
}

/// An IMAP quoted string.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => s.to_string(),
    }
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/// UTF-8 → IMAP modified UTF-7 (RFC 3501 §5.1.3).
pub fn encode_mutf7(s: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
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
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out.push('-');
        pending.clear();
    };
    for c in s.chars() {
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

/// IMAP modified UTF-7 → UTF-8 (invalid sequences are kept as they are).
pub fn decode_mutf7(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find('-') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let enc = &after[..end];
        if enc.is_empty() {
            out.push('&');
        } else {
            let mut bits = 0u32;
            let mut nbits = 0;
            let mut bytes = Vec::new();
            for c in enc.bytes() {
                let Some(v) = B64.iter().position(|&b| b == c) else {
                    break;
                };
                bits = (bits << 6) | v as u32;
                nbits += 6;
                if nbits >= 8 {
                    nbits -= 8;
                    bytes.push((bits >> nbits) as u8);
                }
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            out.push_str(&String::from_utf16_lossy(&units));
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_utf7_round_trips() {
        for (utf8, wire) in [
            ("INBOX", "INBOX"),
            ("Entwürfe", "Entw&APw-rfe"),
            ("A&B", "A&-B"),
            ("日本語", "&ZeVnLIqe-"),
            ("Reçus 📬", "Re&AOc-us &2D3c7A-"),
        ] {
            assert_eq!(encode_mutf7(utf8), wire, "{utf8}");
            assert_eq!(decode_mutf7(wire), utf8, "{wire}");
        }
    }

    #[test]
    fn parses_fetch_flags_and_literals() {
        let line = r"12 FETCH (UID 40 FLAGS (\Seen $Forwarded))";
        assert_eq!(after_number(line, "UID "), Some(40));
        assert_eq!(
            paren_list(line, "FLAGS ("),
            Some(vec![r"\Seen".to_string(), "$Forwarded".to_string()])
        );
        assert_eq!(literal_size(b"* 1 FETCH (BODY[] {42}"), Some(42));
        assert_eq!(literal_size(b"A1 LOGIN {5+}"), Some(5));
        assert_eq!(literal_size(b"* OK done"), None);
        assert_eq!(
            bracket_number("OK [UIDVALIDITY 1700] x", "UIDVALIDITY "),
            Some(1700)
        );
    }
}
