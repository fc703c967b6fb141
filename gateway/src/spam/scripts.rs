//! Writing the generated Sieve scripts where Dovecot reads them
//! (`POSTERN_SIEVE_DIR`), each write atomic: the new text goes to a
//! temporary file, is compiled by Pigeonhole's `sievec` (so a script that
//! does not compile is never installed), and replaces the old one by a
//! rename — a crash leaves the old script or the new one, never half of
//! one. The compiled binary (`.svbin`) is a cache written after the
//! rename, also by rename; until it is there, Dovecot's LMTP compiles the
//! newer source itself.
//!
//! ```text
//! <dir>/before/default.sieve          no lists anywhere (sieve::default_script)
//! <dir>/before/org-<id>.sieve         an organisation's mailboxes without lists
//! <dir>/before/mailbox-<id>.sieve     a mailbox with lists or a destination
//! <dir>/global/org-<id>.sieve         included by the mailbox scripts
//! <dir>/rules/mailbox-<id>.sieve      auto-reply and sorting rules (crate::filters)
//! ```
//!
//! Dovecot's userdb query picks the before-script of each delivery from the
//! rows (`mailboxes.spam_filter`, `.spam_script`, `organizations.spam_script`),
//! and `sieve_global = <dir>/global` is in dovecot.conf, which `sievec -c`
//! reads so `include :global` resolves as it will at delivery.

use std::path::{Path, PathBuf};

use postern_shared::ErrorCode;
use postern_shared::api::{MailboxId, OrganizationId};

use crate::error::{AppError, AppResult};

/// Where the scripts live and how to compile them.
#[derive(Debug, Clone)]
pub struct Scripts {
    /// `POSTERN_SIEVE_DIR`; `None`: the filter's lists and destination
    /// cannot be changed (503 `filters_unavailable`), the toggle still can.
    dir: Option<PathBuf>,
    /// `POSTERN_DOVECOT_CONF`, for `sievec -c`.
    dovecot_conf: Option<PathBuf>,
}

/// Which script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Default,
    Org(OrganizationId),
    Mailbox(MailboxId),
    Global(OrganizationId),
    /// A mailbox's auto-reply and sorting rules (`crate::filters`).
    Rules(MailboxId),
}

impl Script {
    fn relative(self) -> String {
        match self {
            Script::Default => "before/default.sieve".into(),
            Script::Org(o) => format!("before/org-{o}.sieve"),
            Script::Mailbox(m) => format!("before/mailbox-{m}.sieve"),
            Script::Global(o) => format!("global/{}.sieve", super::sieve::global_name(o)),
            Script::Rules(m) => format!("rules/mailbox-{m}.sieve"),
        }
    }
}

fn unavailable(why: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %why, "cannot install a generated Sieve script");
    ErrorCode::FiltersUnavailable.into()
}

impl Scripts {
    pub fn new(dir: Option<String>, dovecot_conf: Option<String>) -> Scripts {
        Scripts {
            dir: dir.map(PathBuf::from),
            dovecot_conf: dovecot_conf.map(PathBuf::from),
        }
    }

    /// No scripts at all (tests without Dovecot).
    pub fn none() -> Scripts {
        Scripts::new(None, None)
    }

