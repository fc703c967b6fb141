//! Arbitrary bytes as a stored message: what the gateway does to every
//! message it shows (the MIME view) and to every body it renders (the
//! sanitiser). A finding goes to `fuzz/regressions/` and into a test
//! (`render/src/sanitize/tests.rs`). Neither may panic or hang, and the sanitised
//! body must pass the sanitiser's own invariants (`sanitize::harmless`:
//! the output parsed again as a browser would — only allowed elements, no
//! event handlers, no script URLs, …), and with remote images blocked no
//! image source may leave the message.

#![no_main]

use libfuzzer_sys::fuzz_target;
use postern_render::mime_view::{message_view, sanitized_body};
use postern_render::sanitize::harmless::{assert_harmless, assert_no_remote_images};

fuzz_target!(|data: &[u8]| {
    let _ = message_view(data, 1, "INBOX", "\\Seen");
    let blocked = sanitized_body(data, false);
    assert_harmless(&blocked.html);
    assert_no_remote_images(&blocked.html);
    assert_harmless(&sanitized_body(data, true).html);
});
