//! The app files of `dist/` (mounted at `/dist`). Deep links get the HTML
//! of their app: `portal.html` for the portal's pages
//! (`postern_shared::wire::apps`), `index.html` (the webmail) for the rest;
//! path traversal is refused before the file system is touched.

use crate::http::{EdgeResponse, Method};
use postern_shared::ErrorCode;
use postern_shared::format::decode_component_bytes;
use postern_shared::wire::apps::{PORTAL_HTML, is_portal_path};
use std::path::{Path, PathBuf};

/// Files the browser must revalidate every time (they name the others).
const NO_CACHE_FILES: &[&str] = &[
    "index.html",
    PORTAL_HTML,
    "sw.js",
    "manifest.webmanifest",
    "manifest.json",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A safe relative path inside `dist/` (`/` → `index.html`).
    File(PathBuf),
    /// `..`, NUL, backslashes, hidden files, bad encoding.
    Refused,
}

/// Maps a raw (percent-encoded) URL path to a relative file path.
pub fn resolve(raw_path: &str) -> Lookup {
    let decoded = decode_component_bytes(raw_path);
    let Ok(decoded) = String::from_utf8(decoded) else {
        return Lookup::Refused;
    };
    if decoded.contains(['\0', '\\']) {
        return Lookup::Refused;
    }
    let mut rel = PathBuf::new();
    for seg in decoded.split('/') {
        match seg {
            "" => continue,
            "." | ".." => return Lookup::Refused,
            s if s.starts_with('.') => return Lookup::Refused,
            s if s.contains(':') || s.chars().any(char::is_control) => return Lookup::Refused,
            s => rel.push(s),
        }
    }
    if rel.as_os_str().is_empty() {
        rel.push("index.html");
    }
    Lookup::File(rel)
}

pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "map" => "application/json",
        _ => "application/octet-stream",
    }
}

/// Trunk names built assets `name-<hash>.ext`: those never change. The
/// hash is a u64 in hex without leading zeros, so usually 16 digits but
/// sometimes fewer (one build in 16 has 15); 12 keeps short names such as
/// `icon-192.png` out.
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem); // wasm-bindgen's module
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

pub fn cache_control(path: &Path) -> &'static str {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if NO_CACHE_FILES.contains(&name) || name.ends_with(".webmanifest") {
        "no-cache"
    } else if is_hashed(name) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    }
}

/// A path that names a file type (has an extension) should 404 when
/// missing rather than answer HTML in place of a script or image.
fn looks_like_asset(path: &Path) -> bool {
    path.extension().is_some()
}

/// The HTML of the app a deep link belongs to.
fn app_html(rel: &Path) -> &'static str {
    if rel.to_str().is_some_and(is_portal_path) {
        PORTAL_HTML
    } else {
        "index.html"
    }
}

/// Serves a file of `root` for GET/HEAD.
pub fn serve(root: &Path, method: &Method, raw_path: &str) -> EdgeResponse {
    let rel = match resolve(raw_path) {
        Lookup::File(rel) => rel,
        Lookup::Refused => return EdgeResponse::code(ErrorCode::BadRequest),
    };
    let (rel, bytes) = match read_file(root, &rel) {
        Some(bytes) => (rel, bytes),
        None if looks_like_asset(&rel) && rel != Path::new("index.html") => {
            return not_found();
        }
        None => {
            let html = PathBuf::from(app_html(&rel));
            match read_file(root, &html) {
                Some(bytes) => (html, bytes),
                None => return not_found(),
            }
        }
    };
    let mut r = EdgeResponse::new(200)
        .with_header("content-type", content_type(&rel))
        .with_header("cache-control", cache_control(&rel));
    // wasi-http checks Content-Length against the bytes written, so a HEAD
    // answer carries none.
    if *method != Method::Head {
        r.headers
            .push(("content-length".into(), bytes.len().to_string()));
        r.body = bytes;
    }
    r
}

fn not_found() -> EdgeResponse {
    let mut r = EdgeResponse::new(404)
        .with_header("content-type", "text/plain; charset=utf-8")
        .with_header("cache-control", "no-cache");
    r.body = b"Not found\n".to_vec();
    r
}

