//! The port sets and run directories of `ARCHITECTURE.md` ("Mail server
//! integration"): every run kind has its own, so `up`, `test` and `bench`
//! (and their PostgreSQL twins) can run side by side on one machine.

use crate::util::repo_root;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// `cargo xtask up` (SQLite, or PostgreSQL with `--postgres`).
    Up,
    /// The SQLite stack of `cargo xtask test`.
    Test,
    /// The PostgreSQL stack of `cargo xtask test`: two gateways on one
    /// database; its server also runs the gateway's unit tests.
    TestPg,
    /// The SQLite stack of `cargo xtask bench`.
    Bench,
    /// The PostgreSQL stack of `cargo xtask bench` (two gateways, two edges).
    BenchPg,
}

impl RunKind {
    pub const ALL: [RunKind; 5] = [
        RunKind::Up,
        RunKind::Test,
        RunKind::TestPg,
        RunKind::Bench,
        RunKind::BenchPg,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RunKind::Up => "up",
            RunKind::Test => "test",
            RunKind::TestPg => "test-pg",
            RunKind::Bench => "bench",
            RunKind::BenchPg => "bench-pg",
        }
    }

    pub fn from_name(name: &str) -> Option<RunKind> {
        RunKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// `target/postern/<name>`: everything a run writes (configs, mail,
    /// database, logs, secrets) lives here.
    pub fn run_dir(self) -> PathBuf {
        repo_root().join("target/postern").join(self.name())
    }

    /// The run's ports: `base_ports`, each moved up by
    /// `POSTERN_PORT_SHIFT` when that is set — so a second checkout (a git
    /// worktree) can run its own `test` or `up` stack beside this one's,
    /// e.g. `POSTERN_PORT_SHIFT=3000 cargo xtask test --stack-only`.
    pub fn ports(self) -> Ports {
        let shift = std::env::var("POSTERN_PORT_SHIFT")
            .ok()
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or(0);
        self.base_ports().shifted(shift)
    }

    /// The ports of ARCHITECTURE.md's table.
    pub fn base_ports(self) -> Ports {
        match self {
            RunKind::Up => Ports::UP,
            RunKind::Test => Ports::TEST,
            RunKind::TestPg => Ports::TEST_PG,
            RunKind::Bench => Ports::BENCH,
            RunKind::BenchPg => Ports::BENCH_PG,
        }
    }

    /// Whether the run's PostgreSQL flushes to disk: test runs are thrown
    /// away and skip it (`fsync = off`); `up` keeps its data, and the
    /// bench measures the server as it is deployed (the defaults).
    pub fn pg_fsync(self) -> bool {
        !matches!(self, RunKind::Test | RunKind::TestPg)
    }
}

/// The second gateway of a two-gateway stack: its own HTTP, policy and
/// milter listeners on the same database, blob directory and secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondGateway {
    pub gateway: u16,
    pub policy: u16,
    pub milter: u16,
}

/// Every TCP port a stack listens on (all on 127.0.0.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    pub edge: u16,
    pub gateway: u16,
    pub imap: u16,
    pub imaps: u16,
    /// Dovecot POP3 (STARTTLS offered) and POP3S (R-PROTO-2).
    pub pop3: u16,
    pub pop3s: u16,
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
    /// Dovecot's quota-status policy service (R-LIM-5), asked by Postfix
    /// at RCPT: a mailbox over its quota is refused there with 552 5.2.2.
    pub quota_status: u16,
    /// rspamd's proxy worker, a milter asked by Postfix's smtpd (R-SPAM).
    pub rspamd: u16,
    /// Postfix smtpd for Dovecot submission's relay (authenticated mail,
    /// XCLIENT): the gateway's milter only, never the spam filter.
    pub relay: u16,
    /// Postfix smtpd for what Dovecot's LMTP sends on (`submission_host`):
    /// sorting rules' forwards, counted by the policy service against the
    /// mailbox's daily quota (`policy_context=forward`, R-SEND-2), and
    /// auto-replies. No spam filter: the mail was scored when it came in.
    pub forward: u16,
    /// rspamd's controller worker: the gateway teaches it what users
    /// report as spam or not spam (R-SPAM-5).
    pub rspamd_controller: u16,
    /// The Redis server of rspamd's statistics (its Bayes classifier).
    pub redis: u16,
    /// The run's own PostgreSQL server (`up --postgres`, the PostgreSQL
    /// stacks); `None`: this run kind never has one.
    pub postgres: Option<u16>,
    /// A second gateway on the same PostgreSQL (Postfix keeps asking the
    /// first one's policy service and milter).
    pub second: Option<SecondGateway>,
    /// bench-pg only: a second edge in front of both gateways, while
    /// `edge` talks to the first gateway alone — so one stack measures one
    /// gateway and two. (Where there is no `edge2`, `edge` talks to every
    /// gateway of the stack.)
    pub edge2: Option<u16>,
}

