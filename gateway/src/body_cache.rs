//! Sanitised message bodies and reading views, rendered once and kept
//! (issue: opening a large HTML message). A stored message never changes for a given (mailbox,
//! folder, UIDVALIDITY, UID), so what `postern_render` made of it — for
//! one images choice, under one sanitiser policy version — can be served
//! again from a file instead of sanitising anew (ammonia costs ~35 ms on
//! 1 MiB).
//!
//! Files live under `<blob dir>/cache/html/`, named by a SHA-256 of the
//! whole key, so a request can only ever find the body of the mailbox it
//! was granted (the mailbox id is in the key) and a new policy version
//! finds nothing old. Bounded by size, least recently used out first;
//! a message this gateway moves or deletes takes its bodies with it.
//! Several gateways may share the directory: a file another one wrote is a
//! hit here too, one it evicted is a miss.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// What was made of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// The sanitised HTML body, remote images blocked.
    Html,
    /// The sanitised HTML body, remote images let through.
    HtmlWithImages,
    /// The reading view (`MessageView` as JSON, flags left out: those
    /// change, the message does not).
    View,
}

impl Rendering {
    pub const ALL: [Rendering; 3] = [Rendering::Html, Rendering::HtmlWithImages, Rendering::View];

    pub fn html(remote_images: bool) -> Rendering {
        if remote_images {
            Rendering::HtmlWithImages
        } else {
            Rendering::Html
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Rendering::Html => "0",
            Rendering::HtmlWithImages => "1",
            Rendering::View => "view",
        }
    }
}

/// What a cached rendering depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyKey<'a> {
    pub mailbox_id: i64,
    pub folder: &'a str,
    pub uid_validity: u32,
    pub uid: u32,
    pub rendering: Rendering,
    /// `postern_render::sanitize::POLICY_VERSION` in production.
    pub policy: u32,
}

