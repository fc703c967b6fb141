//! Tidy checks (rust-analyzer style): tests that keep the map true. They
//! read the repository's files and fail when ARCHITECTURE.md's tables drift
//! from the code, or when a header name of the wire contract is written
//! outside `shared` (the contract's one place).

#[cfg(test)]
mod tests {
    use crate::ports::RunKind;
    use crate::util::repo_root;
    use std::collections::BTreeSet;
    use std::process::Command;

    fn architecture() -> String {
        std::fs::read_to_string(repo_root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md")
    }

    /// The rows of the Markdown table whose header row starts with `head`.
    fn table_rows<'a>(doc: &'a str, head: &str) -> Vec<Vec<&'a str>> {
        let mut lines = doc.lines().skip_while(|l| !l.starts_with(head));
        assert!(lines.next().is_some(), "no table headed {head:?}");
        lines
            .skip(1) // |---|---|
            .take_while(|l| l.starts_with('|'))
            .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
            .collect()
    }

    fn numbers(cell: &str) -> BTreeSet<u16> {
        cell.split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect()
    }

    #[test]
    fn the_port_table_is_the_code_s() {
        let doc = architecture();
        // One column per run kind, in RunKind::ALL's order.
        let head: String = RunKind::ALL.iter().fold("| service |".to_string(), |h, k| {
            format!("{h} {} |", k.name())
        });
        let rows = table_rows(&doc, &head);
        for (i, kind) in RunKind::ALL.iter().enumerate() {
            let col = i + 1;
            let documented: BTreeSet<u16> = rows.iter().flat_map(|r| numbers(r[col])).collect();
            let code: BTreeSet<u16> = kind.base_ports().all().iter().map(|(_, p)| *p).collect();
            assert_eq!(
                documented,
                code,
                "ARCHITECTURE.md's port table (column {}) and xtask's ports differ",
                kind.name()
            );
        }
    }

    #[test]
    fn the_crate_table_lists_every_workspace_member() {
        let doc = architecture();
        let rows = table_rows(&doc, "| path | crate | what it is |");
        let listed: BTreeSet<String> = rows
            .iter()
            .map(|r| r[0].trim_matches('`').trim_end_matches('/').to_string())
            .collect();
        let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
        let members = manifest
            .lines()
            .find(|l| l.starts_with("members"))
            .expect("workspace members");
        for m in members.split('"').skip(1).step_by(2) {
            assert!(
                listed.contains(m),
                "ARCHITECTURE.md's crate table lacks {m}/"
            );
        }
    }

    /// Tracked source files (what a clone has), relative to the root.
    fn sources() -> Vec<String> {
        let out = Command::new("git")
            .args(["ls-files", "*.rs", "*.ts", "*.js", "*.mjs"])
            .current_dir(repo_root())
            .output()
            .expect("git ls-files");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn x_postern_header_names_are_written_only_in_shared() {
        let mut offenders = Vec::new();
        for file in sources().iter().filter(|f| !f.starts_with("shared/")) {
            let Ok(text) = std::fs::read_to_string(repo_root().join(file)) else {
                continue; // deleted in the work tree
            };
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                let lower = code.to_ascii_lowercase();
                // A string literal (Rust or JS quotes) that names one. (The
                // needle is built so this file does not match itself.)
                let name = concat!("x-", "postern-");
                if ['"', '\'', '`']
                    .iter()
                    .any(|q| lower.contains(&format!("{q}{name}")))
                {
                    offenders.push(format!("{file}:{}: {}", n + 1, line.trim()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "use postern_shared::wire::headers instead:\n{}",
            offenders.join("\n")
        );
    }
}
