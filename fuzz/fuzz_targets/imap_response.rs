//! Arbitrary bytes as an untagged IMAP response from the server: the
//! gateway tokenizes it and reads whatever it expects from it (LIST,
//! STATUS, FETCH with BODYSTRUCTURE, SORT/SEARCH numbers, ESEARCH sets,
//! response codes). A confused or hostile server must get an error, never
//! a panic, a hang or an unbounded allocation.

#![no_main]

use libfuzzer_sys::fuzz_target;
use postern_gateway::imap::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(values) = parse::tokenize(data) else {
        return;
    };
    let rest = values.get(1..).unwrap_or(&[]);
    let _ = parse::parse_list(rest);
    let _ = parse::parse_status(rest);
    let _ = parse::parse_numbers(rest);
    let _ = parse::esearch_all(rest);
    if let Some(items) = parse::parse_fetch(values.get(2..).unwrap_or(&[])) {
        let _ = items.flags();
        if let Some(body) = items.get("BODYSTRUCTURE") {
            let _ = parse::has_attachments(body);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse::response_code(text);
    }
});
