//! One IMAP connection: frames responses (lines plus inlined literals),
//! tags commands, and collects the untagged data of each command.
//! Modelled on mini-redis's `Connection`: bytes in, frames out.

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

use super::ImapError;
use super::commands::Command;
use super::parse::{self, Value};

/// Largest literal we accept from the server: the largest message (R-LIM-1)
/// plus room for headers. Protects memory from a confused server.
const MAX_LITERAL: usize = postern_shared::limits::MAX_MESSAGE_BYTES as usize + 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// No single response may take longer (SORT on a huge folder is well below).
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(120);

/// One message to APPEND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendItem {
    /// IMAP flags such as `\\Seen`.
    pub flags: Vec<String>,
    /// IMAP date-time (see [`super::date::format`]); `None` = now.
    pub internal_date: Option<String>,
    pub message: Vec<u8>,
}

/// The final, tagged line of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub status: Status,
    /// The text after the status, e.g. `[UIDNEXT 5] Ok`.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    No,
    Bad,
}

impl Completion {
    /// The `[CODE …]` at the start of the text, if any.
    pub fn code(&self) -> Option<(String, Vec<String>)> {
        parse::response_code(&self.text)
    }

    /// Turns NO/BAD into an error.
    pub fn ok(self) -> Result<Completion, ImapError> {
        match self.status {
            Status::Ok => Ok(self),
            Status::No => Err(ImapError::No {
                code: self.code().map(|c| c.0),
                text: self.text,
            }),
            Status::Bad => Err(ImapError::Bad(self.text)),
        }
    }
}

/// An untagged response, tokenized (`* ` stripped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untagged(pub Vec<Value>);

impl Untagged {
    /// The response keyword (`LIST`, `FETCH`…), after a leading number if any.
    pub fn keyword(&self) -> Option<(Option<u32>, String, &[Value])> {
        let first = self.0.first()?.as_atom()?;
        if let Ok(n) = first.parse::<u32>() {
            let kw = self.0.get(1)?.as_atom()?.to_ascii_uppercase();
            Some((Some(n), kw, &self.0[2..]))
        } else {
            Some((None, first.to_ascii_uppercase(), &self.0[1..]))
        }
    }
}

pub struct Connection {
    stream: BufStream<TcpStream>,
    next_tag: u32,
    /// Set while a command's responses are not fully read. A connection
    /// dropped mid-command (cancelled request) must not go back to the pool.
    in_flight: bool,
    /// The server said BYE or the stream failed: never reuse.
    broken: bool,
    pub(crate) last_used: Instant,
    /// The folder this connection holds open: the pool hands it to the
    /// next request for that folder, which finds it open (see
    /// `ops::select`).
    pub(crate) selected: Option<super::ops::Held>,
}

