//! Which Dovecot session belongs to which device password, from Dovecot
//! itself.
//!
//! `doveadm kick` (2.3) ends every session of a user (or of an address),
//! never one device's; its `-f` only forces a kick of shared processes.
//! So Dovecot logs every login with the device id the passdb returned and
//! the PID of the session's process (`login_log_format_elements = …
//! mpid=%e … device=<%{passdb:device_id}>`, see xtask's dovecot.conf):
//!
//! ```text
//! 2026-12-01T22:10:00 imap-login: Info: Login: user=<a@example.test>, method=PLAIN,
//!   rip=127.0.0.1, lip=127.0.0.1, mpid=4242, secured, session=<…>, device=<17>
//! ```
//!
//! [`Sessions::scan`] reads the lines written since its last call (a PID →
//! device map, and each device's last use: time, protocol, client address
//! — for SMTP submission too). [`Sessions::kill`] asks `doveadm who` for the
//! user's live processes, keeps those whose newest login line names one of
//! the devices (a PID reused by a later session is mapped to that later
//! login), and ends them with SIGTERM — Dovecot's imap/pop3 processes
//! serve one connection each (`service_count = 1`, `client_limit = 1`),
//! so that is exactly that device's connections, as `doveadm kick` itself
//! does. The gateway's own master-user sessions carry no device and are
//! never cut. The gateway must run on Dovecot's machine, as root or as
//! Dovecot's mail user, to signal them.

use postern_shared::devices::{DeviceId, LastUse};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// One login line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub at: i64,
    /// `imap`, `pop3`, `submission`, …
    pub protocol: String,
    pub user: String,
    pub client_ip: Option<String>,
    pub pid: Option<u32>,
    pub device: DeviceId,
    /// Dovecot's session id (`session=<…>`): one login, whichever gateway
    /// reads its line.
    pub session: String,
}

#[derive(Default)]
struct LogState {
    /// Where reading stopped (after the last complete line).
    cursor: crate::maillog::follow::Cursor,
    /// PID → the device of the newest login line with that PID.
    pids: HashMap<u32, DeviceId>,
}

pub struct Sessions {
    conf: Option<PathBuf>,
    log: Option<PathBuf>,
    state: Arc<Mutex<LogState>>,
}

impl Sessions {
    pub fn new(conf: Option<PathBuf>, log: Option<PathBuf>) -> Sessions {
        Sessions {
            conf,
            log,
            state: Arc::default(),
        }
    }