impl Ports {
    /// Every port moved up by `by` (see `RunKind::ports`).
    pub fn shifted(self, by: u16) -> Ports {
        let s = |p: u16| {
            p.checked_add(by)
                .expect("POSTERN_PORT_SHIFT moves a port past 65535")
        };
        Ports {
            edge: s(self.edge),
            gateway: s(self.gateway),
            imap: s(self.imap),
            imaps: s(self.imaps),
            pop3: s(self.pop3),
            pop3s: s(self.pop3s),
            submission: s(self.submission),
            submissions: s(self.submissions),
            sieve: s(self.sieve),
            lmtp: s(self.lmtp),
            smtp: s(self.smtp),
            sink: s(self.sink),
            policy: s(self.policy),
            milter: s(self.milter),
            quota_status: s(self.quota_status),
            rspamd: s(self.rspamd),
            relay: s(self.relay),
            forward: s(self.forward),
            rspamd_controller: s(self.rspamd_controller),
            redis: s(self.redis),
            postgres: self.postgres.map(s),
            second: self.second.map(|g| SecondGateway {
                gateway: s(g.gateway),
                policy: s(g.policy),
                milter: s(g.milter),
            }),
            edge2: self.edge2.map(s),
        }
    }

    pub const UP: Ports = Ports {
        edge: 8080,
        gateway: 8081,
        imap: 10143,
        imaps: 10993,
        pop3: 10110,
        pop3s: 10995,
        submission: 10587,
        submissions: 10465,
        sieve: 14190,
        lmtp: 10024,
        smtp: 10025,
        sink: 10026,
        policy: 10027,
        milter: 10028,
        quota_status: 10029,
        rspamd: 10030,
        relay: 10031,
        forward: 10034,
        rspamd_controller: 10032,
        redis: 10033,
        postgres: Some(10432),
        second: None,
        edge2: None,
    };

    pub const TEST: Ports = Ports {
        edge: 18080,
        gateway: 18081,
        imap: 20143,
        imaps: 20993,
        pop3: 20110,
        pop3s: 20995,
        submission: 20587,
        submissions: 20465,
        sieve: 24190,
        lmtp: 20024,
        smtp: 20025,
        sink: 20026,
        policy: 20027,
        milter: 20028,
        quota_status: 20029,
        rspamd: 20030,
        relay: 20031,
        forward: 20034,
        rspamd_controller: 20032,
        redis: 20033,
        postgres: None,
        second: None,
        edge2: None,
    };

    pub const TEST_PG: Ports = Ports {
        edge: 18180,
        gateway: 18181,
        imap: 21143,
        imaps: 21993,
        pop3: 21110,
        pop3s: 21995,
        submission: 21587,
        submissions: 21465,
        sieve: 21190,
        lmtp: 21024,
        smtp: 21025,
        sink: 21026,
        policy: 21027,
        milter: 21028,
        quota_status: 21031,
        rspamd: 21032,
        relay: 21033,
        forward: 21036,
        rspamd_controller: 21034,
        redis: 21035,
        postgres: Some(21432),
        second: Some(SecondGateway {
            gateway: 18182,
            policy: 21029,
            milter: 21030,
        }),
        edge2: None,
    };

    /// Clear of `up` (8080, 10xxx) and `test` (18080, 20xxx). (ManageSieve
    /// moved from 34190: that is in Linux's ephemeral range, 32768–60999,
    /// where an outgoing connection's source port can hold it.)
    pub const BENCH: Ports = Ports {
        edge: 28080,
        gateway: 28081,
        imap: 30143,
        imaps: 30993,
        pop3: 30110,
        pop3s: 30995,
        submission: 30587,
        submissions: 30465,
        sieve: 30190,
        lmtp: 30024,
        smtp: 30025,
        sink: 30026,
        policy: 30027,
        milter: 30028,
        quota_status: 30029,
        rspamd: 30030,
        relay: 30031,
        forward: 30034,
        rspamd_controller: 30032,
        redis: 30033,
        postgres: None,
        second: None,
        edge2: None,
    };

    pub const BENCH_PG: Ports = Ports {
        edge: 28180,
        gateway: 28181,
        imap: 31143,
        imaps: 31993,
        pop3: 31110,
        pop3s: 31995,
        submission: 31587,
        submissions: 31465,
        sieve: 31190,
        lmtp: 31024,
        smtp: 31025,
        sink: 31026,
        policy: 31027,
        milter: 31028,
        quota_status: 31031,
        rspamd: 31032,
        relay: 31033,
        forward: 31036,
        rspamd_controller: 31034,
        redis: 31035,
        postgres: Some(31432),
        second: Some(SecondGateway {
            gateway: 28182,
            policy: 31029,
            milter: 31030,
        }),
        edge2: Some(28183),
    };

