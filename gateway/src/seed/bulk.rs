//! `seed-bulk --mailbox ADDR --folder NAME --count N`: many small messages
//! (e.g. the 10,000-message benchmark folder), pipelined APPENDs.

use crate::config::ImapConfig;
use crate::server::anyhow_like::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub mailbox: String,
    pub folder: String,
    pub count: usize,
    pub seed: u64,
}

impl Options {
    pub fn parse(args: &[String]) -> std::result::Result<Options, String> {
        let mut mailbox = None;
        let mut folder = None;
        let mut count = None;
        let mut seed = 42;
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || it.next().cloned().ok_or(format!("{flag} needs a value"));
            match flag.as_str() {
                "--mailbox" => mailbox = Some(value()?.to_lowercase()),
                "--folder" => folder = Some(value()?),
                "--count" => {
                    count = Some(
                        value()?
                            .parse()
                            .map_err(|_| "--count must be a number".to_string())?,
                    )
                }
                "--seed" => {
                    seed = value()?
                        .parse()
                        .map_err(|_| "--seed must be a number".to_string())?
                }
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(Options {
            mailbox: mailbox.ok_or("--mailbox is required")?,
            folder: folder.unwrap_or_else(|| "INBOX".into()),
            count: count.ok_or("--count is required")?,
            seed,
        })
    }
}

pub async fn run(imap: &ImapConfig, opts: &Options) -> Result<usize> {
    let mut conn = super::connect(imap, &opts.mailbox).await?;
    let mut mail = super::generator::bulk(&opts.mailbox, opts.count, opts.seed, crate::db::now());
    for m in &mut mail {
        m.folder = opts.folder.clone();
    }
    Ok(super::append_all(&mut conn, &mail).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_options() {
        let args: Vec<String> = [
            "--mailbox",
            "Olivia@Example.test",
            "--folder",
            "Bulk",
            "--count",
            "10000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = Options::parse(&args).unwrap();
        assert_eq!(
            o,
            Options {
                mailbox: "olivia@example.test".into(),
                folder: "Bulk".into(),
                count: 10000,
                seed: 42
            }
        );
        assert!(Options::parse(&args[..4]).is_err());
        assert!(Options::parse(&["--bogus".to_string()]).is_err());
    }
}