fn read_file(root: &Path, rel: &Path) -> Option<Vec<u8>> {
    let full = root.join(rel);
    let meta = std::fs::metadata(&full).ok()?;
    if !meta.is_file() {
        return None;
    }
    std::fs::read(full).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::wire::apps::PORTAL_SECTIONS;

    /// A scratch `dist/`, written once per test process: tests run in
    /// parallel, and rewriting files while another test reads them races.
    fn dist() -> PathBuf {
        static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
        DIR.get_or_init(|| {
            let dir =
                std::env::temp_dir().join(format!("postern-edge-dist-{}", std::process::id()));
            std::fs::create_dir_all(dir.join("assets")).unwrap();
            std::fs::write(dir.join("index.html"), "<!doctype html>app").unwrap();
            std::fs::write(dir.join("portal.html"), "<!doctype html>portal").unwrap();
            std::fs::write(dir.join("sw.js"), "self").unwrap();
            std::fs::write(
                dir.join("postern-frontend-0123456789abcdef_bg.wasm"),
                "\0asm",
            )
            .unwrap();
            std::fs::write(dir.join("manifest.webmanifest"), "{}").unwrap();
            std::fs::write(dir.join("assets/icon.png"), "png").unwrap();
            dir
        })
        .clone()
    }

    #[test]
    fn traversal_is_refused() {
        for p in [
            "/../../etc/passwd",
            "/assets/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/..%2fetc/passwd",
            "/assets/..%5c..%5cetc",
            "/.git/config",
            "/%00index.html",
            "/C:/Windows",
            "/%ff%fe",
        ] {
            assert_eq!(resolve(p), Lookup::Refused, "{p}");
            let r = serve(&dist(), &Method::Get, p);
            assert_eq!(r.status, 400, "{p}");
        }
    }

    #[test]
    fn resolves_normal_paths() {
        assert_eq!(resolve("/"), Lookup::File("index.html".into()));
        assert_eq!(
            resolve("//assets//icon.png"),
            Lookup::File("assets/icon.png".into())
        );
        assert_eq!(resolve("/a%20b.png"), Lookup::File("a b.png".into()));
    }

    #[test]
    fn serves_files_with_types_and_caching() {
        let root = dist();
        let r = serve(&root, &Method::Get, "/");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"<!doctype html>app");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert!(
            r.header("content-security-policy")
                .unwrap()
                .contains("frame-ancestors 'none'")
        );

        let r = serve(
            &root,
            &Method::Get,
            "/postern-frontend-0123456789abcdef_bg.wasm",
        );
        assert_eq!(r.header("content-type"), Some("application/wasm"));
        assert_eq!(
            r.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );

        for (name, hashed) in [
            ("postern-portal-65046d088aaa5c3_bg.wasm", true),
            ("postern-portal-65046d088aaa5c3.js", true),
            ("app-c90ec927dd2d0841.css", true),
            ("icon-192.png", false),
            ("maskable-512.png", false),
            ("boot.js", false),
        ] {
            assert_eq!(is_hashed(name), hashed, "{name}");
        }

        let r = serve(&root, &Method::Get, "/sw.js");
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert_eq!(
            r.header("content-type"),
            Some("text/javascript; charset=utf-8")
        );

        let r = serve(&root, &Method::Get, "/manifest.webmanifest");
        assert_eq!(r.header("content-type"), Some("application/manifest+json"));
        assert_eq!(r.header("cache-control"), Some("no-cache"));

        let r = serve(&root, &Method::Head, "/assets/icon.png");
        assert_eq!(r.status, 200);
        assert!(r.body.is_empty());
        assert_eq!(r.header("content-type"), Some("image/png"));
        let r = serve(&root, &Method::Get, "/assets/icon.png");
        assert_eq!(r.header("content-length"), Some("3"));
    }

    #[test]
    fn deep_links_get_index_and_missing_assets_404() {
        let root = dist();
        let r = serve(&root, &Method::Get, "/mail/42/inbox");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"<!doctype html>app");
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert_eq!(serve(&root, &Method::Get, "/missing.js").status, 404);
        assert_eq!(serve(&root, &Method::Get, "/assets").status, 200); // a directory: deep link
    }

    #[test]
    fn portal_pages_get_the_portal_and_the_rest_the_webmail() {
        let root = dist();
        for p in [
            "/transfer",
            "/transfer/",
            "/settings/42/signature",
            "/admin/acme",
            "/invite/0123abcd",
            "/account/security",
            "/%74ransfer",
        ] {
            let r = serve(&root, &Method::Get, p);
            assert_eq!(r.status, 200, "{p}");
            assert_eq!(r.body, b"<!doctype html>portal", "{p}");
            assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
            assert_eq!(r.header("cache-control"), Some("no-cache"), "{p}");
            // The same app CSP as the webmail's (no inline script).
            assert!(
                r.header("content-security-policy")
                    .is_some_and(|c| c.contains("script-src 'self' 'wasm-unsafe-eval';")),
                "{p}"
            );
        }
        for p in [
            "/",
            "/login",
            "/mail/1/INBOX",
            "/transfers",
            "/mail/1/transfer",
        ] {
            let r = serve(&root, &Method::Get, p);
            assert_eq!(r.body, b"<!doctype html>app", "{p}");
        }
        // The file itself, and a missing asset under a portal prefix.
        let r = serve(&root, &Method::Get, "/portal.html");
        assert_eq!(r.body, b"<!doctype html>portal");
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert_eq!(
            serve(&root, &Method::Get, "/transfer/missing.js").status,
            404
        );
    }

    /// The service worker picks the HTML of offline navigations with the
    /// same list (it cannot import the Rust one).
    #[test]
    fn the_service_worker_knows_the_portal_sections() {
        let sw = include_str!("../../public/sw.js");
        let list = PORTAL_SECTIONS
            .iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(
            sw.contains(&format!("const PORTAL_SECTIONS = [{list}];")),
            "public/sw.js must declare const PORTAL_SECTIONS = [{list}];"
        );
        assert!(sw.contains(&format!("\"/{PORTAL_HTML}\"")));
    }
}