    /// Every port with its name, in the order of the table in
    /// `ARCHITECTURE.md` (ports a run kind does not have are left out).
    pub fn all(&self) -> Vec<(&'static str, u16)> {
        let mut all = vec![
            ("edge", self.edge),
            ("gateway", self.gateway),
            ("IMAP", self.imap),
            ("IMAPS", self.imaps),
            ("POP3", self.pop3),
            ("POP3S", self.pop3s),
            ("submission", self.submission),
            ("submissions", self.submissions),
            ("ManageSieve", self.sieve),
            ("LMTP", self.lmtp),
            ("SMTP", self.smtp),
            ("sink", self.sink),
            ("policy", self.policy),
            ("milter", self.milter),
            ("quota-status", self.quota_status),
            ("rspamd", self.rspamd),
            ("relay", self.relay),
            ("forward", self.forward),
            ("rspamd controller", self.rspamd_controller),
            ("Redis", self.redis),
        ];
        if let Some(p) = self.postgres {
            all.push(("PostgreSQL", p));
        }
        if let Some(s) = self.second {
            all.extend([
                ("gateway 2", s.gateway),
                ("policy 2", s.policy),
                ("milter 2", s.milter),
            ]);
        }
        if let Some(p) = self.edge2 {
            all.push(("edge 2", p));
        }
        all
    }

    /// The ports gateway `n` (1 or 2) listens on, as a port set whose
    /// `gateway`, `policy` and `milter` are that gateway's (everything else
    /// is the stack's). `None` when the stack has no such gateway.
    pub fn of_gateway(&self, n: usize) -> Option<Ports> {
        match (n, self.second) {
            (1, _) => Some(*self),
            (2, Some(s)) => Some(Ports {
                gateway: s.gateway,
                policy: s.policy,
                milter: s.milter,
                ..*self
            }),
            _ => None,
        }
    }

    /// Every gateway's port set, the first gateway first.
    pub fn gateways(&self) -> Vec<Ports> {
        (1..=2).filter_map(|n| self.of_gateway(n)).collect()
    }
}

/// `127.0.0.1:<port>`.
pub fn local(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_port_is_in_the_ephemeral_range() {
        // Linux's default ip_local_port_range: a source port of any
        // outgoing connection may sit there when a stack starts.
        for kind in RunKind::ALL {
            for (what, port) in kind.base_ports().all() {
                assert!(
                    !(32768..=60999).contains(&port),
                    "{what} of {} ({port}) is in the ephemeral range",
                    kind.name()
                );
            }
        }
    }

    #[test]
    fn no_two_run_kinds_share_a_port() {
        let mut seen: Vec<(u16, &str, &str)> = Vec::new();
        for kind in RunKind::ALL {
            for (what, port) in kind.base_ports().all() {
                if let Some((_, k, w)) = seen.iter().find(|(p, _, _)| *p == port) {
                    panic!("{port} is {w} of {k} and {what} of {}", kind.name());
                }
                seen.push((port, kind.name(), what));
            }
        }
    }

    #[test]
    fn the_postgresql_stacks_have_two_gateways_and_a_server() {
        for kind in [RunKind::TestPg, RunKind::BenchPg] {
            let p = kind.base_ports();
            assert!(p.postgres.is_some());
            assert_eq!(p.gateways().len(), 2);
            let second = p.of_gateway(2).unwrap();
            assert_ne!(second.gateway, p.gateway);
            assert_ne!(second.policy, p.policy);
            assert_ne!(second.milter, p.milter);
            // Everything but the gateway's own listeners is shared.
            assert_eq!(second.imap, p.imap);
            assert_eq!(second.edge, p.edge);
        }
        assert_eq!(Ports::TEST.gateways(), [Ports::TEST]);
        assert!(Ports::TEST.of_gateway(2).is_none());
    }

    #[test]
    fn a_shift_moves_every_port_and_keeps_the_gateways_apart() {
        let moved = RunKind::TestPg.base_ports().shifted(3000);
        let base = RunKind::TestPg.base_ports();
        for ((what, a), (_, b)) in base.all().into_iter().zip(moved.all()) {
            assert_eq!(a + 3000, b, "{what}");
        }
        assert_eq!(
            moved.of_gateway(2).unwrap().gateway,
            base.second.unwrap().gateway + 3000
        );
    }

    #[test]
    fn run_kinds_are_named_by_their_directory() {
        for kind in RunKind::ALL {
            assert_eq!(RunKind::from_name(kind.name()), Some(kind));
            assert!(
                kind.run_dir()
                    .ends_with(format!("target/postern/{}", kind.name()))
            );
        }
        assert_eq!(RunKind::from_name("nope"), None);
    }
}
