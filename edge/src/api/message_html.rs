//! The document around a sanitised message body, shown in a sandboxed
//! iframe, and its own strict CSP.

use crate::http::EdgeResponse;

const MESSAGE_STYLE: &str = "html{color-scheme:light}body{margin:0;padding:12px 16px;\
font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;\
background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}\
table{max-width:100%}pre{white-space:pre-wrap}\
blockquote{margin:0 0 0 .6em;padding-left:.8em;border-left:3px solid #ccc}";

/// The CSP of `body.html`: nothing runs, nothing loads except inline
/// styles and `data:` images (plus remote images once allowed).
pub fn message_csp(allow_remote_images: bool) -> String {
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:{}; \
         frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
        if allow_remote_images {
            " http: https:"
        } else {
            ""
        }
    )
}

/// Wraps sanitised HTML in the document shown in the sandboxed iframe.
pub fn html_document(clean_html: &str, allow_remote_images: bool) -> EdgeResponse {
    let doc = format!(
        "<!doctype html><html><head><meta charset=utf-8><base target=_blank>\
         <meta name=referrer content=no-referrer><style>{MESSAGE_STYLE}</style></head>\
         <body>{clean_html}</body></html>"
    );
    let mut r = EdgeResponse::new(200)
        .with_header("content-type", "text/html; charset=utf-8")
        .with_header("cache-control", "private, no-store");
    r.set_header("content-security-policy", &message_csp(allow_remote_images));
    r.body = doc.into_bytes();
    r
}
