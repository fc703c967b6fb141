//! Mailbox operations over one connection, each a few commands. Routes
//! call these through the pool; they hold no HTTP knowledge.

use postern_shared::api::{EmailAddress, Flag, MessageSummary};

use super::commands::{Command, uid_set};
use super::connection::{Connection, Status, Untagged};
use super::parse::{self, FetchItems, ListEntry};
use super::{ImapError, date};

/// What SELECT/EXAMINE tells us about a folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Selected {
    pub exists: u32,
    pub uid_validity: u32,
    pub uid_next: u32,
    /// CONDSTORE's HIGHESTMODSEQ; 0 when the folder keeps none.
    pub highest_modseq: u64,
}

/// Selects a folder (`readonly` = EXAMINE, which never changes flags),
/// with CONDSTORE, so any change to it moves HIGHESTMODSEQ.
/// A missing folder is `ImapError::No` (code `NONEXISTENT` on Dovecot).
///
/// A folder this connection already holds open (read-write, or read-only
/// when that is all that is asked) is not opened again: NOOP brings its
/// view up to date and STATUS reads the same figures. Re-opening is what
/// costs on a big Maildir — Dovecot reads its UID list again when the
/// next FETCH wants a size (~70 ms at 100,000 messages) —, while NOOP and
/// STATUS on the open folder take ~0.2 ms. Every fetch uses BODY.PEEK, so
/// a read-write view answers a read-only request alike.
pub async fn select(
    conn: &mut Connection,
    folder: &str,
    readonly: bool,
) -> Result<Selected, ImapError> {
    if let Some(held) = &conn.selected
        && held.folder == folder
        && (held.writable || readonly)
    {
        let uid_validity = held.uid_validity;
        match resync(conn, folder).await? {
            // Same name, same folder: another client did not rename it
            // away and put a new one in its place.
            Some(s) if s.uid_validity == uid_validity => return Ok(s),
            _ => conn.selected = None,
        }
    }
    let verb = if readonly { "EXAMINE" } else { "SELECT" };
    let cmd = Command::new(verb).mailbox(folder).raw("(CONDSTORE)");
    // A failed SELECT leaves nothing selected (RFC 9051 6.3.2).
    conn.selected = None;
    let (untagged, done) = conn.run(&cmd).await?;
    done.ok()?;
    let mut s = Selected::default();
    for u in &untagged {
        match u.keyword() {
            Some((Some(n), kw, _)) if kw == "EXISTS" => s.exists = n,
            Some((None, kw, rest)) if kw == "OK" => {
                let text = rest.first().and_then(|v| v.as_atom()).unwrap_or_default();
                if let Some((code, args)) = parse::response_code(text) {
                    let n: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(0);
                    match code.as_str() {
                        "UIDVALIDITY" => s.uid_validity = n as u32,
                        "UIDNEXT" => s.uid_next = n as u32,
                        "HIGHESTMODSEQ" => s.highest_modseq = n,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    conn.selected = Some(Held {
        folder: folder.to_string(),
        writable: !readonly,
        uid_validity: s.uid_validity,
        exists: s.exists,
    });
    Ok(s)
}

/// The folder a connection holds open, and its size when last looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub folder: String,
    pub writable: bool,
    pub uid_validity: u32,
    pub exists: u32,
}

/// [`select`] of the folder `conn` holds: NOOP (the view takes in new,
/// expunged and changed messages), then STATUS of it. `None`: open it
/// again — the folder is gone, or was replaced under its name by another
/// client (Dovecot then answers the NOOP with an untagged NO: its view no
/// longer matches the folder's index; STATUS alone would still report the
/// old view, flagged `[CLIENTBUG]`).
async fn resync(conn: &mut Connection, folder: &str) -> Result<Option<Selected>, ImapError> {
    let (untagged, done) = conn.run(&Command::new("NOOP")).await?;
    let complained = untagged.iter().any(
        |u| matches!(u.keyword(), Some((None, kw, _)) if kw == "NO" || kw == "BAD" || kw == "BYE"),
    );
    if complained || done.status != Status::Ok {
        return Ok(None);
    }
    let cmd = Command::new("STATUS")
        .mailbox(folder)
        .raw("(MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)");
    let (untagged, done) = conn.run(&cmd).await?;
    let found = done.ok().ok().and_then(|_| selected_from_status(&untagged));
    if let (Some(s), Some(held)) = (&found, conn.selected.as_mut()) {
        held.exists = s.exists;
    }
    Ok(found)
}

/// The figures of a `STATUS (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)`
/// answer (pure).
fn selected_from_status(untagged: &[Untagged]) -> Option<Selected> {
    untagged.iter().find_map(|u| match u.keyword() {
        Some((None, kw, rest)) if kw == "STATUS" => {
            let (_, items) = parse::parse_status(rest)?;
            let mut s = Selected::default();
            for (name, n) in items {
                match name.as_str() {
                    "MESSAGES" => s.exists = n as u32,
                    "UIDNEXT" => s.uid_next = n as u32,
                    "UIDVALIDITY" => s.uid_validity = n as u32,
                    "HIGHESTMODSEQ" => s.highest_modseq = n,
                    _ => {}
                }
            }
            (s.uid_validity != 0).then_some(s)
        }
        _ => None,
    })
}

/// A folder with its counts, as LIST-STATUS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    pub entry: ListEntry,
    pub messages: u32,
    pub unseen: u32,
}

/// Every folder with counts, in one round trip:
/// `LIST "" "*" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))`.
pub async fn list_folders(conn: &mut Connection) -> Result<Vec<FolderInfo>, ImapError> {
    let cmd = Command::new("LIST \"\" \"*\" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))");
    let (untagged, done) = conn.run(&cmd).await?;
    done.ok()?;
    Ok(folders_from(&untagged))
}

/// Joins LIST and STATUS responses (pure; tested with captured output).
pub fn folders_from(untagged: &[Untagged]) -> Vec<FolderInfo> {
    let mut folders: Vec<FolderInfo> = Vec::new();
    for u in untagged {
        match u.keyword() {
            Some((None, kw, rest)) if kw == "LIST" => {
                if let Some(entry) = parse::parse_list(rest) {
                    folders.push(FolderInfo {
                        entry,
                        messages: 0,
                        unseen: 0,
                    });
                }
            }
            Some((None, kw, rest)) if kw == "STATUS" => {
                if let Some((path, items)) = parse::parse_status(rest)
                    && let Some(f) = folders.iter_mut().find(|f| f.entry.path == path)
                {
                    {
                        for (k, v) in items {
                            let v = u32::try_from(v).unwrap_or(u32::MAX);
                            match k.as_str() {
                                "MESSAGES" => f.messages = v,
                                "UNSEEN" => f.unseen = v,
                                _ => {}
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    folders
}

/// What the mailbox holds and may hold (R-LIM-5), two commands: the limit
/// from `GETQUOTAROOT "INBOX"` (Dovecot's quota plugin; no root, or a root
/// without a `STORAGE` limit, is no limit), the bytes from the `SIZE` of
/// every folder (`LIST … RETURN (STATUS (SIZE))`, RFC 8438: exact bytes,
/// where the quota's `STORAGE` counts whole KiB — and an unlimited
/// mailbox has no quota figures at all).
pub async fn storage(
    conn: &mut Connection,
) -> Result<postern_shared::api::MailboxStorage, ImapError> {
    let (quota, done) = conn
        .run(&Command::new("GETQUOTAROOT").mailbox("INBOX"))
        .await?;
    done.ok()?;
    let (sizes, done) = conn
        .run(&Command::new(r#"LIST "" "*" RETURN (STATUS (SIZE))"#))
        .await?;
    done.ok()?;
    Ok(storage_from(&quota, &sizes))
}

/// [`storage`]'s answer from the two commands' untagged responses (pure).
/// With several roots the tightest `STORAGE` limit is the one that refuses
/// first.
pub fn storage_from(quota: &[Untagged], sizes: &[Untagged]) -> postern_shared::api::MailboxStorage {
    let roots: Vec<String> = quota
        .iter()
        .filter_map(|u| match u.keyword() {
            Some((None, kw, rest)) if kw == "QUOTAROOT" => parse::parse_quotaroot(rest),
            _ => None,
        })
        .flat_map(|(_, roots)| roots)
        .collect();
    let limit_kib = quota
        .iter()
        .filter_map(|u| match u.keyword() {
            Some((None, kw, rest)) if kw == "QUOTA" => parse::parse_quota(rest),
            _ => None,
        })
        .filter(|(root, _)| roots.contains(root))
        .flat_map(|(_, resources)| resources)
        .filter(|r| r.name == "STORAGE" && r.limit > 0)
        .map(|r| r.limit)
        .min();
    let used_bytes = sizes
        .iter()
        .filter_map(|u| match u.keyword() {
            Some((None, kw, rest)) if kw == "STATUS" => parse::parse_status(rest),
            _ => None,
        })
        .flat_map(|(_, items)| items)
        .filter(|(name, _)| name == "SIZE")
        .fold(0u64, |sum, (_, n)| sum.saturating_add(n));
    postern_shared::api::MailboxStorage {
        used_bytes,
        limit_bytes: limit_kib.map(|k| k.saturating_mul(1024)),
    }
}

/// Runs a `UID SORT`/`UID SEARCH` and returns the UIDs in server order.
pub async fn uids(conn: &mut Connection, cmd: &Command) -> Result<Vec<u32>, ImapError> {
    let (untagged, done) = conn.run(cmd).await?;
    done.ok()?;
    let mut out = Vec::new();
    for u in &untagged {
        if let Some((None, kw, rest)) = u.keyword()
            && (kw == "SORT" || kw == "SEARCH")
        {
            out.extend(parse::parse_numbers(rest));
        }
    }
    Ok(out)
}

const SUMMARY_ITEMS: &str = "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])";

/// Fetches list rows for `uids`, returned in the order of `uids`.
pub async fn fetch_summaries(
    conn: &mut Connection,
    uids: &[u32],
) -> Result<Vec<MessageSummary>, ImapError> {
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    let cmd = Command::new("UID FETCH")
        .raw(&uid_set(uids))
        .raw(SUMMARY_ITEMS);
    let (untagged, done) = conn.run(&cmd).await?;
    done.ok()?;
    let mut rows: Vec<MessageSummary> = fetches(&untagged).iter().filter_map(summary_of).collect();
    rows.sort_by_key(|r| uids.iter().position(|&u| u == r.uid).unwrap_or(usize::MAX));
    Ok(rows)
}

/// The FETCH responses among untagged data.
pub fn fetches(untagged: &[Untagged]) -> Vec<FetchItems> {
    untagged
        .iter()
        .filter_map(|u| match u.keyword() {
            Some((Some(_), kw, rest)) if kw == "FETCH" => parse::parse_fetch(rest),
            _ => None,
        })
        .collect()
}

/// One list row from a FETCH (pure). Headers are decoded by mail-parser
/// (RFC 2047 words, 8-bit, folded lines).
pub fn summary_of(f: &FetchItems) -> Option<MessageSummary> {
    let uid = f.uid()?;
    let flags = f.flags();
    let has = |name: &str| flags.iter().any(|x| x.eq_ignore_ascii_case(name));
    let internal = f
        .get("INTERNALDATE")
        .and_then(|v| v.as_text())
        .and_then(|d| date::parse(&d))
        .unwrap_or(0);
    let header = f
        .get_prefix("BODY[HEADER")
        .and_then(|v| v.as_bytes())
        .unwrap_or_default();
    let parsed = mail_parser::MessageParser::default().parse_headers(header);
    let convert = |a: &mail_parser::Addr<'_>| {
        Some(EmailAddress {
            name: a.name().map(str::to_string).filter(|n| !n.is_empty()),
            address: a.address()?.to_string(),
        })
    };
    let (from, to, subject, date) = match &parsed {
        Some(m) => (
            m.from().and_then(|a| a.first()).and_then(convert),
            m.to()
                .map(|a| a.iter().filter_map(convert).collect())
                .unwrap_or_default(),
            m.subject().unwrap_or_default().to_string(),
            m.date().map(|d| d.to_timestamp()),
        ),
        None => (None, Vec::new(), String::new(), None),
    };
    Some(MessageSummary {
        uid,
        from,
        to,
        subject,
        date: date.unwrap_or(internal),
        size: f.get("RFC822.SIZE").and_then(|v| v.as_u64()).unwrap_or(0),
        seen: has("\\Seen"),
        flagged: has("\\Flagged"),
        answered: has("\\Answered"),
        has_attachments: f.get("BODYSTRUCTURE").is_some_and(parse::has_attachments),
    })
}

/// A message's flags; `None` if it is not in the selected folder.
pub async fn flags_of(conn: &mut Connection, uid: u32) -> Result<Option<Vec<String>>, ImapError> {
    let cmd = Command::new("UID FETCH")
        .raw(&uid.to_string())
        .raw("(UID FLAGS)");
    let (untagged, done) = conn.run(&cmd).await?;
    done.ok()?;
    Ok(fetches(&untagged)
        .into_iter()
        .find(|f| f.uid() == Some(uid))
        .map(|f| message_flags(f.flags())))
}

/// The whole message and its flags; `None` when the UID does not exist.
pub async fn fetch_raw(
    conn: &mut Connection,
    uid: u32,
) -> Result<Option<(Vec<u8>, Vec<String>)>, ImapError> {
    let cmd = Command::new("UID FETCH")
        .raw(&uid.to_string())
        .raw("(UID FLAGS BODY.PEEK[])");
    let (untagged, done) = conn.run(&cmd).await?;
    done.ok()?;
    for f in fetches(&untagged) {
        if f.uid() == Some(uid)
            && let Some(body) = f.get("BODY[]").and_then(|v| v.as_bytes())
        {
            return Ok(Some((body.to_vec(), message_flags(f.flags()))));
        }
    }
    Ok(None)
}

/// The whole bytes of `uids`, in one command (those that exist, in the
/// order of `uids`).
pub async fn fetch_raws(
    conn: &mut Connection,
    uids: &[u32],
) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    let cmd = Command::new("UID FETCH")
        .raw(&uid_set(uids))
        .raw("(UID BODY.PEEK[])");
    let (untagged, done) = conn.run(&cmd).await?;
    done.ok()?;
    let mut out: Vec<(u32, Vec<u8>)> = fetches(&untagged)
        .iter()
        .filter_map(|f| Some((f.uid()?, f.get("BODY[]")?.as_bytes()?.to_vec())))
        .filter(|(uid, _)| uids.contains(uid))
        .collect();
    out.sort_by_key(|(uid, _)| uids.iter().position(|u| u == uid));
    Ok(out)
}

/// Flags as a message property: `\\Recent` is per-session noise.
fn message_flags<S: AsRef<str> + Into<String>>(flags: Vec<S>) -> Vec<String> {
    flags
        .into_iter()
        .filter(|x| !x.as_ref().eq_ignore_ascii_case("\\Recent"))
        .map(Into::into)
        .collect()
}

/// Some header fields of a message (`BODY.PEEK[HEADER.FIELDS (…)]`), raw;
/// `None` when the UID does not exist. `fields` are fixed names, never
/// user input.
pub async fn header_fields(
    conn: &mut Connection,
    uid: u32,
    fields: &[&str],
) -> Result<Option<Vec<u8>>, ImapError> {
    let cmd = Command::new("UID FETCH")
        .raw(&uid.to_string())
        .raw(&format!(
            "(UID BODY.PEEK[HEADER.FIELDS ({})])",
            fields.join(" ")
        ));
    let (untagged, done) = conn.run(&cmd).await?;
    done.ok()?;
    for f in fetches(&untagged) {
        if f.uid() == Some(uid) {
            return Ok(Some(
                f.get_prefix("BODY[HEADER")
                    .and_then(|v| v.as_bytes())
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default(),
            ));
        }
    }
    Ok(None)
}

/// The path of a special folder (RFC 6154 attribute, else a known name
/// such as "Sent Items"); `None` when the mailbox has none.
pub async fn special_folder(
    conn: &mut Connection,
    role: postern_shared::folders::SpecialUse,
) -> Result<Option<String>, ImapError> {
    let folders = list_folders(conn).await?;
    let detect = |f: &FolderInfo| {
        let attrs: Vec<&str> = f.entry.attributes.iter().map(String::as_str).collect();
        postern_shared::folders::detect_special_use(&f.entry.path, f.entry.delimiter, &attrs)
    };
    // An attribute beats a name: prefer folders flagged by the server.
    let flagged = folders.iter().find(|f| {
        f.entry
            .attributes
            .iter()
            .any(|a| postern_shared::folders::SpecialUse::from_imap_attribute(a) == Some(role))
    });
    Ok(flagged
        .or_else(|| folders.iter().find(|f| detect(f) == Some(role)))
        .map(|f| f.entry.path.clone()))
}

/// `UID STORE ±FLAGS.SILENT (flag)`.
pub async fn store_flag(
    conn: &mut Connection,
    uids: &[u32],
    flag: &str,
    value: bool,
) -> Result<(), ImapError> {
    let op = if value {
        "+FLAGS.SILENT"
    } else {
        "-FLAGS.SILENT"
    };
    let cmd = Command::new("UID STORE")
        .raw(&uid_set(uids))
        .raw(op)
        .raw(&format!("({flag})"));
    conn.run(&cmd).await?.1.ok()?;
    Ok(())
}

pub fn flag_name(flag: Flag) -> &'static str {
    flag.imap_name()
}

/// Counts `* n EXPUNGE` responses: how many messages left the folder.
fn expunged(untagged: &[Untagged]) -> u32 {
    untagged
        .iter()
        .filter(|u| matches!(u.keyword(), Some((Some(_), kw, _)) if kw == "EXPUNGE"))
        .count() as u32
}

/// `UID MOVE` (RFC 6851); returns how many messages moved. The
/// destination is checked first: servers answer OK to a MOVE that matches
/// no message even when the destination does not exist.
pub async fn move_uids(conn: &mut Connection, uids: &[u32], to: &str) -> Result<u32, ImapError> {
    conn.run(&Command::new("STATUS").mailbox(to).raw("(MESSAGES)"))
        .await?
        .1
        .ok()?;
    let cmd = Command::new("UID MOVE").raw(&uid_set(uids)).mailbox(to);
    let (untagged, done) = conn.run(&cmd).await?;
    done.ok()?;
    Ok(expunged(&untagged))
}

/// Deletes for good: `\Deleted` then `UID EXPUNGE` of just these UIDs.
pub async fn expunge_uids(conn: &mut Connection, uids: &[u32]) -> Result<u32, ImapError> {
    store_flag(conn, uids, "\\Deleted", true).await?;
    let (untagged, done) = conn
        .run(&Command::new("UID EXPUNGE").raw(&uid_set(uids)))
        .await?;
    done.ok()?;
    Ok(expunged(&untagged))
}

pub async fn create(conn: &mut Connection, path: &str) -> Result<(), ImapError> {
    conn.run(&Command::new("CREATE").mailbox(path))
        .await?
        .1
        .ok()?;
    // Best effort: new folders show up in clients that list subscriptions.
    let _ = conn.run(&Command::new("SUBSCRIBE").mailbox(path)).await?;
    Ok(())
}

pub async fn rename(conn: &mut Connection, from: &str, to: &str) -> Result<(), ImapError> {
    conn.selected = None;
    conn.run(&Command::new("RENAME").mailbox(from).mailbox(to))
        .await?
        .1
        .ok()?;
    let _ = conn.run(&Command::new("UNSUBSCRIBE").mailbox(from)).await?;
    let _ = conn.run(&Command::new("SUBSCRIBE").mailbox(to)).await?;
    Ok(())
}

pub async fn delete(conn: &mut Connection, path: &str) -> Result<(), ImapError> {
    conn.selected = None;
    conn.run(&Command::new("DELETE").mailbox(path))
        .await?
        .1
        .ok()?;
    let _ = conn.run(&Command::new("UNSUBSCRIBE").mailbox(path)).await?;
    Ok(())
}

/// MIME headers and decoded size of a body section; `None` if the message
/// or section does not exist.
pub async fn part_meta(
    conn: &mut Connection,
    uid: u32,
    section: &str,
) -> Result<Option<(Vec<u8>, Option<u64>)>, ImapError> {
    let cmd = Command::new("UID FETCH")
        .raw(&uid.to_string())
        .raw(&format!(
            "(UID BODY.PEEK[{section}.MIME] BINARY.SIZE[{section}])"
        ));
    let (untagged, done) = conn.run(&cmd).await?;
    if done.status != super::connection::Status::Ok {
        // Dovecot answers NO for a section that does not exist.
        return Ok(None);
    }
    for f in fetches(&untagged) {
        if f.uid() == Some(uid) {
            let mime = f
                .get_prefix("BODY[")
                .and_then(|v| v.as_bytes())
                .map(<[u8]>::to_vec);
            let size = f.get_prefix("BINARY.SIZE[").and_then(|v| v.as_u64());
            return Ok(mime.filter(|m| !m.is_empty()).map(|m| (m, size)));
        }
    }
    Ok(None)
}

/// One decoded chunk of a section: `BINARY.PEEK[section]<offset.len>`.
/// Empty when past the end.
pub async fn part_chunk(
    conn: &mut Connection,
    uid: u32,
    section: &str,
    offset: u64,
    len: u64,
) -> Result<Vec<u8>, ImapError> {
    let cmd = Command::new("UID FETCH")
        .raw(&uid.to_string())
        .raw(&format!("(UID BINARY.PEEK[{section}]<{offset}.{len}>)"));
    let (untagged, done) = conn.run(&cmd).await?;
    done.ok()?;
    for f in fetches(&untagged) {
        if f.uid() == Some(uid)
            && let Some(v) = f.get_prefix("BINARY[")
        {
            return Ok(v.as_bytes().map(<[u8]>::to_vec).unwrap_or_default());
        }
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::connection::{Frame, frame_of};

    fn untagged(lines: &[&[u8]]) -> Vec<Untagged> {
        lines
            .iter()
            .map(|l| match frame_of(l).unwrap() {
                Frame::Untagged(v) => Untagged(v),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn an_open_folder_is_read_back_from_its_captured_status() {
        let u = untagged(&[
            b"* 3 EXPUNGE\r\n",
            b"* STATUS \"Bench 100k\" (MESSAGES 100000 UIDNEXT 100001 UIDVALIDITY 1796135970 HIGHESTMODSEQ 1001)\r\n",
        ]);
        assert_eq!(
            selected_from_status(&u),
            Some(Selected {
                exists: 100_000,
                uid_validity: 1_796_135_970,
                uid_next: 100_001,
                highest_modseq: 1001,
            })
        );
        assert_eq!(selected_from_status(&u[..1]), None);
    }

    #[test]
    fn storage_is_the_folders_sizes_and_the_quota_roots_storage_limit() {
        // Captured from Dovecot 2.3.19, `quota = count:User quota`, a rule
        // of 20000B (Dovecot rounds to KiB) and one 5196-byte message.
        let quota = untagged(&[
            b"* QUOTAROOT INBOX \"User quota\"\r\n",
            b"* QUOTA \"User quota\" (STORAGE 6 20)\r\n",
        ]);
        let sizes = untagged(&[
            b"* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
            b"* STATUS INBOX (SIZE 5196)\r\n",
            b"* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n",
            b"* STATUS Trash (SIZE 100)\r\n",
            b"* LIST (\\Noselect \\HasChildren) \"/\" Old\r\n",
        ]);
        assert_eq!(
            storage_from(&quota, &sizes),
            postern_shared::api::MailboxStorage {
                used_bytes: 5296,
                limit_bytes: Some(20 * 1024),
            }
        );
        // Unlimited: Dovecot answers GETQUOTAROOT with no root at all.
        assert_eq!(
            storage_from(&untagged(&[b"* QUOTAROOT INBOX\r\n"]), &sizes).limit_bytes,
            None
        );
        assert_eq!(storage_from(&[], &sizes).used_bytes, 5296);
        // A QUOTA line of a root INBOX is not under, or without STORAGE.
        let other = untagged(&[
            b"* QUOTAROOT INBOX \"User quota\"\r\n",
            b"* QUOTA \"Domain\" (STORAGE 1 2)\r\n",
            b"* QUOTA \"User quota\" (MESSAGE 1 100)\r\n",
        ]);
        assert_eq!(storage_from(&other, &[]).limit_bytes, None);
        // Several roots: the tightest.
        let two = untagged(&[
            b"* QUOTAROOT INBOX \"User quota\" \"Domain\"\r\n",
            b"* QUOTA \"User quota\" (STORAGE 6 20)\r\n",
            b"* QUOTA \"Domain\" (STORAGE 6 10)\r\n",
        ]);
        assert_eq!(storage_from(&two, &[]).limit_bytes, Some(10 * 1024));
    }

    #[test]
    fn joins_captured_dovecot_list_status_output() {
        let u = untagged(&[
            b"* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
            b"* STATUS INBOX (MESSAGES 12 UNSEEN 4)\r\n",
            b"* LIST (\\HasChildren) \"/\" Projects\r\n",
            b"* STATUS Projects (MESSAGES 1 UNSEEN 0)\r\n",
            b"* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n",
            b"* STATUS Trash (MESSAGES 0 UNSEEN 0)\r\n",
            b"* LIST (\\Noselect \\HasChildren) \"/\" \"Entw&APw-rfe\"\r\n",
        ]);
        let f = folders_from(&u);
        assert_eq!(f.len(), 4);
        assert_eq!(
            (f[0].entry.path.as_str(), f[0].messages, f[0].unseen),
            ("INBOX", 12, 4)
        );
        assert!(f[2].entry.has_attribute("\\Trash"));
        assert_eq!(f[3].entry.path, "Entwürfe");
        assert!(f[3].entry.has_attribute("\\Noselect"));
    }

    #[test]
    fn builds_a_summary_from_a_captured_fetch() {
        let u = untagged(&[b"* 1 FETCH (UID 9 FLAGS (\\Seen \\Answered) RFC822.SIZE 1234 INTERNALDATE \"05-Jan-2026 10:00:00 +0000\" BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 12 1 NIL NIL NIL NIL) BODY[HEADER.FIELDS (FROM TO SUBJECT DATE)] {176}\r\nFrom: =?UTF-8?Q?Umar_=C3=9Cnal?= <umar@example.test>\r\nTo: olivia@example.test, Team <team@example.test>\r\nSubject: =?UTF-8?B?w4RwZmVs?=\r\nDate: Mon, 5 Jan 2026 11:00:00 +0100\r\n\r\n)\r\n"]);
        let f = fetches(&u);
        let s = summary_of(&f[0]).unwrap();
        assert_eq!(s.uid, 9);
        assert_eq!(s.subject, "Äpfel");
        let from = s.from.unwrap();
        assert_eq!(from.name.as_deref(), Some("Umar Ünal"));
        assert_eq!(from.address, "umar@example.test");
        assert_eq!(s.to.len(), 2);
        assert_eq!(s.to[1].name.as_deref(), Some("Team"));
        assert_eq!(s.date, 1_767_607_200);
        assert!(s.seen && s.answered && !s.flagged && !s.has_attachments);
        assert_eq!(s.size, 1234);
    }

    #[test]
    fn missing_date_header_falls_back_to_internaldate() {
        let u = untagged(&[b"* 1 FETCH (UID 3 FLAGS () RFC822.SIZE 10 INTERNALDATE \"05-Jan-2026 10:00:00 +0000\" BODY[HEADER.FIELDS (FROM TO SUBJECT DATE)] {2}\r\n\r\n)\r\n"]);
        let s = summary_of(&fetches(&u)[0]).unwrap();
        assert_eq!(s.date, 1_767_607_200);
        assert_eq!(s.subject, "");
        assert!(s.from.is_none() && !s.seen);
    }
}
