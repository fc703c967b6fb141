//! Which of the two browser apps a page belongs to. The webmail
//! (`index.html`) is what loads on `/mail/…`; the portal (`portal.html`,
//! its own wasm) holds the pages the inbox does not need, so their code is
//! not in the webmail's download. The edge serves the portal's HTML for
//! these paths, the service worker does the same offline (`public/sw.js`
//! repeats the list; a test of the edge keeps them equal), and the apps
//! navigate between each other with full page loads.

/// First path segments of the portal's pages.
pub const PORTAL_SECTIONS: &[&str] = &[
    "transfer",
    "settings",
    "admin",
    "invite",
    "device-setup",
    "account",
    "privacy",
];

/// The HTML of the portal, beside `index.html` in `dist/`.
pub const PORTAL_HTML: &str = "portal.html";

/// Whether `path` (an URL path, query and fragment allowed) is a page of
/// the portal rather than of the webmail.
pub fn is_portal_path(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    PORTAL_SECTIONS.contains(&first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_pages_are_told_by_their_first_segment() {
        for p in [
            "/transfer",
            "/transfer/",
            "/transfer?x=1",
            "/settings/42/signature",
            "/admin/acme/members",
            "/invite/abc#top",
            "/device-setup/abc",
            "/account/security",
            "/privacy",
            "transfer",
        ] {
            assert!(is_portal_path(p), "{p}");
        }
        for p in [
            "/",
            "",
            "/login?next=%2Ftransfer",
            "/mail/1/INBOX",
            "/mail/1/transfer",
            "/transfers",
            "/transfer.png",
            "/api/transfers",
            "/t/token",
        ] {
            assert!(!is_portal_path(p), "{p}");
        }
    }
}
