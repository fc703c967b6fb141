//! R-MAIL-7 on the real stack: Trash and Junk lose mail saved into them
//! more than 30 days ago (`autoexpunge = 30d` in the generated Dovecot
//! config, `postern_shared::limits::TRASH_RETENTION_DAYS`); mail saved
//! there recently, and mail of every other folder, stays.
//!
//! How a message gets a save date 40 days ago: it is saved by Dovecot
//! itself (`doveadm save`) in a doveadm process whose wall clock runs 40
//! days behind (a tiny LD_PRELOAD shim over `gettimeofday`/`time`/
//! `clock_gettime`, compiled here with `cc`). Dovecot records the save
//! date in the index cache (`date.save`, always cached:
//! `mail_always_cache_fields`), exactly as it would have 40 days ago;
//! Maildir's fallback, the file's ctime, cannot be set back (and moves on
//! every flag change — the reason for that setting). Nothing of Dovecot's
//! files is written by the test, and no test-only retention is
//! configured: what removes the mail is Dovecot's own autoexpunge at the
//! end of an IMAP session (as when one of the gateway's master-user
//! connections closes), or the very `doveadm expunge … savedbefore 30d`
//! the host runs daily for mailboxes nobody opens (with `-u`, not `-A`:
//! the stack is shared by tests running in parallel).

use postern_shared::api::{DeleteMessagesRequest, MoveResult};
use postern_shared::limits::TRASH_RETENTION_DAYS;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, Mail};
use postern_tests::{Stack, eventually};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY: i64 = 86_400;

/// The clock shim: every wall-clock reading of the process is
/// `POSTERN_TEST_CLOCK_BEHIND` seconds earlier. Read once at load, as
/// Dovecot clears its environment early.
const SHIM_C: &str = r#"
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
static long behind;
__attribute__((constructor)) static void init(void) {
    const char *s = getenv("POSTERN_TEST_CLOCK_BEHIND");
    behind = s ? atol(s) : 0;
}
int gettimeofday(struct timeval *tv, void *tz) {
    static int (*real)(struct timeval *, void *);
    if (!real) real = dlsym(RTLD_NEXT, "gettimeofday");
    int r = real(tv, tz);
    if (r == 0 && tv) tv->tv_sec -= behind;
    return r;
}
int clock_gettime(clockid_t c, struct timespec *ts) {
    static int (*real)(clockid_t, struct timespec *);
    if (!real) real = dlsym(RTLD_NEXT, "clock_gettime");
    int r = real(c, ts);
    if (r == 0 && ts && (c == CLOCK_REALTIME || c == CLOCK_REALTIME_COARSE)) ts->tv_sec -= behind;
    return r;
}
time_t time(time_t *t) {
    struct timeval tv;
    gettimeofday(&tv, 0);
    if (t) *t = tv.tv_sec;
    return tv.tv_sec;
}
"#;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The shim, built once per test binary into the run directory.
fn clock_shim() -> &'static Path {
    static SHIM: OnceLock<PathBuf> = OnceLock::new();
    SHIM.get_or_init(|| {
        let dir = Stack::get()
            .run_dir
            .join(format!("retention-clock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("shim directory");
        let src = dir.join("clock.c");
        let so = dir.join("clock.so");
        std::fs::write(&src, SHIM_C).expect("write the shim");
        let out = Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-o"])
            .arg(&so)
            .arg(&src)
            .arg("-ldl")
            .output()
            .expect("cc runs");
        assert!(
            out.status.success(),
            "cc: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        so
    })
}

/// `doveadm`'s absolute path (doveconf below starts it with a clean
/// environment: no PATH).
fn doveadm_path() -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join("doveadm"))
        .find(|p| p.is_file())
        .expect("doveadm on PATH")
}

