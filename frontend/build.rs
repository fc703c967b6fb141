//! Generates the `i18n` module from `locales/*.json`.
//!
//! Every `locales/<code>.json` file becomes a locale: adding French is
//! adding `locales/fr.json` with the same keys as `en.json`, nothing else.
//! `en` is the default and the fallback when the browser's languages match
//! none of the files. Both apps share the files: each key becomes a `const`
//! string per locale, so a binary links only the strings its reachable code
//! names (the webmail carries none of the portal's pages). A test
//! (`components/access_text.rs`) checks that every locale has the same keys.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=locales");
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("locales");
    let mut others: Vec<String> = std::fs::read_dir(&dir)
        .expect("frontend/locales")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".json").map(str::to_owned)
        })
        .filter(|l| l != "en")
        .collect();
    others.sort();
    let cfg = Config::new("en")
        .and_then(|c| c.add_locales(&others))
        .expect("locale names")
        // Lets `t_string!` interpolate (aria-labels, prompts).
        .parse_options(ParseOptions::new().interpolate_display(true));
    let infos = TranslationsInfos::parse(cfg).expect("parse locales");
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("i18n");
    infos
        .generate_i18n_module(out)
        .expect("generate i18n module");
}