impl Connection {
    /// Connects and reads the greeting.
    pub async fn connect(addr: &str) -> Result<Connection, ImapError> {
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| ImapError::Timeout)??;
        tcp.set_nodelay(true)?;
        let mut conn = Connection {
            stream: BufStream::new(tcp),
            next_tag: 1,
            in_flight: true,
            broken: false,
            last_used: Instant::now(),
            selected: None,
        };
        let greeting = conn.read_frame().await?;
        conn.in_flight = false;
        match greeting {
            Frame::Untagged(u)
                if u.first()
                    .and_then(|v| v.as_atom())
                    .is_some_and(|a| a.eq_ignore_ascii_case("OK")) =>
            {
                Ok(conn)
            }
            _ => Err(ImapError::Protocol("unexpected greeting".into())),
        }
    }

    /// Logs in as `user` (for the gateway: `address*master`).
    pub async fn login(&mut self, user: &str, password: &str) -> Result<(), ImapError> {
        let cmd = Command::new("LOGIN")
            .string(user.as_bytes())
            .string(password.as_bytes());
        let (_, done) = self.run(&cmd).await?;
        done.ok().map(|_| ()).map_err(|e| match e {
            ImapError::No { text, .. } => ImapError::LoginRefused(text),
            other => other,
        })
    }

    /// Whether the pool may hand this connection out again.
    pub fn reusable(&self) -> bool {
        !self.in_flight && !self.broken
    }

    /// Sends a command and collects its untagged responses and completion.
    pub async fn run(&mut self, cmd: &Command) -> Result<(Vec<Untagged>, Completion), ImapError> {
        let tag = self.send(cmd).await?;
        self.collect(&tag).await
    }

    /// Sends a command without waiting (for pipelining); returns its tag.
    pub async fn send(&mut self, cmd: &Command) -> Result<String, ImapError> {
        if self.broken {
            return Err(ImapError::Closed);
        }
        let tag = format!("A{}", self.next_tag);
        self.next_tag += 1;
        self.in_flight = true;
        self.last_used = Instant::now();
        let result = async {
            self.stream.write_all(tag.as_bytes()).await?;
            self.stream.write_all(b" ").await?;
            self.stream.write_all(cmd.as_bytes()).await?;
            self.stream.write_all(b"\r\n").await?;
            self.stream.flush().await
        }
        .await;
        if let Err(e) = result {
            self.broken = true;
            return Err(e.into());
        }
        Ok(tag)
    }

    /// Reads until the completion of `tag`.
    pub async fn collect(&mut self, tag: &str) -> Result<(Vec<Untagged>, Completion), ImapError> {
        let mut untagged = Vec::new();
        loop {
            match self.read_frame().await? {
                Frame::Untagged(values) => {
                    if values
                        .first()
                        .and_then(|v| v.as_atom())
                        .is_some_and(|a| a.eq_ignore_ascii_case("BYE"))
                    {
                        self.broken = true;
                    }
                    untagged.push(Untagged(values));
                }
                Frame::Continuation => {
                    // We only send non-synchronising literals; a continuation
                    // request here means the server refused LITERAL+.
                    self.broken = true;
                    return Err(ImapError::Protocol(
                        "unexpected continuation request".into(),
                    ));
                }
                Frame::Tagged { tag: t, completion } => {
                    if t == tag {
                        self.in_flight = false;
                        self.last_used = Instant::now();
                        return Ok((untagged, completion));
                    }
                    // Completion of an earlier pipelined command: ignore.
                }
            }
        }
    }

    /// APPENDs several messages, pipelined (one round trip per batch).
    /// Each item: (flags like `\Seen`, INTERNALDATE string, bytes).
    pub async fn append_batch(
        &mut self,
        folder: &str,
        items: &[AppendItem],
    ) -> Result<Vec<Option<u32>>, ImapError> {
        let mut tags = Vec::with_capacity(items.len());
        for AppendItem {
            flags,
            internal_date: date,
            message: bytes,
        } in items
        {
            let mut cmd = Command::new("APPEND").mailbox(folder);
            cmd = cmd.raw(&format!("({})", flags.join(" ")));
            if let Some(d) = date {
                cmd = cmd.string(d.as_bytes());
            }
            // Always a literal: message bytes may look quotable but must
            // keep their CRLFs.
            cmd.0.push(b' ');
            cmd.0
                .extend_from_slice(format!("{{{}+}}\r\n", bytes.len()).as_bytes());
            cmd.0.extend_from_slice(bytes);
            tags.push(self.send(&cmd).await?);
        }
        let mut uids = Vec::with_capacity(tags.len());
        for tag in tags {
            let (_, done) = self.collect(&tag).await?;
            let done = done.ok()?;
            let uid = done
                .code()
                .filter(|(c, _)| c == "APPENDUID")
                .and_then(|(_, args)| args.get(1)?.parse().ok());
            uids.push(uid);
        }
        Ok(uids)
    }

    /// APPENDs one message streamed from a file (a message may be up to
    /// 201 MiB: never read whole into memory). Returns the new UID when the
    /// server reports it (APPENDUID, RFC 4315).
    pub async fn append_file(
        &mut self,
        folder: &str,
        flags: &[&str],
        path: &std::path::Path,
    ) -> Result<Option<u32>, ImapError> {
        let mut file = tokio::fs::File::open(path).await?;
        let len = file.metadata().await?.len();
        // `send` ends the command line with CRLF: exactly what must follow
        // the non-synchronising literal's `{n+}`.
        let cmd = Command::new("APPEND")
            .mailbox(folder)
            .raw(&format!("({})", flags.join(" ")))
            .raw(&format!("{{{len}+}}"));
        let tag = self.send(&cmd).await?;
        let copied = async {
            let n = tokio::io::copy(&mut (&mut file).take(len), &mut self.stream).await?;
            if n != len {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "message file shrank while appending",
                ));
            }
            self.stream.write_all(b"\r\n").await?;
            self.stream.flush().await
        }
        .await;
        if let Err(e) = copied {
            self.broken = true;
            return Err(e.into());
        }
        let (_, done) = self.collect(&tag).await?;
        let done = done.ok()?;
        Ok(done
            .code()
            .filter(|(c, _)| c == "APPENDUID")
            .and_then(|(_, args)| args.get(1)?.parse().ok()))
    }

    /// APPENDs several messages in ONE command (MULTIAPPEND, RFC 3502):
    /// the server stores them in one transaction (one fsync), which makes
    /// bulk seeding an order of magnitude faster than separate APPENDs.
    /// Returns how many were stored.
    pub async fn append_multi(
        &mut self,
        folder: &str,
        items: &[AppendItem],
    ) -> Result<usize, ImapError> {
        if items.is_empty() {
            return Ok(0);
        }
        let mut cmd = Command::new("APPEND").mailbox(folder);
        for AppendItem {
            flags,
            internal_date: date,
            message: bytes,
        } in items
        {
            cmd = cmd.raw(&format!("({})", flags.join(" ")));
            if let Some(d) = date {
                cmd = cmd.string(d.as_bytes());
            }
            cmd.0.push(b' ');
            cmd.0
                .extend_from_slice(format!("{{{}+}}\r\n", bytes.len()).as_bytes());
            cmd.0.extend_from_slice(bytes);
        }
        self.run(&cmd).await?.1.ok()?;
        Ok(items.len())
    }

    /// Starts `IDLE` (RFC 2177): returns its tag once the server's `+`
    /// came, with the untagged responses that arrived before it.
    pub async fn idle(&mut self) -> Result<(String, Vec<Untagged>), ImapError> {
        let tag = self.send(&Command::new("IDLE")).await?;
        let mut untagged = Vec::new();
        loop {
            match self.read_frame().await? {
                Frame::Continuation => return Ok((tag, untagged)),
                Frame::Untagged(v) => untagged.push(Untagged(v)),
                Frame::Tagged { completion, .. } => {
                    self.broken = true;
                    return Err(ImapError::Protocol(format!(
                        "IDLE refused: {}",
                        completion.text
                    )));
                }
            }
        }
    }

    /// Waits until the server sent something, at most `wait`: `false` when
    /// nothing came. Cancel-safe (nothing is consumed), so a caller may
    /// select on it; the response itself is read by [`Self::next_untagged`].
    pub async fn readable(&mut self, wait: Duration) -> Result<bool, ImapError> {
        match tokio::time::timeout(wait, self.stream.fill_buf()).await {
            Err(_) => Ok(false),
            Ok(Ok([])) => {
                self.broken = true;
                Err(ImapError::Closed)
            }
            Ok(Ok(_)) => Ok(true),
            Ok(Err(e)) => {
                self.broken = true;
                Err(e.into())
            }
        }
    }

    /// The next response during `IDLE`: always untagged (a tagged one ends
    /// the IDLE, which only `DONE` may do).
    pub async fn next_untagged(&mut self) -> Result<Untagged, ImapError> {
        match self.read_frame().await? {
            Frame::Untagged(v) => {
                if v.first()
                    .and_then(|v| v.as_atom())
                    .is_some_and(|a| a.eq_ignore_ascii_case("BYE"))
                {
                    self.broken = true;
                    return Err(ImapError::Closed);
                }
                Ok(Untagged(v))
            }
            _ => {
                self.broken = true;
                Err(ImapError::Protocol(
                    "unexpected response during IDLE".into(),
                ))
            }
        }
    }

    /// Ends the `IDLE` of `tag`; answers the untagged responses that came
    /// before its completion.
    pub async fn done(&mut self, tag: &str) -> Result<Vec<Untagged>, ImapError> {
        let written = async {
            self.stream.write_all(b"DONE\r\n").await?;
            self.stream.flush().await
        }
        .await;
        if let Err(e) = written {
            self.broken = true;
            return Err(e.into());
        }
        let (untagged, done) = self.collect(tag).await?;
        done.ok()?;
        Ok(untagged)
    }

    async fn read_frame(&mut self) -> Result<Frame, ImapError> {
        match tokio::time::timeout(RESPONSE_TIMEOUT, self.read_frame_inner()).await {
            Ok(Ok(f)) => Ok(f),
            Ok(Err(e)) => {
                self.broken = true;
                Err(e)
            }
            Err(_) => {
                self.broken = true;
                Err(ImapError::Timeout)
            }
        }
    }

    /// Reads one response: a line, plus the literals it announces.
    async fn read_frame_inner(&mut self) -> Result<Frame, ImapError> {
        let mut buf = Vec::new();
        loop {
            let n = self.stream.read_until(b'\n', &mut buf).await?;
            if n == 0 {
                return Err(ImapError::Closed);
            }
            match literal_len(&buf) {
                Some(len) if len > MAX_LITERAL => {
                    return Err(ImapError::Protocol("literal too large".into()));
                }
                Some(len) => {
                    let start = buf.len();
                    buf.resize(start + len, 0);
                    self.stream.read_exact(&mut buf[start..]).await?;
                }
                None => break,
            }
        }
        frame_of(&buf)
    }
}

