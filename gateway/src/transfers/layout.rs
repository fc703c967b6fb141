//! The blob directory (`POSTERN_BLOB_DIR`) and where each file lives in it:
//! - `uploads/<id>`: the bytes of an upload, complete or not;
//! - `transfers/<token>/<file id>`: published files. A transfer's directory
//!   is assembled as `transfers/.staging-<token>/` and renamed into place in
//!   one step (see `publishing.rs`), so a half-made transfer is never
//!   reachable.

use std::path::{Path, PathBuf};

pub const UPLOADS_DIR: &str = "uploads";
pub const TRANSFERS_DIR: &str = "transfers";
const STAGING_PREFIX: &str = ".staging-";

/// Paths in the blob directory.
#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
}

impl Blobs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Blobs { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn upload_path(&self, id: &str) -> PathBuf {
        self.root.join(UPLOADS_DIR).join(id)
    }

    pub fn transfer_dir(&self, token: &str) -> PathBuf {
        self.root.join(TRANSFERS_DIR).join(token)
    }

    pub(super) fn staging_dir(&self, token: &str) -> PathBuf {
        self.root
            .join(TRANSFERS_DIR)
            .join(format!("{STAGING_PREFIX}{token}"))
    }

    /// The stored (relative) path of a published file.
    pub(super) fn relative_file(token: &str, id: &str) -> String {
        format!("{TRANSFERS_DIR}/{token}/{id}")
    }

    /// A stored relative path, refused if it could leave the blob directory.
    pub fn resolve(&self, relative: &str) -> Option<PathBuf> {
        let ok = !relative.is_empty()
            && relative
                .split('/')
                .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\\'));
        ok.then(|| self.root.join(relative))
    }
}

pub(super) async fn remove_file_if_exists(path: &Path) -> std::io::Result<()> {
    match tokio::fs::remove_file(path).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_blob_directory() {
        let b = Blobs::new("/b");
        assert_eq!(
            b.resolve("transfers/t/f"),
            Some(PathBuf::from("/b/transfers/t/f"))
        );
        assert_eq!(b.resolve("transfers/../../etc"), None);
        assert_eq!(b.resolve(""), None);
    }
}
