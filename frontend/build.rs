//! Generates the `i18n` tables (`src/i18n.rs` includes them) from
//! `locales/*.json` and the keys `src/` names (`build/locales.rs`).
//!
//! Every `locales/<code>.json` file becomes a locale: adding one is adding
//! its file with the same keys as `en.json` (the completeness test in
//! `cargo test -p xtask` refuses a missing key or a string left in English).
//! `en` is the default and the fallback. English is compiled in, a `const`
//! string per key, so a binary links only the strings its reachable code
//! names; the other locales are fetched files (xtask writes them into
//! `dist/locales/`), named here by the hash of their content.

#[path = "build/locales.rs"]
mod locales;

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build/locales.rs");
    println!("cargo::rerun-if-changed=locales");
    // The split of the keys follows which files name them.
    println!("cargo::rerun-if-changed=src");
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let l = locales::load(&dir).expect("frontend/locales");
    let files = l.files();
    let mut out = String::new();
    let q = |s: &str| format!("{s:?}");
    out.push_str(
        "/// A UI language: one per `locales/<code>.json`.\n\
         #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]\n\
         #[allow(non_camel_case_types)]\npub enum Locale {\n",
    );
    for (i, c) in l.codes.iter().enumerate() {
        if i == 0 {
            out.push_str("    #[default]\n");
        }
        writeln!(out, "    {c},").unwrap();
    }
    out.push_str("}\n\n/// Every locale, the default first.\npub const LOCALES: &[Locale] = &[");
    for c in &l.codes {
        write!(out, "Locale::{c}, ").unwrap();
    }
    out.push_str("];\nconst CODES: &[&str] = &[");
    for c in &l.codes {
        write!(out, "{}, ", q(c)).unwrap();
    }
    out.push_str("];\n/// Each locale's name in itself (the language menu).\nconst NATIVE_NAMES: &[&str] = &[");
    for c in &l.codes {
        write!(out, "{}, ", q(l.get(c, "lang_name"))).unwrap();
    }
    out.push_str(
        "];\n/// Each locale's fetched files under `/locales/`: the webmail's part, the\n\
         /// portal's (none for the default, compiled in).\nconst FILES: &[[&str; 2]] = &[[\"\", \"\"], ",
    );
    for pair in files.chunks(2) {
        write!(out, "[{}, {}], ", q(&pair[0].name), q(&pair[1].name)).unwrap();
    }
    writeln!(
        out,
        "];\n/// How many keys the webmail's part holds.\npub const WEBMAIL_KEYS: usize = {};",
        l.webmail_keys
    )
    .unwrap();
    out.push_str(
        "/// The content of `FILES`, for the component tests only (no app names it,\n\
         /// so no app links it).\n#[doc(hidden)]\npub const BUNDLED: &[[&str; 2]] = &[[\"\", \"\"], ",
    );
    for pair in files.chunks(2) {
        write!(out, "[{}, {}], ", q(&pair[0].json), q(&pair[1].json)).unwrap();
    }
    out.push_str("];\n\n/// Each key's index in a fetched table.\n#[allow(non_upper_case_globals, dead_code)]\npub mod keys {\n");
    for (i, k) in l.keys.iter().enumerate() {
        writeln!(out, "    pub const {k}: usize = {i};").unwrap();
    }
    out.push_str("}\n\n/// The English strings.\n#[allow(non_upper_case_globals, dead_code)]\npub mod en {\n");
    for k in &l.keys {
        writeln!(out, "    pub const {k}: &str = {};", q(l.get("en", k))).unwrap();
    }
    out.push_str("}\n");
    let path = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("i18n_tables.rs");
    std::fs::write(path, out).expect("write i18n_tables.rs");
}
