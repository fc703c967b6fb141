//! Figure 4: what the browser downloads — `.wasm`, `.js`, `.css` of
//! `dist/`, raw and brotli-compressed, per app: the webmail (what loads on
//! `/mail/…`: everything but the portal's own files, so `boot.js` and
//! `sw.js` too) and the portal (the files `portal.html` names and
//! `index.html` does not).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    Webmail,
    Portal,
}

impl App {
    pub fn name(self) -> &'static str {
        match self {
            App::Webmail => "webmail",
            App::Portal => "portal",
        }
    }
}

pub struct ShippedFile {
    pub name: String,
    pub app: App,
    pub raw: u64,
    pub brotli: u64,
}

pub struct FrontendFigures {
    pub files: Vec<ShippedFile>,
    /// The webmail's files.
    pub raw_total: u64,
    pub brotli_total: u64,
    /// The portal's own files (what `/transfer` adds to the webmail's).
    pub portal_brotli_total: u64,
}

pub fn measure(dist: &Path) -> Result<FrontendFigures> {
    println!("→ frontend: .wasm/.js/.css of {}", dist.display());
    let portal_own = portal_files(dist)?;
    let files = frontend_files(dist, &portal_own)?;
    let total = |app: App, size: fn(&ShippedFile) -> u64| -> u64 {
        files.iter().filter(|f| f.app == app).map(size).sum()
    };
    let raw_total = total(App::Webmail, |f| f.raw);
    let brotli_total = total(App::Webmail, |f| f.brotli);
    let portal_brotli_total = total(App::Portal, |f| f.brotli);
    println!(
        "  webmail {raw_total} bytes raw, {brotli_total} bytes brotli -q 11; portal's own {portal_brotli_total} bytes brotli"
    );
    Ok(FrontendFigures {
        files,
        raw_total,
        brotli_total,
        portal_brotli_total,
    })
}

/// The files `portal.html` loads and `index.html` does not (the portal's
/// wasm and glue), as paths relative to `dist/`.
fn portal_files(dist: &Path) -> Result<BTreeSet<String>> {
    let read = |name: &str| {
        std::fs::read_to_string(dist.join(name)).map_err(|e| {
            format!(
                "{}: {e} (built by `cargo xtask build frontend`?)",
                dist.join(name).display()
            )
        })
    };
    let webmail = local_refs(&read("index.html")?);
    Ok(local_refs(&read("portal.html")?)
        .difference(&webmail)
        .cloned()
        .collect())
}

/// Every same-site path an HTML file names in an attribute (`href`, `src`,
/// `data-js`, `data-wasm`), without its leading `/`.
fn local_refs(html: &str) -> BTreeSet<String> {
    html.split("=\"/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|p| !p.is_empty() && !p.starts_with('/'))
        .map(str::to_owned)
        .collect()
}

/// Every `.wasm`, `.js` and `.css` under `dist/` with its brotli -q 11 size
/// and its app.
fn frontend_files(dist: &Path, portal_own: &BTreeSet<String>) -> Result<Vec<ShippedFile>> {
    let mut paths = Vec::new();
    let mut dirs = vec![dist.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for e in entries {
            let p = e?.path();
            // Hidden entries (Trunk's `.stage/` while it builds) are not shipped.
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            if p.is_dir() {
                dirs.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("wasm" | "js" | "css")
            ) {
                paths.push(p);
            }
        }
    }
    paths.sort();
    if !paths
        .iter()
        .any(|p| p.extension().is_some_and(|x| x == "wasm"))
    {
        return Err(format!("no .wasm in {}: is the frontend built?", dist.display()).into());
    }
    let mut files = Vec::new();
    for p in paths {
        let raw = std::fs::metadata(&p)?.len();
        let out = Command::new("brotli")
            .args(["-c", "-q", "11"])
            .arg(&p)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run brotli (Debian package `brotli`): {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "brotli {} failed: {}",
                p.display(),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let name = p.strip_prefix(dist).unwrap_or(&p).display().to_string();
        let app = if portal_own.contains(&name) {
            App::Portal
        } else {
            App::Webmail
        };
        files.push(ShippedFile {
            name,
            app,
            raw,
            brotli: out.stdout.len() as u64,
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_owns_what_only_its_html_names() {
        let index = r#"<link rel="manifest" href="/manifest.webmanifest" />
            <link rel="stylesheet" href="/app-1.css" integrity="sha384-x"/>
            <script type="module" src="/boot.js" data-js="/postern-frontend-2.js" data-wasm="/postern-frontend-2_bg.wasm"></script>
            <a href="//elsewhere.example/x.js">"#;
        let portal = r#"<link rel="manifest" href="/manifest.webmanifest" />
            <link rel="stylesheet" href="/app-1.css"/>
            <script type="module" src="/boot.js" data-js="/postern-portal-3.js" data-wasm="/postern-portal-3_bg.wasm"></script>
            <link rel="modulepreload" href="/postern-portal-3.js">"#;
        let webmail = local_refs(index);
        assert!(webmail.contains("postern-frontend-2_bg.wasm"));
        assert!(!webmail.iter().any(|r| r.contains("elsewhere")));
        let own: Vec<String> = local_refs(portal).difference(&webmail).cloned().collect();
        assert_eq!(own, ["postern-portal-3.js", "postern-portal-3_bg.wasm"]);
    }
}
