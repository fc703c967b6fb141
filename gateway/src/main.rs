//! `postern-gateway [serve | migrate | seed-demo | seed-demo-mail | seed-bulk --mailbox ADDR --folder NAME --count N]`
//! Configuration comes from the environment (see `ARCHITECTURE.md`).

use std::process::ExitCode;

use postern_gateway::server::anyhow_like::Result;
use postern_gateway::{config, db, seed, server};

const USAGE: &str = "usage: postern-gateway [serve | migrate | seed-demo | seed-demo-mail | seed-bulk --mailbox ADDR --folder NAME --count N]";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("postern-gateway: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        None | Some("serve") => server::serve(config::Config::from_env()?).await,
        Some("migrate") => {
            let path = config::database_from_env()?;
            db::open(&path).await?;
            println!(
                "migrations applied to {}",
                db::Location::parse(&path).redacted()
            );
            Ok(())
        }
        Some("seed-demo") => {
            let db = db::open(&config::database_from_env()?).await?;
            let report = seed::demo::run(db, config::imap_from_env()?).await?;
            println!("{report}");
            Ok(())
        }
        Some("seed-demo-mail") => {
            let database = config::database_from_env()?;
            let db = db::open(&database).await?;
            let mx = std::env::var("POSTERN_SMTP_ADDR")
                .map_err(|_| "POSTERN_SMTP_ADDR is not set (Postfix's smtpd, host:port)")?;
            let report = seed::demo_mail::run(
                db,
                &config::sending_from_env(&database)?,
                &config::imap_from_env()?,
                &mx,
            )
            .await?;
            println!("{report}");
            Ok(())
        }
        Some("seed-bulk") => {
            let opts =
                seed::bulk::Options::parse(&args[1..]).map_err(|e| format!("{e}\n{USAGE}"))?;
            let n = seed::bulk::run(&config::imap_from_env()?, &opts).await?;
            println!(
                "appended {n} messages to {} of {}",
                opts.folder, opts.mailbox
            );
            Ok(())
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n{USAGE}").into()),
    }
}