    /// Reads the new login lines (of device passwords), oldest first.
    pub async fn scan(&self) -> Vec<Login> {
        let Some(log) = self.log.clone() else {
            return Vec::new();
        };
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || {
            let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
            match read_new(&log, &mut st) {
                Ok(logins) => logins,
                Err(e) => {
                    tracing::warn!(error = %e, log = %log.display(), "cannot read Dovecot's log");
                    Vec::new()
                }
            }
        })
        .await
        .unwrap_or_default()
    }

    /// The live sessions of `user` per device (IMAP, POP3, submission).
    pub async fn connections(&self, user: &str) -> HashMap<DeviceId, u32> {
        let mut out = HashMap::new();
        for (_, device) in self.live(user).await {
            *out.entry(device).or_insert(0) += 1;
        }
        out
    }

    /// `(pid, device)` of every live process of `user` opened with a
    /// device password, as far as the lines read so far tell ([`scan`]
    /// first: `devices::record_logins`).
    ///
    /// [`scan`]: Sessions::scan
    async fn live(&self, user: &str) -> Vec<(u32, DeviceId)> {
        let Some(conf) = &self.conf else {
            return Vec::new();
        };
        let out = tokio::process::Command::new("doveadm")
            .arg("-c")
            .arg(conf)
            .args(["who", "-1", user])
            .output()
            .await;
        let out = match out {
            Ok(o) if o.status.success() => o,
            Ok(o) => {
                tracing::warn!(status = %o.status, stderr = %String::from_utf8_lossy(&o.stderr), "doveadm who failed");
                return Vec::new();
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot run doveadm");
                return Vec::new();
            }
        };
        let pids = who_pids(&String::from_utf8_lossy(&out.stdout), user);
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        pids.into_iter()
            .filter_map(|pid| st.pids.get(&pid).map(|d| (pid, *d)))
            .collect()
    }

    /// Whether sessions can be listed and ended at all (`POSTERN_DOVECOT_CONF`).
    pub fn can_cut(&self) -> bool {
        self.conf.is_some()
    }

    /// Ends the live sessions of `devices` of `user` known from the lines
    /// read so far; how many.
    pub async fn kill(&self, user: &str, devices: &HashSet<DeviceId>) -> usize {
        let mut n = 0;
        for (pid, _) in self
            .live(user)
            .await
            .into_iter()
            .filter(|(_, d)| devices.contains(d))
        {
            // SIGTERM: Dovecot says "BYE Server shutting down" and closes.
            let res = tokio::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
            match res {
                Ok(s) if s.success() => n += 1,
                other => tracing::warn!(pid, ?other, "cannot end a device's session"),
            }
        }
        n
    }

    /// No success cached by Dovecot outlives a revocation (the stack runs
    /// without an auth cache; this keeps it true if one is turned on).
    pub async fn flush_auth_cache(&self, user: &str) {
        let Some(conf) = &self.conf else { return };
        let res = tokio::process::Command::new("doveadm")
            .arg("-c")
            .arg(conf)
            .args(["auth", "cache", "flush", user])
            .output()
            .await;
        if let Ok(o) = res
            && !o.status.success()
        {
            tracing::debug!(stderr = %String::from_utf8_lossy(&o.stderr), "doveadm auth cache flush");
        }
    }
}

/// Reads the whole lines written since the last call (`maillog::follow`:
/// rotation and truncation); a log read again from its start forgets the
/// PIDs it knew.
fn read_new(path: &std::path::Path, st: &mut LogState) -> std::io::Result<Vec<Login>> {
    let chunk = crate::maillog::follow::read(path, st.cursor, u64::MAX)?;
    if chunk.next.inode == st.cursor.inode && chunk.next.position < st.cursor.position
        || chunk.next.inode != st.cursor.inode && st.cursor.inode != 0
    {
        st.pids.clear();
    }
    st.cursor = chunk.next;
    let logins: Vec<Login> = chunk.lines.iter().filter_map(|l| parse_login(l)).collect();
    for l in &logins {
        if let Some(pid) = l.pid {
            st.pids.insert(pid, l.device);
        }
    }
    Ok(logins)
}

/// Each device's newest use among `logins`.
pub fn newest_uses(logins: &[Login]) -> HashMap<DeviceId, LastUse> {
    let mut out: HashMap<DeviceId, LastUse> = HashMap::new();
    for l in logins {
        if out.get(&l.device).is_none_or(|u| u.at <= l.at) {
            out.insert(
                l.device,
                LastUse {
                    at: l.at,
                    protocol: Some(l.protocol.clone()),
                    client_ip: l.client_ip.clone(),
                },
            );
        }
    }
    out
}

/// A successful login with a device password, or `None` (any other line,
/// a master-user login without a device).
pub fn parse_login(line: &str) -> Option<Login> {
    let (stamp, rest) = line.split_once(' ')?;
    let (service, rest) = rest.split_once(": ")?;
    let protocol = service.strip_suffix("-login")?;
    let fields = rest.strip_prefix("Info: Login: ")?;
    let device = bracketed(fields, "device=<")?.parse().ok()?;
    Some(Login {
        at: parse_stamp(stamp)?,
        protocol: protocol.to_string(),
        user: bracketed(fields, "user=<")?.to_string(),
        client_ip: plain(fields, "rip=").map(String::from),
        pid: plain(fields, "mpid=").and_then(|p| p.parse().ok()),
        device,
        session: bracketed(fields, "session=<")
            .unwrap_or_default()
            .to_string(),
    })
}

fn bracketed<'a>(fields: &'a str, key: &str) -> Option<&'a str> {
    let start = fields.find(key)? + key.len();
    let len = fields[start..].find('>')?;
    Some(&fields[start..start + len])
}

