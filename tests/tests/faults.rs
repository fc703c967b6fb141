//! When things break: Dovecot restarts, the gateway is unreachable, unknown
//! API paths; and the app shell's security headers.
//!
//! The Dovecot restart disturbs every test running at the same time, so it
//! lives in this file (test binaries run one after another) and every test
//! here takes [`LOCK`] (tests inside one binary run in parallel).

use postern_shared::ErrorCode;
use postern_shared::api::MessagePage;
use postern_shared::wire::routes::Route;
use postern_tests::Stack;
use postern_tests::fixtures::{Fixture, ListQuery, Mail, raw_http, raw_login};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

#[tokio::test]
async fn the_gateway_reconnects_after_dovecot_restarts() {
    let _serial = LOCK.lock().await;
    let mut fx = Fixture::new().await;
    let u = fx.fill("INBOX", "Before restart", 3, 1_700_000_000).await;
    let newest_first: Vec<u32> = u.iter().rev().copied().collect();

    // Warm the gateway's pool: it now holds a connection to this mailbox.
    let before = fx.list(&ListQuery::folder("INBOX")).await.unwrap();
    let got: Vec<u32> = before.messages.iter().map(|m| m.uid).collect();
    assert_eq!(got, newest_first);

    // Dovecot goes away and comes back; the helper returns once the IMAP
    // port accepts connections again. Every pooled connection is now dead.
    fx.stack.restart_dovecot().await;

    // The very next request must succeed: no retry loop here.
    let after: MessagePage = fx
        .list(&ListQuery::folder("INBOX"))
        .await
        .unwrap_or_else(|e| panic!("the first request after the restart failed: {e}"));
    let got: Vec<u32> = after.messages.iter().map(|m| m.uid).collect();
    assert_eq!(got, newest_first);
    // And the pool keeps working (opening writes \Seen, folders, …).
    let view = fx
        .open("INBOX", u[0])
        .await
        .expect("open after the restart");
    assert_eq!(view.subject, "Before restart 0");
    let _: Vec<postern_shared::api::Folder> = fx
        .api
        .get(&Route::ListFolders { mb: fx.mailbox }.path())
        .await
        .expect("folders");
    // New mail delivered after the restart shows up.
    let mut imap = fx.stack.imap(&fx.address).await;
    let new = imap
        .append(
            "INBOX",
            &[],
            &Mail::new("After restart").date(1_800_000_000).build(),
        )
        .await
        .unwrap();
    let page = fx.list(&ListQuery::folder("INBOX")).await.unwrap();
    assert_eq!(page.messages[0].uid, new);
}

/// A second edge process pointed at a gateway that does not exist; killed
/// (with its process group) when dropped, also when the test panics.
struct EdgeProcess {
    child: Child,
    url: String,
}

impl Drop for EdgeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind an ephemeral port")
        .local_addr()
        .unwrap()
        .port()
}

fn wasmtime() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(p) = home.map(|h| h.join("bin/wasmtime"))
        && p.exists()
    {
        return p;
    }
    PathBuf::from("wasmtime")
}

/// The session key of the running stack (so the second edge accepts the
/// cookies of the first one and really has to ask the gateway).
fn session_key(stack: &Stack) -> String {
    let env = std::fs::read_to_string(stack.run_dir.join("secrets.env"))
        .expect("secrets.env in the run directory");
    env.lines()
        .find_map(|l| l.strip_prefix("POSTERN_SESSION_KEY="))
        .expect("POSTERN_SESSION_KEY in secrets.env")
        .trim()
        .to_string()
}

