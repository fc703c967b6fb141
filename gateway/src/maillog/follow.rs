//! Following a log file that is appended to and now and then rotated:
//! where reading stopped is a [`Cursor`] (the file's inode and the byte
//! after the last complete line), which the caller keeps — in memory
//! (devices) or in the database with what the lines made (mail logs).
//!
//! Rotation: a file at the path with another inode is a new file. The rest
//! of the old one is read first when it is found beside it as `<path>.1`
//! (logrotate's and Postfix's `postfix logrotate` name), so lines written
//! between the last read and the rotation are not lost; then the new file
//! from its start. A file that shrank (truncated in place) is read again
//! from its start.

use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub inode: u64,
    pub position: u64,
}

/// Complete lines read past a cursor, and the cursor after them.
#[derive(Debug, Default)]
pub struct Chunk {
    pub lines: Vec<String>,
    pub next: Cursor,
}

/// Reads up to `max_bytes` of whole lines after `from` (an empty chunk at
/// `from` when there is nothing new or no file).
pub fn read(path: &Path, from: Cursor, max_bytes: u64) -> std::io::Result<Chunk> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Chunk {
                lines: Vec::new(),
                next: from,
            });
        }
        Err(e) => return Err(e),
    };
    let meta = f.metadata()?;
    if from.inode != 0 && meta.ino() != from.inode {
        // Rotated: finish the old file if it is still beside the new one.
        let old = rotated(path);
        if let Ok(mut of) = std::fs::File::open(&old)
            && let Ok(om) = of.metadata()
            && om.ino() == from.inode
            && om.len() > from.position
        {
            let chunk = read_from(&mut of, from, om.len(), max_bytes)?;
            if chunk.next.position > from.position {
                return Ok(chunk);
            }
        }
        let start = Cursor {
            inode: meta.ino(),
            position: 0,
        };
        return read_from(&mut f, start, meta.len(), max_bytes);
    }
    let mut from = Cursor {
        inode: meta.ino(),
        position: from.position,
    };
    if meta.len() < from.position {
        from.position = 0;
    }
    read_from(&mut f, from, meta.len(), max_bytes)
}

fn rotated(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

fn read_from(
    f: &mut std::fs::File,
    from: Cursor,
    len: u64,
    max_bytes: u64,
) -> std::io::Result<Chunk> {
    f.seek(SeekFrom::Start(from.position))?;
    let mut buf = Vec::new();
    f.take((len - from.position).min(max_bytes))
        .read_to_end(&mut buf)?;
    let Some(end) = buf.iter().rposition(|b| *b == b'\n') else {
        // A line longer than max_bytes is skipped whole, not read forever.
        if buf.len() as u64 == max_bytes && max_bytes > 0 {
            return Ok(Chunk {
                lines: Vec::new(),
                next: Cursor {
                    inode: from.inode,
                    position: from.position + max_bytes,
                },
            });
        }
        return Ok(Chunk {
            lines: Vec::new(),
            next: from,
        });
    };
    let text = String::from_utf8_lossy(&buf[..end]);
    Ok(Chunk {
        lines: text.split('\n').map(String::from).collect(),
        next: Cursor {
            inode: from.inode,
            position: from.position + end as u64 + 1,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn append(path: &Path, s: &str) {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap()
            .write_all(s.as_bytes())
            .unwrap();
    }

    #[test]
    fn whole_lines_only_then_the_rest_later() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("postfix.log");
        let none = read(&p, Cursor::default(), 1 << 20).unwrap();
        assert!(none.lines.is_empty());
        append(&p, "one\ntwo\nthr");
        let a = read(&p, Cursor::default(), 1 << 20).unwrap();
        assert_eq!(a.lines, ["one", "two"]);
        assert_eq!(a.next.position, 8);
        append(&p, "ee\n");
        let b = read(&p, a.next, 1 << 20).unwrap();
        assert_eq!(b.lines, ["three"]);
        let c = read(&p, b.next, 1 << 20).unwrap();
        assert!(c.lines.is_empty());
        assert_eq!(c.next, b.next);
    }

    #[test]
    fn a_rotated_file_is_finished_before_the_new_one_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("postfix.log");
        append(&p, "a\n");
        let first = read(&p, Cursor::default(), 1 << 20).unwrap();
        append(&p, "b\n");
        std::fs::rename(&p, dir.path().join("postfix.log.1")).unwrap();
        append(&p, "c\n");
        let rest = read(&p, first.next, 1 << 20).unwrap();
        assert_eq!(rest.lines, ["b"]);
        let new = read(&p, rest.next, 1 << 20).unwrap();
        assert_eq!(new.lines, ["c"]);
        assert_ne!(new.next.inode, first.next.inode);
        append(&p, "cc\n");
        let more = read(&p, new.next, 1 << 20).unwrap();
        // Truncated in place (shorter than what was read): from the start.
        std::fs::write(&p, "d\n").unwrap();
        let t = read(&p, more.next, 1 << 20).unwrap();
        assert_eq!(t.lines, ["d"]);
    }

    #[test]
    fn reads_are_bounded_and_an_endless_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.log");
        append(&p, "aaaa\nbbbb\ncccc\n");
        let a = read(&p, Cursor::default(), 11).unwrap();
        assert_eq!(a.lines, ["aaaa", "bbbb"]);
        append(&p, &"x".repeat(50));
        append(&p, "\nok\n");
        let mut at = read(&p, a.next, 11).unwrap();
        assert_eq!(at.lines, ["cccc"]);
        let mut seen = Vec::new();
        for _ in 0..10 {
            at = read(&p, at.next, 11).unwrap();
            seen.extend(at.lines.clone());
        }
        assert!(seen.contains(&"ok".to_string()), "{seen:?}");
    }
}
