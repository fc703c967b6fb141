//! `serve`: open the database, build the pool and router, listen until
//! SIGINT/SIGTERM. SIGUSR2 restarts the process in place (see
//! [`restart_on_sigusr2`]).

use std::sync::Arc;

use crate::config::Config;
use crate::imap::Pool;
use crate::routes;
use crate::state::AppState;

/// Builds the application state (database migrated) from a config.
pub async fn state(config: &Config) -> anyhow_like::Result<AppState> {
    let db = crate::db::open(&config.database).await?;
    Ok(AppState {
        db,
        imap: Pool::new(config.imap.clone()),
        live: Arc::new(crate::live::Live::new(config.imap.clone())),
        conversations: Arc::default(),
        lists: Arc::new(crate::imap::ListCache::new()),
        bodies: Arc::new(crate::body_cache::BodyCache::open(
            std::path::Path::new(&config.sending.blob_dir).join("cache/html"),
            crate::body_cache::DEFAULT_BUDGET,
        )),
        edge_secret: Arc::from(config.edge_secret.as_bytes()),
        sending: Arc::new(config.sending.clone()),
        devices: Arc::new(crate::devices::Devices::new(config.devices.clone())),
        totp_key: config.totp_key.clone(),
        spam: Arc::new(crate::spam::Scripts::new(
            config.sieve_dir.clone(),
            config.devices.dovecot_conf.clone(),
        )),
        learner: Arc::new(crate::spam::learn::Learner::new(
            config.rspamd_controller.clone(),
            config.rspamd_password.clone(),
        )),
        dpa: Arc::new(crate::dpa::Dpa::new(&config.dpa)),
    })
}

pub async fn serve(config: Config) -> anyhow_like::Result<()> {
    if config.imap.tls {
        return Err(
            "POSTERN_IMAP_TLS=true is not supported yet: run Dovecot's plain listener on loopback"
                .into(),
        );
    }
    let state = state(&config).await?;
    // Every mailbox without filter settings of its own runs this script.
    state
        .spam
        .ensure_default()
        .await
        .map_err(|e| format!("cannot write the default spam filter script: {e:?}"))?;
    state.imap.spawn_reaper();
    // Sending: resume the outbox (undo windows survive a restart) and
    // answer Postfix's policy requests.
    crate::send::outbox::resume(&state).await?;
    crate::send::outbox::spawn_sweeper(state.clone());
    if let Some(addr) = config.sending.policy_addr {
        crate::postfix::policy::spawn(state.db.clone(), addr).await?;
    }
    if let Some(addr) = config.sending.milter_addr {
        crate::postfix::milter::spawn(state.db.clone(), addr).await?;
    }
    crate::transfers::sweeper::spawn(state.clone());
    crate::maillog::spawn(state.clone(), config.mail_logs.clone());
    #[cfg(unix)]
    tokio::spawn(restart_on_sigusr2());
    let live = state.live.clone();
    let app = routes::router(state);
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(addr = %config.listen, "gateway listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Open event streams would hold the shutdown forever.
            live.close();
        })
        .await?;
    tracing::info!("gateway stopped");
    Ok(())
}

/// SIGUSR2: the process replaces itself with a fresh run of the same
/// binary (same arguments, environment and pid) at once, as a crash and a
/// restart would — requests in flight fail, an open transaction is rolled
/// back when its connection closes, every file and socket is closed
/// (Rust opens them close-on-exec). For an operator who installed a new
/// binary, and for the stack test that restarts the gateway mid-stream
/// while its log follower ingests (`tests/tests/log_restart.rs`): what is
/// kept — the follower's cursor, the outbox — lives in the database, and
/// the leases it held stay its own (the same holder name).
#[cfg(unix)]
async fn restart_on_sigusr2() {
    use std::os::unix::process::CommandExt;
    let Ok(mut signal) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined2())
    else {
        return;
    };
    signal.recv().await;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    tracing::warn!("SIGUSR2: restarting in place");
    let error = std::process::Command::new(&args[0])
        .args(&args[1..])
        .env(
            crate::db::lease::RESTART_HOLDER_VAR,
            crate::db::lease::process_holder(),
        )
        .exec();
    tracing::error!(%error, "restart in place failed; stopping");
    std::process::exit(1);
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// A boxed error for the binary's top level, where any failure just ends
/// the process with a message.
pub mod anyhow_like {
    pub type Error = Box<dyn std::error::Error + Send + Sync>;
    pub type Result<T> = std::result::Result<T, Error>;
}