    pub fn path(&self, script: Script) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join(script.relative()))
    }

    fn sievec(&self, source: &Path, binary: &Path) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new("sievec");
        if let Some(conf) = &self.dovecot_conf {
            cmd.arg("-c").arg(conf);
        }
        cmd.arg(source).arg(binary);
        cmd
    }

    async fn compile(&self, source: &Path, binary: &Path) -> Result<(), String> {
        let out = self
            .sievec(source, binary)
            .output()
            .await
            .map_err(|e| format!("cannot run sievec: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "sievec {}: {}",
                source.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        // sievec writes 0600; Dovecot's LMTP reads it as the mail user.
        set_readable(binary).await;
        Ok(())
    }

    /// Writes `text` as `script`: compiled first, installed by rename.
    pub async fn install(&self, script: Script, text: &str) -> AppResult<()> {
        let path = self
            .path(script)
            .ok_or_else(|| unavailable("POSTERN_SIEVE_DIR is not set"))?;
        let dir = path.parent().expect("scripts are in a directory");
        tokio::fs::create_dir_all(dir).await.map_err(unavailable)?;
        let stem = path.file_stem().expect("a file name").to_string_lossy();
        let nonce: u64 = rand::random();
        let new_source = dir.join(format!(".{stem}.{nonce:016x}.sieve"));
        let new_binary = dir.join(format!(".{stem}.{nonce:016x}.svbin"));
        let result = async {
            tokio::fs::write(&new_source, text)
                .await
                .map_err(|e| e.to_string())?;
            set_readable(&new_source).await;
            // The check: a script that does not compile is never installed.
            self.compile(&new_source, &new_binary).await?;
            tokio::fs::rename(&new_source, &path)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<(), String>(())
        }
        .await;
        let _ = tokio::fs::remove_file(&new_binary).await;
        if let Err(e) = result {
            let _ = tokio::fs::remove_file(&new_source).await;
            return Err(unavailable(e));
        }
        // The binary of the installed source, under its own name (a binary
        // remembers the path it was compiled from). Best effort: without
        // it Dovecot compiles the source at delivery.
        self.recompile(script).await;
        Ok(())
    }

    /// Compiles the installed `script` again (after a script it includes
    /// changed), replacing its binary by rename. Failures are logged.
    pub async fn recompile(&self, script: Script) {
        let Some(path) = self.path(script) else {
            return;
        };
        let binary = path.with_extension("svbin");
        let nonce: u64 = rand::random();
        let tmp = binary.with_extension(format!("svbin.{nonce:016x}"));
        match self.compile(&path, &tmp).await {
            Ok(()) => {
                if let Err(e) = tokio::fs::rename(&tmp, &binary).await {
                    tracing::warn!(error = %e, path = %binary.display(), "cannot install a Sieve binary");
                    let _ = tokio::fs::remove_file(&tmp).await;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot compile an installed Sieve script");
                let _ = tokio::fs::remove_file(&tmp).await;
            }
        }
    }

    /// Removes `script` and its binary (a deleted mailbox's).
    pub async fn remove(&self, script: Script) {
        if let Some(path) = self.path(script) {
            let _ = tokio::fs::remove_file(path.with_extension("svbin")).await;
            let _ = tokio::fs::remove_file(&path).await;
        }
    }

    /// At start: the default before-script, which every mailbox without
    /// settings of its own uses, written when it is missing or different.
    pub async fn ensure_default(&self) -> AppResult<()> {
        let Some(path) = self.path(Script::Default) else {
            return Ok(());
        };
        let text = super::sieve::default_script();
        if tokio::fs::read_to_string(&path).await.ok().as_deref() == Some(text.as_str()) {
            return Ok(());
        }
        self.install(Script::Default, &text).await
    }
}

async fn set_readable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = tokio::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sievec_installed() -> bool {
        std::process::Command::new("sievec")
            .arg("-h")
            .output()
            .is_ok()
    }

    #[tokio::test]
    async fn a_script_that_does_not_compile_is_never_installed() {
        if !sievec_installed() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let scripts = Scripts::new(Some(dir.path().display().to_string()), None);
        let good = super::super::sieve::default_script();
        scripts.install(Script::Mailbox(3), &good).await.unwrap();
        let path = scripts.path(Script::Mailbox(3)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), good);
        assert!(path.with_extension("svbin").exists());
        let err = scripts
            .install(Script::Mailbox(3), "require [\"fileinto\"];\nfileinto \n")
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::FiltersUnavailable);
        // The old script stands, and no temporary file is left.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), good);
        let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            {
                let mut n = names.clone();
                n.sort();
                n
            },
            vec!["mailbox-3.sieve", "mailbox-3.svbin"],
            "{names:?}"
        );
        scripts.remove(Script::Mailbox(3)).await;
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn without_a_directory_changes_are_unavailable() {
        let err = Scripts::none()
            .install(Script::Org(1), "require [];")
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::FiltersUnavailable);
        Scripts::none().ensure_default().await.unwrap();
    }
}