impl BodyKey<'_> {
    fn digest(&self) -> String {
        let mut h = Sha256::new();
        // Lengths first: no two keys can run together into one string.
        for part in [
            self.policy.to_string(),
            self.mailbox_id.to_string(),
            self.uid_validity.to_string(),
            self.uid.to_string(),
            self.rendering.as_str().to_string(),
            self.folder.to_string(),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

#[derive(Default)]
struct Index {
    /// digest → (bytes, last use)
    entries: HashMap<String, (u64, u64)>,
    /// last use → digest
    by_use: BTreeMap<u64, String>,
    total: u64,
    clock: u64,
}

impl Index {
    fn touch(&mut self, digest: &str, size: u64) {
        self.clock += 1;
        if let Some((old_size, used)) = self.entries.remove(digest) {
            self.by_use.remove(&used);
            self.total -= old_size;
        }
        self.entries.insert(digest.to_string(), (size, self.clock));
        self.by_use.insert(self.clock, digest.to_string());
        self.total += size;
    }

    fn forget(&mut self, digest: &str) {
        if let Some((size, used)) = self.entries.remove(digest) {
            self.by_use.remove(&used);
            self.total -= size;
        }
    }

    /// The least recently used entry, if over `budget`.
    fn victim(&self, budget: u64) -> Option<String> {
        (self.total > budget)
            .then(|| self.by_use.values().next().cloned())
            .flatten()
    }
}

pub struct BodyCache {
    dir: PathBuf,
    budget: u64,
    index: Mutex<Index>,
}

/// Default size of the cache.
pub const DEFAULT_BUDGET: u64 = 256 * 1024 * 1024;

impl BodyCache {
    /// A cache in `dir` holding at most `budget` bytes (files already
    /// there, from an earlier run, count in least recently used first).
    pub fn open(dir: PathBuf, budget: u64) -> BodyCache {
        let mut index = Index::default();
        let mut found: Vec<(std::time::SystemTime, String, u64)> = Vec::new();
        for sub in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            for f in std::fs::read_dir(sub.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = f.file_name().to_string_lossy().into_owned();
                if let (Some(digest), Ok(meta)) = (name.strip_suffix(".html"), f.metadata()) {
                    let used = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
                    found.push((used, digest.to_string(), meta.len()));
                }
            }
        }
        found.sort();
        for (_, digest, size) in found {
            index.touch(&digest, size);
        }
        BodyCache {
            dir,
            budget,
            index: Mutex::new(index),
        }
    }

    fn path(&self, digest: &str) -> PathBuf {
        self.dir.join(&digest[..2]).join(format!("{digest}.html"))
    }

    fn index(&self) -> std::sync::MutexGuard<'_, Index> {
        self.index.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub async fn get(&self, key: &BodyKey<'_>) -> Option<Vec<u8>> {
        let digest = key.digest();
        match tokio::fs::read(self.path(&digest)).await {
            Ok(bytes) => {
                self.index().touch(&digest, bytes.len() as u64);
                Some(bytes)
            }
            Err(_) => {
                self.index().forget(&digest);
                None
            }
        }
    }

    /// Stores `body` (written to a temporary name, then renamed: a reader
    /// never sees half a file), then evicts down to the budget.
    pub async fn put(&self, key: &BodyKey<'_>, body: &[u8]) -> std::io::Result<()> {
        let digest = key.digest();
        let path = self.path(&digest);
        let dir = path.parent().expect("a file in a subdirectory");
        tokio::fs::create_dir_all(dir).await?;
        let tmp = dir.join(format!(".{digest}.{}", crate::db::lease::random_hex(4)));
        tokio::fs::write(&tmp, body).await?;
        tokio::fs::rename(&tmp, &path).await?;
        self.index().touch(&digest, body.len() as u64);
        self.evict().await;
        Ok(())
    }

    /// Drops every rendering of these messages.
    pub async fn forget(&self, mailbox_id: i64, folder: &str, uid_validity: u32, uids: &[u32]) {
        for &uid in uids {
            for rendering in Rendering::ALL {
                let key = BodyKey {
                    mailbox_id,
                    folder,
                    uid_validity,
                    uid,
                    rendering,
                    policy: postern_render::sanitize::POLICY_VERSION,
                };
                self.remove(&key.digest()).await;
            }
        }
    }

    async fn remove(&self, digest: &str) {
        self.index().forget(digest);
        let _ = tokio::fs::remove_file(self.path(digest)).await;
    }

    async fn evict(&self) {
        loop {
            let Some(victim) = self.index().victim(self.budget) else {
                return;
            };
            self.remove(&victim).await;
        }
    }

    /// Bytes held (tests, logs).
    pub fn size(&self) -> u64 {
        self.index().total
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(mailbox_id: i64, uid: u32, policy: u32) -> BodyKey<'static> {
        BodyKey {
            mailbox_id,
            folder: "INBOX",
            uid_validity: 7,
            uid,
            rendering: Rendering::Html,
            policy,
        }
    }

    #[tokio::test]
    async fn a_body_is_found_only_under_its_own_mailbox_and_policy() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BodyCache::open(dir.path().join("html"), DEFAULT_BUDGET);
        cache.put(&key(1, 5, 1), b"<p>one</p>").await.unwrap();
        assert_eq!(
            cache.get(&key(1, 5, 1)).await.as_deref(),
            Some(&b"<p>one</p>"[..])
        );
        assert_eq!(
            cache.get(&key(2, 5, 1)).await,
            None,
            "another mailbox, same UID"
        );
        assert_eq!(
            cache.get(&key(1, 5, 2)).await,
            None,
            "a newer sanitiser policy"
        );
        let images = BodyKey {
            rendering: Rendering::HtmlWithImages,
            ..key(1, 5, 1)
        };
        assert_eq!(cache.get(&images).await, None, "the other images choice");
        let view = BodyKey {
            rendering: Rendering::View,
            ..key(1, 5, 1)
        };
        assert_eq!(cache.get(&view).await, None, "the reading view");
        let other_folder = BodyKey {
            folder: "Archive",
            ..key(1, 5, 1)
        };
        assert_eq!(cache.get(&other_folder).await, None);
    }

    #[tokio::test]
    async fn the_least_recently_used_go_first_and_forgotten_messages_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BodyCache::open(dir.path().join("html"), 25);
        cache.put(&key(1, 1, 1), &[b'a'; 10]).await.unwrap();
        cache.put(&key(1, 2, 1), &[b'b'; 10]).await.unwrap();
        assert!(cache.get(&key(1, 1, 1)).await.is_some()); // 1 is now the newer
        cache.put(&key(1, 3, 1), &[b'c'; 10]).await.unwrap();
        assert!(cache.size() <= 25);
        assert!(
            cache.get(&key(1, 2, 1)).await.is_none(),
            "least recently used evicted"
        );
        assert!(cache.get(&key(1, 1, 1)).await.is_some());
        // Forgetting a message takes its file with it. (Real entries use
        // the current policy version.)
        let current = postern_render::sanitize::POLICY_VERSION;
        let view = BodyKey {
            rendering: Rendering::View,
            ..key(1, 9, current)
        };
        cache.put(&key(1, 9, current), b"x").await.unwrap();
        cache.put(&view, b"{}").await.unwrap();
        cache.forget(1, "INBOX", 7, &[9]).await;
        assert!(cache.get(&key(1, 9, current)).await.is_none());
        assert!(cache.get(&view).await.is_none());
        // A restart finds what is on disk.
        let again = BodyCache::open(dir.path().join("html"), 25);
        assert!(again.get(&key(1, 1, 1)).await.is_some());
        assert_eq!(again.size(), cache.size());
    }
}
