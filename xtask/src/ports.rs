//! The two port sets and run directories of `ARCHITECTURE.md` ("Mail server
//! integration"): `up` and `test` can run side by side on one machine.

use crate::util::repo_root;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Up,
    Test,
}

impl RunKind {
    pub fn name(self) -> &'static str {
        match self {
            RunKind::Up => "up",
            RunKind::Test => "test",
        }
    }

    /// `target/postern/<up|test>`: everything a run writes (configs, mail,
    /// database, logs, secrets) lives here.
    pub fn run_dir(self) -> PathBuf {
        repo_root().join("target/postern").join(self.name())
    }

    pub fn ports(self) -> Ports {
        match self {
            RunKind::Up => Ports::UP,
            RunKind::Test => Ports::TEST,
        }
    }
}

/// Every TCP port a stack listens on (all on 127.0.0.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    pub edge: u16,
    pub gateway: u16,
    pub imap: u16,
    pub imaps: u16,
    pub submission: u16,
    pub submissions: u16,
    pub sieve: u16,
    pub lmtp: u16,
    /// Postfix smtpd: MX for our domains and relay for Dovecot submission.
    pub smtp: u16,
    /// aiosmtpd catch-all for every other domain.
    pub sink: u16,
    /// The gateway's Postfix policy-delegation service (R-SEND-1..3, R-LIM-1).
    pub policy: u16,
    /// The gateway's milter: the `From:` header check of R-SEND-3.
    pub milter: u16,
}

impl Ports {
    pub const UP: Ports = Ports {
        edge: 8080,
        gateway: 8081,
        imap: 10143,
        imaps: 10993,
        submission: 10587,
        submissions: 10465,
        sieve: 14190,
        lmtp: 10024,
        smtp: 10025,
        sink: 10026,
        policy: 10027,
        milter: 10028,
    };

    pub const TEST: Ports = Ports {
        edge: 18080,
        gateway: 18081,
        imap: 20143,
        imaps: 20993,
        submission: 20587,
        submissions: 20465,
        sieve: 24190,
        lmtp: 20024,
        smtp: 20025,
        sink: 20026,
        policy: 20027,
        milter: 20028,
    };

    /// Every port with its name, in the order of the table in
    /// `ARCHITECTURE.md`.
    pub fn all(&self) -> [(&'static str, u16); 12] {
        [
            ("edge", self.edge),
            ("gateway", self.gateway),
            ("IMAP", self.imap),
            ("IMAPS", self.imaps),
            ("submission", self.submission),
            ("submissions", self.submissions),
            ("ManageSieve", self.sieve),
            ("LMTP", self.lmtp),
            ("SMTP", self.smtp),
            ("sink", self.sink),
            ("policy", self.policy),
            ("milter", self.milter),
        ]
    }
}

/// `127.0.0.1:<port>`.
pub fn local(port: u16) -> String {
    format!("127.0.0.1:{port}")
}