/// A framed response.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    Untagged(Vec<Value>),
    Continuation,
    Tagged { tag: String, completion: Completion },
}

/// `Some(n)` when the bytes read so far end with a `{n}\r\n` literal header.
pub fn literal_len(buf: &[u8]) -> Option<usize> {
    let line = buf
        .strip_suffix(b"\r\n")
        .or_else(|| buf.strip_suffix(b"\n"))?;
    let line = line.strip_suffix(b"}")?;
    let open = line.iter().rposition(|&b| b == b'{')?;
    let digits = &line[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Classifies a complete response.
pub fn frame_of(buf: &[u8]) -> Result<Frame, ImapError> {
    if let Some(rest) = buf.strip_prefix(b"* ") {
        // Status responses carry free text (which may hold unbalanced quotes
        // or parentheses): keep it whole instead of tokenizing it.
        let text = String::from_utf8_lossy(rest);
        let text = text.trim_end_matches(['\r', '\n']);
        let (kw, tail) = text.split_once(' ').unwrap_or((text, ""));
        if ["OK", "NO", "BAD", "BYE", "PREAUTH", "CAPABILITY"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(kw))
        {
            return Ok(Frame::Untagged(vec![
                Value::Atom(kw.to_ascii_uppercase()),
                Value::Atom(tail.to_string()),
            ]));
        }
        return Ok(Frame::Untagged(parse::tokenize(rest)?));
    }
    if buf.starts_with(b"+") {
        return Ok(Frame::Continuation);
    }
    let line = String::from_utf8_lossy(buf);
    let line = line.trim_end_matches(['\r', '\n']);
    let mut parts = line.splitn(3, ' ');
    let tag = parts.next().unwrap_or_default().to_string();
    let status = match parts.next().map(str::to_ascii_uppercase).as_deref() {
        Some("OK") => Status::Ok,
        Some("NO") => Status::No,
        Some("BAD") => Status::Bad,
        _ => return Err(ImapError::Protocol(format!("unexpected line: {line:.80}"))),
    };
    let text = parts.next().unwrap_or_default().to_string();
    Ok(Frame::Tagged {
        tag,
        completion: Completion { status, text },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_literal_headers() {
        assert_eq!(literal_len(b"* 1 FETCH (BODY[] {123}\r\n"), Some(123));
        assert_eq!(literal_len(b"* OK done\r\n"), None);
        assert_eq!(literal_len(b"* OK {x}\r\n"), None);
    }

    #[test]
    fn frames_tagged_untagged_and_continuation() {
        assert_eq!(
            frame_of(b"A3 NO [NONEXISTENT] Mailbox doesn't exist: X\r\n").unwrap(),
            Frame::Tagged {
                tag: "A3".into(),
                completion: Completion {
                    status: Status::No,
                    text: "[NONEXISTENT] Mailbox doesn't exist: X".into()
                }
            }
        );
        assert_eq!(frame_of(b"+ OK\r\n").unwrap(), Frame::Continuation);
        match frame_of(b"* 3 EXISTS\r\n").unwrap() {
            Frame::Untagged(v) => {
                let u = Untagged(v);
                let (n, kw, _) = u.keyword().unwrap();
                assert_eq!((n, kw.as_str()), (Some(3), "EXISTS"));
            }
            other => panic!("{other:?}"),
        }
        assert!(frame_of(b"garbage\r\n").is_err());
        assert_eq!(
            frame_of(b"* OK [UIDNEXT 42] Predicted \"next\r\n").unwrap(),
            Frame::Untagged(vec![
                Value::Atom("OK".into()),
                Value::Atom("[UIDNEXT 42] Predicted \"next".into())
            ])
        );
    }
}