async fn start_edge_without_gateway(stack: &Stack) -> EdgeProcess {
    let root = repo_root();
    let wasm = root.join("target/wasm32-wasip2/release/postern_edge.wasm");
    assert!(wasm.exists(), "{} missing: build first", wasm.display());
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let log = std::fs::File::create(stack.log_dir.join("edge-no-gateway.log")).unwrap();
    let child = Command::new(wasmtime())
        .args(["serve", "--addr", &addr, "-S", "cli", "--dir"])
        .arg(format!("{}::/dist", root.join("dist").display()))
        .args(["--env", "GATEWAY_URL=http://127.0.0.1:1"])
        .args(["--env", "POSTERN_EDGE_SECRET=x"])
        .arg("--env")
        .arg(format!("POSTERN_SESSION_KEY={}", session_key(stack)))
        .arg(&wasm)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("wasmtime serve starts");
    let mut edge = EdgeProcess {
        child,
        url: format!("http://{addr}"),
    };
    // wasmtime compiles the component first: poll the port with a deadline.
    let start = Instant::now();
    loop {
        if TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_millis(200)).is_ok() {
            break;
        }
        if let Ok(Some(status)) = edge.child.try_wait() {
            panic!(
                "the second edge exited ({status}): see {}",
                stack.log("edge-no-gateway").display()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "the second edge does not listen on {addr}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    edge
}

async fn expect_gateway_unavailable(resp: reqwest::Response, what: &str) {
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = resp.text().await.unwrap_or_default();
    assert_eq!(status, 503, "{what}: {body}");
    assert!(
        ct.starts_with("application/json"),
        "{what}: Content-Type {ct}"
    );
    let err: postern_shared::ApiError = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("{what}: not ApiError ({e}): {body}"));
    assert_eq!(err.code, ErrorCode::GatewayUnavailable, "{what}");
}

#[tokio::test]
async fn an_unreachable_gateway_is_503_gateway_unavailable_while_the_app_shell_still_loads() {
    let _serial = LOCK.lock().await;
    let stack = Stack::get();
    let fx = Fixture::new().await;
    // A real, valid session cookie (signed with the stack's key).
    let session = raw_login(&stack.edge_url, &fx.login, &fx.password).await;

    let edge = start_edge_without_gateway(stack).await;
    let http = raw_http();

    let resp = http
        .get(format!("{}{}", edge.url, Route::Health.path()))
        .send()
        .await
        .expect("GET /api/health");
    expect_gateway_unavailable(resp, "/api/health").await;

    let resp = http
        .get(format!("{}{}", edge.url, Route::Me.path()))
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("GET /api/me");
    expect_gateway_unavailable(resp, "/api/me with a valid cookie").await;

    let resp = http
        .post(format!("{}/api/session", edge.url))
        .json(&serde_json::json!({ "login": fx.login, "password": fx.password }))
        .send()
        .await
        .expect("POST /api/session");
    expect_gateway_unavailable(resp, "sign-in").await;

    let resp = http
        .get(format!("{}/", edge.url))
        .send()
        .await
        .expect("GET /");
    assert_eq!(
        resp.status().as_u16(),
        200,
        "the app shell needs no gateway"
    );
    let body = resp.text().await.unwrap();
    let index = std::fs::read_to_string(repo_root().join("dist/index.html")).unwrap();
    assert_eq!(body, index, "/ is dist/index.html");
    drop(edge);
}

#[tokio::test]
async fn the_app_shell_and_deep_links_are_index_html_with_strict_security_headers() {
    let _serial = LOCK.lock().await;
    let stack = Stack::get();
    let index = std::fs::read_to_string(repo_root().join("dist/index.html")).unwrap();
    let http = raw_http();
    for path in ["/", "/mail/1/INBOX/5"] {
        let resp = http
            .get(format!("{}{path}", stack.edge_url))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        let header = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{path}: CSP {csp:?}");
        assert!(
            csp.contains("frame-ancestors 'none'"),
            "{path}: CSP {csp:?}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert!(header("content-type").starts_with("text/html"), "{path}");
        let body = resp.text().await.unwrap();
        assert_eq!(body, index, "{path} serves dist/index.html");
    }
}

#[tokio::test]
async fn unknown_api_paths_are_404_json_not_found() {
    let _serial = LOCK.lock().await;
    let stack = Stack::get();
    let fx = Fixture::new().await;
    let anonymous = stack.client();
    for client in [&anonymous, &fx.api] {
        for path in ["/api/nope", "/api/mailboxes", "/api/me/extra"] {
            let e = client
                .get::<serde_json::Value>(path)
                .await
                .expect_err("unknown path");
            assert_eq!(
                (e.status, e.code()),
                (404, ErrorCode::NotFound),
                "{path}: {e}"
            );
        }
    }
}
