//! A mail client on Dovecot submission, as Thunderbird or a script would
//! use it: `curl smtp://…` with STARTTLS (the run's self-signed certificate)
//! and AUTH with a device password; and a server on the internet delivering
//! to Postfix. Independent of the gateway's code.

use crate::Stack;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One SMTP transaction.
#[derive(Debug, Clone)]
pub struct SmtpMessage<'a> {
    /// SASL user (the mailbox address) and password (a device password).
    pub user: &'a str,
    pub password: &'a str,
    /// Envelope sender (`MAIL FROM`).
    pub mail_from: &'a str,
    /// Envelope recipients (`RCPT TO`).
    pub rcpt_to: Vec<String>,
    /// The RFC 5322 message (CRLF line ends).
    pub data: Vec<u8>,
}

/// What happened: curl's exit status and the server's replies.
#[derive(Debug, Clone)]
pub struct SmtpOutcome {
    /// The message was accepted: curl succeeded and no reply was 4xx/5xx.
    pub accepted: bool,
    /// Every server reply line (`250-…`, `554 5.7.1 …`), in order.
    pub replies: Vec<String>,
    /// curl's stderr, for failure messages.
    pub transcript: String,
}

impl SmtpOutcome {
    /// The first 4xx/5xx reply line, if any.
    pub fn refusal(&self) -> Option<&str> {
        self.replies
            .iter()
            .map(String::as_str)
            .find(|l| l.starts_with('4') || l.starts_with('5'))
    }

    /// Its code (`554`).
    pub fn refusal_code(&self) -> Option<u16> {
        self.refusal().and_then(|l| l.get(..3)?.parse().ok())
    }
}

impl Stack {
    /// Submits `msg` to Dovecot submission with curl (STARTTLS required,
    /// certificate checked against the run's own). Never panics on a
    /// refusal: look at the outcome.
    pub fn smtp_submit(&self, msg: &SmtpMessage<'_>) -> SmtpOutcome {
        let dir = self.run_dir.join("tmp");
        std::fs::create_dir_all(&dir).expect("create <run>/tmp");
        let file: PathBuf = dir.join(format!("{}.eml", crate::unique("smtp")));
        std::fs::write(&file, &msg.data).expect("write the message file");
        let rcpts: Vec<&str> = msg.rcpt_to.iter().map(String::as_str).collect();
        let outcome = self.smtp_submit_file(msg.user, msg.password, msg.mail_from, &rcpts, &file);
        let _ = std::fs::remove_file(&file);
        outcome
    }

    /// Like [`Stack::smtp_submit`] with the message in a file (curl
    /// declares its size in `MAIL FROM … SIZE=`).
    pub fn smtp_submit_file(
        &self,
        user: &str,
        password: &str,
        mail_from: &str,
        rcpt_to: &[&str],
        file: &Path,
    ) -> SmtpOutcome {
        let mut cmd = Command::new("curl");
        cmd.arg("--verbose")
            .arg("--silent")
            .arg("--show-error")
            .args(["--max-time", "120"])
            .arg(format!("smtp://{}", self.submission_addr))
            .arg("--ssl-reqd")
            .arg("--cacert")
            .arg(&self.tls_cert)
            .args(["--user", &format!("{user}:{password}")])
            .args(["--mail-from", mail_from]);
        for r in rcpt_to {
            cmd.args(["--mail-rcpt", r]);
        }
        cmd.arg("--upload-file").arg(file);
        run_curl(cmd)
    }
}

/// Runs a `curl smtp://…` command and reads the server's replies.
fn run_curl(mut cmd: Command) -> SmtpOutcome {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .expect("curl runs (is it installed?)");
    let transcript = String::from_utf8_lossy(&out.stderr).into_owned();
    // curl -v prints the server's lines as "< 250 …".
    let replies: Vec<String> = transcript
        .lines()
        .filter_map(|l| l.strip_prefix("< "))
        .map(|l| l.trim_end().to_string())
        .collect();
    let accepted = out.status.success()
        && !replies
            .iter()
            .any(|l| l.starts_with('4') || l.starts_with('5'));
    SmtpOutcome {
        accepted,
        replies,
        transcript,
    }
}

impl Stack {
    /// Delivers `data` to Postfix's SMTP listener as a server on the
    /// internet would (no AUTH, no TLS): incoming mail for our domains.
    pub fn smtp_deliver(&self, mail_from: &str, rcpt_to: &[&str], data: &[u8]) -> SmtpOutcome {
        let dir = self.run_dir.join("tmp");
        std::fs::create_dir_all(&dir).expect("create <run>/tmp");
        let file: PathBuf = dir.join(format!("{}.eml", crate::unique("mx")));
        std::fs::write(&file, data).expect("write the message file");
        let mut cmd = Command::new("curl");
        cmd.args(["--verbose", "--silent", "--show-error"])
            .args(["--max-time", "60"])
            .arg(format!("smtp://{}", self.smtp_addr))
            .args(["--mail-from", mail_from]);
        for r in rcpt_to {
            cmd.args(["--mail-rcpt", r]);
        }
        cmd.arg("--upload-file").arg(&file);
        let outcome = run_curl(cmd);
        let _ = std::fs::remove_file(&file);
        outcome
    }
}

/// A plain message from `from` to `to` (headers as a mail client writes
/// them; `to` is only the `To:` header, the envelope is separate).
pub fn plain_message(from: &str, to: &str, subject: &str) -> Vec<u8> {
    crate::fixtures::Mail::new(subject)
        .from(from)
        .to(to)
        .date(crate::sending::now())
        .build()
}
