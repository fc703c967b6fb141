//! The UI's translations as the apps ship them (ARCHITECTURE.md, "The
//! browser apps", "Translations"). Shared, by `#[path]`, by the frontend's
//! `build.rs` (the `i18n` tables compiled in: English, the key indices, the
//! names of the fetched files) and by xtask (which writes those files for
//! `dist/locales/`), so both derive the same order and names from the same
//! sources: `frontend/locales/<code>.json` and the keys `src/` names.
//!
//! English is compiled into both apps. Every other locale is fetched: a JSON
//! array of its strings in key order, in two parts — the keys the webmail's
//! code names (`webmail`), then the portal's own (`portal`) — so the inbox's
//! download does not grow with languages, and a Spanish user of the webmail
//! fetches only the webmail's part. Each file's name carries a hash of its
//! content: a wasm only ever asks for the strings of its own build.

use std::collections::BTreeMap;
use std::path::Path;

/// The default locale, compiled in, the fallback of any failed fetch.
pub const DEFAULT: &str = "en";

/// The source files only the portal links (`src/portal.rs` and the pages of
/// `postern_shared::wire::apps`): the keys they alone name are the portal's
/// part. A key also named elsewhere is the webmail's.
const PORTAL_ONLY: &[&str] = &[
    "src/portal.rs",
    "src/bin/",
    "src/pages/settings/",
    "src/pages/admin/",
    "src/pages/account.rs",
    "src/pages/account_support.rs",
    "src/pages/staff/",
    "src/pages/invite.rs",
    "src/pages/device_setup.rs",
    "src/pages/transfer.rs",
    "src/pages/privacy.rs",
    "src/pages/logs.rs",
    "src/components/portal_error_text.rs",
    "src/components/rule_conditions.rs",
    "src/components/sender_lists.rs",
    "src/components/template_picker.rs",
];

/// The locale files, read and ordered.
pub struct Locales {
    /// `en` first, then the others sorted.
    pub codes: Vec<String>,
    /// Every key of `en.json`: the webmail's part first, then the portal's.
    pub keys: Vec<String>,
    /// How many of `keys` are the webmail's part.
    pub webmail_keys: usize,
    /// Each locale's strings by key.
    pub strings: BTreeMap<String, BTreeMap<String, String>>,
}

/// One fetched file: `locales/<name>` in `dist/`; [`Locales::files`] gives
/// each locale's webmail part, then its portal part.
pub struct LocaleFile {
    pub name: String,
    pub json: String,
}

/// Reads `frontend/locales/*.json` and orders the keys by what `frontend/src`
/// names (`frontend` is the crate's directory).
pub fn load(frontend: &Path) -> Result<Locales, String> {
    let dir = frontend.join("locales");
    let mut strings = BTreeMap::new();
    for e in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = e.map_err(|e| e.to_string())?.path();
        let Some(code) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let map: BTreeMap<String, String> =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        strings.insert(code.to_owned(), map);
    }
    if !strings.contains_key(DEFAULT) {
        return Err("no locales/en.json".into());
    }
    let mut codes: Vec<String> = strings.keys().filter(|c| *c != DEFAULT).cloned().collect();
    codes.insert(0, DEFAULT.to_owned());
    let used = keys_named(&frontend.join("src"), frontend)?;
    // en.json's own order within each part keeps the indices stable when a
    // key is added at the end.
    let en_order = en_key_order(&dir.join("en.json"))?;
    let (webmail, portal): (Vec<String>, Vec<String>) = en_order
        .into_iter()
        .partition(|k| used.get(k).copied().unwrap_or(false));
    let webmail_keys = webmail.len();
    let mut keys = webmail;
    keys.extend(portal);
    Ok(Locales {
        codes,
        keys,
        webmail_keys,
        strings,
    })
}

/// The keys of `en.json` in the file's order.
fn en_key_order(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut keys = Vec::new();
    // One `"key": "value"` per line (the files' layout, checked by the
    // completeness test's parse).
    for line in text.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix('"')
            && let Some(end) = rest.find("\":")
        {
            keys.push(rest[..end].to_owned());
        }
    }
    Ok(keys)
}

/// Every key a `t!`/`t_string!` of `src` names, `true` when a file outside
/// [`PORTAL_ONLY`] names it.
pub fn keys_named(src: &Path, crate_dir: &Path) -> Result<BTreeMap<String, bool>, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let p = e.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p
                .strip_prefix(crate_dir)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            let webmail = !PORTAL_ONLY.iter().any(|prefix| rel.starts_with(prefix));
            let text = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
            for key in macro_keys(&text) {
                let w = out.entry(key).or_insert(false);
                *w |= webmail;
            }
        }
    }
    Ok(out)
}

/// The key of each `t!(ctx, key …)` and `t_string!(ctx, key …)` in `text`.
pub fn macro_keys(text: &str) -> Vec<String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut keys = Vec::new();
    for name in ["t!(", "t_string!("] {
        let mut from = 0;
        while let Some(i) = text[from..].find(name) {
            let at = from + i;
            from = at + name.len();
            if text[..at].chars().next_back().is_some_and(ident) {
                continue; // `assert!(`, `td_string!(`…
            }
            let rest = text[from..].trim_start();
            let Some(rest) = rest
                .trim_start_matches(ident)
                .trim_start()
                .strip_prefix(',')
            else {
                continue;
            };
            let key: String = rest
                .trim_start()
                .chars()
                .take_while(|c| ident(*c))
                .collect();
            if !key.is_empty() {
                keys.push(key);
            }
        }
    }
    keys
}

impl Locales {
    /// The string of `key` in `code`, English when the locale lacks it (the
    /// completeness test refuses that).
    pub fn get(&self, code: &str, key: &str) -> &str {
        self.strings
            .get(code)
            .and_then(|m| m.get(key))
            .or_else(|| self.strings[DEFAULT].get(key))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The fetched files: each locale but English, in two parts.
    pub fn files(&self) -> Vec<LocaleFile> {
        let mut out = Vec::new();
        for code in self.codes.iter().filter(|c| *c != DEFAULT) {
            for (part, range) in [
                (0, 0..self.webmail_keys),
                (1, self.webmail_keys..self.keys.len()),
            ] {
                let strings: Vec<&str> =
                    self.keys[range].iter().map(|k| self.get(code, k)).collect();
                let json = serde_json::to_string(&strings).expect("strings as JSON");
                let kind = if part == 0 { "" } else { "-portal" };
                let name = format!("{code}{kind}-{:016x}.json", fnv1a(json.as_bytes()));
                out.push(LocaleFile { name, json });
            }
        }
        out
    }
}

/// FNV-1a, 64 bits: a content hash for file names (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