fn plain<'a>(fields: &'a str, key: &str) -> Option<&'a str> {
    let start = fields
        .match_indices(key)
        .find(|(i, _)| *i == 0 || fields[..*i].ends_with(' '))?
        .0
        + key.len();
    let v = fields[start..].split(',').next()?.trim();
    (!v.is_empty()).then_some(v)
}

/// `log_timestamp = "%Y-%m-%dT%H:%M:%S "`, read as UTC (run Dovecot with
/// `TZ` unset or UTC).
pub(crate) fn parse_stamp(s: &str) -> Option<i64> {
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, min, sec) = (t.next()??, t.next()??, t.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || sec > 60 {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + h * 3600 + min * 60 + sec)
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// PIDs of `doveadm who -1 USER` (`username proto pid ip` per line, a
/// header first).
fn who_pids(out: &str, user: &str) -> Vec<u32> {
    out.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (u, _proto, pid) = (f.next()?, f.next()?, f.next()?);
            (u == user).then(|| pid.parse().ok()).flatten()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAP: &str = "2026-12-01T22:10:00 imap-login: Info: Login: user=<ann@example.test>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=4242, secured, session=<AbCd>, device=<17>";

    #[test]
    fn login_lines_give_device_pid_protocol_address_and_time() {
        let l = parse_login(IMAP).unwrap();
        assert_eq!(
            l,
            Login {
                at: 1_796_163_000,
                protocol: "imap".into(),
                user: "ann@example.test".into(),
                client_ip: Some("127.0.0.1".into()),
                pid: Some(4242),
                device: 17,
                session: "AbCd".into(),
            }
        );
        let pop = IMAP.replace("imap-login", "pop3-login");
        assert_eq!(parse_login(&pop).unwrap().protocol, "pop3");
        // The gateway's master-user logins carry no device.
        assert_eq!(parse_login(&IMAP.replace("device=<17>", "device=<>")), None);
        // Failures and other lines are not logins.
        assert_eq!(
            parse_login(
                "2026-12-01T22:10:00 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<a>, device=<1>"
            ),
            None
        );
        assert_eq!(parse_login("garbage"), None);
    }

    #[test]
    fn timestamps_are_unix_seconds() {
        assert_eq!(parse_stamp("1970-01-01T00:00:00"), Some(0));
        assert_eq!(parse_stamp("2000-03-01T00:00:01"), Some(951_868_801));
        assert_eq!(parse_stamp("2000-13-01T00:00:01"), None);
    }

    #[test]
    fn who_lists_pids_of_the_user_only() {
        let out = "username proto pid ip\nann@example.test imap 4242 127.0.0.1\nann@example.test pop3 4243 127.0.0.1\nbob@example.test imap 99 127.0.0.1\n";
        assert_eq!(who_pids(out, "ann@example.test"), [4242, 4243]);
    }

    #[test]
    fn the_log_is_read_incrementally_and_a_reused_pid_maps_to_its_newest_login() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dovecot.log");
        std::fs::write(&path, format!("{IMAP}\nhalf a li")).unwrap();
        let mut st = LogState::default();
        assert_eq!(read_new(&path, &mut st).unwrap().len(), 1);
        assert_eq!(st.pids.get(&4242), Some(&17));
        let again = IMAP
            .replace("device=<17>", "device=<18>")
            .replace("22:10:00", "22:11:00");
        std::fs::write(&path, format!("{IMAP}\nhalf a line\n{again}\n")).unwrap();
        let new = read_new(&path, &mut st).unwrap();
        assert_eq!(new.len(), 1);
        assert_eq!(st.pids.get(&4242), Some(&18));
        assert_eq!(newest_uses(&new)[&18].at, 1_796_163_060);
        // Rotated: read from the start again.
        std::fs::write(&path, format!("{IMAP}\n")).unwrap();
        assert_eq!(read_new(&path, &mut st).unwrap().len(), 1);
        assert_eq!(st.pids.get(&4242), Some(&17));
    }
}
