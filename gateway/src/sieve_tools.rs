//! The real Pigeonhole tools for the tests of generated Sieve (`spam::sieve`,
//! `filters::sieve`): `sievec` compiles a script, `sieve-test` runs it on a
//! message and reports what it would do. Both run in a scratch directory
//! with a minimal Dovecot configuration; the tests skip, saying why, where
//! the tools are missing or cannot run as this user.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct SieveTools {
    dir: tempfile::TempDir,
    conf: PathBuf,
}

impl SieveTools {
    /// A scratch directory and configuration (`extra_conf` appended, e.g. a
    /// `plugin { sieve_global = … }` block); `None` without `sievec`.
    pub fn new(extra_conf: &str) -> Option<SieveTools> {
        if Command::new("sievec").arg("-h").output().is_err() {
            eprintln!("sievec not installed: skipped");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("dovecot.conf");
        // sieve-test runs as `mail` (it refuses root); sievec accepts it too.
        std::fs::write(
            &conf,
            format!(
                "mail_location = maildir:{}/Maildir\nmail_uid = mail\nmail_gid = mail\nfirst_valid_uid = 1\nfirst_valid_gid = 1\n{extra_conf}",
                dir.path().display()
            ),
        )
        .unwrap();
        Some(SieveTools { dir, conf })
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `text` as `<name>.sieve` and compiles it: a script sievec
    /// refuses fails the test with the compiler's words and the script.
    pub fn compile(&self, name: &str, text: &str) {
        let file = self.dir().join(format!("{name}.sieve"));
        std::fs::write(&file, text).unwrap();
        let out = Command::new("sievec")
            .arg("-c")
            .arg(&self.conf)
            .arg(&file)
            .arg(self.dir().join(format!("{name}.svbin")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// What `sieve-test` says script `<name>` does with `message`, sent
    /// by envelope sender `from` (to `to` when given): its report, stdout
    /// then stderr.
    pub fn run(&self, name: &str, from: &str, to: Option<&str>, message: &str) -> String {
        let msg = self.dir().join("m.eml");
        std::fs::write(&msg, message).unwrap();
        // The `mail` user reads the scripts, binaries and message.
        let _ = Command::new("chmod")
            .args(["-R", "a+rX"])
            .arg(self.dir())
            .status();
        let mut cmd = Command::new("sieve-test");
        cmd.arg("-c").arg(&self.conf).args(["-f", from]);
        if let Some(to) = to {
            cmd.args(["-a", to]);
        }
        let out = cmd
            .arg(self.dir().join(format!("{name}.sieve")))
            .arg(&msg)
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// `sieve-test` runs here (a `mail` user, privileges it may drop): a
    /// one-line `keep` reports its store; `false` says why on stderr.
    pub fn can_run(&self) -> bool {
        self.compile("probe-keep", "keep;\n");
        let got = self.run("probe-keep", "a@b.test", None, "Subject: s\n\nhi\n");
        let ok = got.contains("store message in folder: INBOX");
        if !ok {
            eprintln!("sieve-test cannot run here: {got}");
        }
        ok
    }
}