/// `doveadm save -u <address> -m <folder>` of `message`, by a doveadm whose
/// clock is `days_ago` days behind (0: the real clock). Dovecot binaries
/// re-execute themselves through doveconf, which clears the environment
/// (LD_PRELOAD too), so doveconf is called directly and starts doveadm
/// through env(1) with the shim.
fn save_as_of(address: &str, folder: &str, days_ago: i64, message: &[u8]) {
    let stack = Stack::get();
    let mut child = Command::new("doveconf")
        .arg("-c")
        .arg(&stack.dovecot_conf)
        .args([
            "-f",
            "service=doveadm",
            "-m",
            "doveadm",
            "-e",
            "/usr/bin/env",
        ])
        .arg(format!("POSTERN_TEST_CLOCK_BEHIND={}", days_ago * DAY))
        .arg(format!("LD_PRELOAD={}", clock_shim().display()))
        .arg(doveadm_path())
        .args(["save", "-u", address, "-m", folder])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("doveconf runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(message)
        .expect("message to doveadm save");
    let out = child.wait_with_output().expect("doveadm save ends");
    // A doveadm whose clock is behind warns that the dotlock files it made
    // carry the real time; that is all it says.
    assert!(
        out.status.success(),
        "doveadm save to {folder} of {address} ({days_ago} days ago) failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (folder, subject, save date) of every message of `address`, from
/// Dovecot (`doveadm fetch`).
fn contents(address: &str) -> Vec<(String, String, i64)> {
    let out = Stack::get().doveadm(&[
        "-f",
        "tab",
        "fetch",
        "-u",
        address,
        "mailbox hdr.subject date.saved.unixtime",
        "all",
    ]);
    out.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "{l:?}");
            (
                f[0].to_string(),
                f[1].trim().to_string(),
                f[2].trim().parse().unwrap_or_else(|_| panic!("{l:?}")),
            )
        })
        .collect()
}

