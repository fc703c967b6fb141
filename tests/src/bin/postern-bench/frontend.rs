//! Figure 4: what the browser downloads — `.wasm`, `.js`, `.css` of
//! `dist/`, raw and brotli-compressed.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::Result;

pub struct ShippedFile {
    pub name: String,
    pub raw: u64,
    pub brotli: u64,
}

pub struct FrontendFigures {
    pub files: Vec<ShippedFile>,
    pub raw_total: u64,
    pub brotli_total: u64,
}

pub fn measure(dist: &Path) -> Result<FrontendFigures> {
    println!("→ frontend: .wasm/.js/.css of {}", dist.display());
    let files = frontend_files(dist)?;
    let raw_total: u64 = files.iter().map(|f| f.raw).sum();
    let brotli_total: u64 = files.iter().map(|f| f.brotli).sum();
    println!("  {raw_total} bytes raw, {brotli_total} bytes brotli -q 11");
    Ok(FrontendFigures {
        files,
        raw_total,
        brotli_total,
    })
}

/// Every `.wasm`, `.js` and `.css` under `dist/` with its brotli -q 11 size.
fn frontend_files(dist: &Path) -> Result<Vec<ShippedFile>> {
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
        files.push(ShippedFile {
            name: p.strip_prefix(dist).unwrap_or(&p).display().to_string(),
            raw,
            brotli: out.stdout.len() as u64,
        });
    }
    Ok(files)
}