fn subjects(contents: &[(String, String, i64)], folder: &str) -> BTreeSet<String> {
    contents
        .iter()
        .filter(|(f, _, _)| f == folder)
        .map(|(_, s, _)| s.clone())
        .collect()
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn mail(subject: &str) -> Vec<u8> {
    Mail::new(subject).build()
}

/// How many messages [`seed`] saves.
const SEEDED: usize = 12;

/// Fills the fixture's mailbox: per folder, oldest save first (autoexpunge
/// walks a folder in UID order and stops at the first message too young).
/// Everything through doveadm, which runs no autoexpunge itself.
fn seed(fx: &Fixture) {
    let a = fx.address.as_str();
    let keep_days = TRASH_RETENTION_DAYS as i64 - 1;
    save_as_of(a, "Trash", 40, &mail("trash 40 days a"));
    save_as_of(a, "Trash", 40, &mail("trash 40 days b"));
    save_as_of(a, "Trash", 31, &mail("trash 31 days"));
    save_as_of(a, "Trash", keep_days, &mail("trash 29 days"));
    save_as_of(a, "Trash", 0, &mail("trash today"));
    save_as_of(a, "Junk", 40, &mail("junk 40 days"));
    save_as_of(a, "Junk", keep_days, &mail("junk 29 days"));
    save_as_of(a, "Junk", 0, &mail("junk today"));
    save_as_of(a, "INBOX", 40, &mail("inbox 40 days"));
    save_as_of(a, "Archive", 400, &mail("archive 400 days"));
    save_as_of(a, "Sent", 40, &mail("sent 40 days"));
    save_as_of(a, "Projects", 40, &mail("projects 40 days"));
}

/// The seeded mail is there with the save dates it was given: Dovecot
/// reads the recorded date.save, not the files' ctime (now).
fn assert_seeded(address: &str, messages: usize) -> Vec<(String, String, i64)> {
    let c = contents(address);
    let t = now();
    for (folder, subject, saved) in &c {
        let days: i64 = if subject.contains("400 days") {
            400
        } else if subject.contains("40 days") {
            40
        } else if subject.contains("31 days") {
            31
        } else if subject.contains("29 days") {
            TRASH_RETENTION_DAYS as i64 - 1
        } else {
            0
        };
        let want = t - days * DAY;
        assert!(
            (saved - want).abs() < 600,
            "{folder}/{subject}: saved at {saved}, expected about {want} ({days} days ago)"
        );
    }
    assert_eq!(c.len(), messages, "{c:?}");
    c
}

/// What must be left after an expunge run.
fn assert_expunged(address: &str, moved: Option<&str>) {
    let c = contents(address);
    let mut trash = vec!["trash 29 days", "trash today"];
    trash.extend(moved);
    assert_eq!(subjects(&c, "Trash"), set(&trash), "{c:?}");
    assert_eq!(
        subjects(&c, "Junk"),
        set(&["junk 29 days", "junk today"]),
        "{c:?}"
    );
    assert_eq!(subjects(&c, "INBOX"), set(&["inbox 40 days"]), "{c:?}");
    assert_eq!(subjects(&c, "Archive"), set(&["archive 400 days"]), "{c:?}");
    assert_eq!(subjects(&c, "Sent"), set(&["sent 40 days"]), "{c:?}");
    assert_eq!(
        subjects(&c, "Projects"),
        set(&["projects 40 days"]),
        "{c:?}"
    );
}

/// Dovecot's log lines for `address`'s mail (mail_log plugin).
fn dovecot_log_of(address: &str) -> Vec<String> {
    let log = std::fs::read_to_string(Stack::get().log("dovecot")).unwrap_or_default();
    let needle = format!("({address})");
    log.lines()
        .filter(|l| l.contains(&needle))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn old_trash_and_junk_mail_is_gone_when_an_imap_session_ends() {
    let mut fx = Fixture::new().await;
    fx.imap.create("Projects").await.expect("CREATE Projects");
    seed(&fx);
    // Deleted in the webmail 40 days after it arrived: the gateway MOVEs
    // it into Trash, which gives it a new save date — the 30 days start
    // at the deletion, not at the arrival.
    save_as_of(&fx.address, "INBOX", 40, &mail("deleted today"));
    let uid = fx.imap_search("INBOX", "SUBJECT \"deleted today\"").await;
    assert_eq!(uid.len(), 1);
    let res: MoveResult = fx
        .api
        .post(
            &Route::DeleteMessages { mb: fx.mailbox }.path(),
            &DeleteMessagesRequest {
                folder: "INBOX".into(),
                uids: uid,
            },
        )
        .await
        .expect("delete");
    assert_eq!(res.destination.as_deref(), Some("Trash"));
    let seeded = assert_seeded(&fx.address, SEEDED + 1);
    let moved = seeded
        .iter()
        .find(|(_, s, _)| s == "deleted today")
        .expect("the deleted message");
    assert_eq!(moved.0, "Trash");
    assert!(
        (moved.2 - now()).abs() < 600,
        "a MOVE into Trash saves anew: {moved:?}"
    );

    // A master-user session, as the gateway's: when it ends, Dovecot
    // autoexpunges (after the client is gone, so wait for it).
    let s = fx.stack.imap(&fx.address).await;
    s.logout().await.expect("LOGOUT");
    let address = fx.address.clone();
    eventually(
        "Dovecot's autoexpunge of the old Trash and Junk mail",
        Duration::from_secs(30),
        || {
            let c = contents(&address);
            let done = subjects(&c, "Trash").len() == 3 && subjects(&c, "Junk").len() == 2;
            async move { done.then_some(()) }
        },
    )
    .await;
    assert_expunged(&fx.address, Some("deleted today"));

    // It was Dovecot's autoexpunge (mail_log names it so), in an IMAP
    // session, for exactly the four old messages.
    let auto = eventually(
        "the autoexpunge lines in dovecot.log",
        Duration::from_secs(10),
        || {
            let auto: Vec<String> = dovecot_log_of(&address)
                .into_iter()
                .filter(|l| l.contains(": autoexpunge: "))
                .collect();
            async move { (auto.len() >= 4).then_some(auto) }
        },
    )
    .await;
    assert_eq!(auto.len(), 4, "{auto:#?}");
    assert!(auto.iter().all(|l| l.contains("imap(")), "{auto:#?}");
    for (folder, subject) in [
        ("Trash", "trash 40 days a"),
        ("Trash", "trash 40 days b"),
        ("Trash", "trash 31 days"),
        ("Junk", "junk 40 days"),
    ] {
        assert!(
            auto.iter().any(|l| l.contains(&format!("box={folder},"))
                && l.contains(&format!("subject={subject}"))),
            "{folder}/{subject}: {auto:#?}"
        );
    }
}

#[tokio::test]
async fn the_hosts_daily_doveadm_expunge_empties_what_no_session_reached() {
    // The fixture's own IMAP session stays open until the end, and nothing
    // else logs in to this mailbox: no session ends, no autoexpunge.
    let mut fx = Fixture::new().await;
    fx.imap.create("Projects").await.expect("CREATE Projects");
    seed(&fx);
    assert_seeded(&fx.address, SEEDED);

    // The host's daily run (`-A` there; `-u` here, the stack is shared).
    let days = format!("{TRASH_RETENTION_DAYS}d");
    for folder in ["Trash", "Junk"] {
        fx.stack.doveadm(&[
            "expunge",
            "-u",
            &fx.address,
            "mailbox",
            folder,
            "savedbefore",
            &days,
        ]);
    }
    assert_expunged(&fx.address, None);
    let log = dovecot_log_of(&fx.address);
    assert!(
        !log.iter().any(|l| l.contains(": autoexpunge: ")),
        "no session ended, no autoexpunge: {log:#?}"
    );
    // IMAP sees the same.
    assert_eq!(fx.imap_search("Trash", "ALL").await.len(), 2);
    assert_eq!(fx.imap_search("Junk", "ALL").await.len(), 2);
}
