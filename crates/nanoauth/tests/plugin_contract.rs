//! One class of plugin: the built-in plugins (`src/plugins/`) use only the
//! core's public API, the contract a plugin outside this crate gets.
//!
//! The compiler cannot check this inside one crate, so this test reads the
//! sources: it lists every `pub(crate)` item declared outside `plugins/`
//! and fails when code under `plugins/` names one. A name that is also
//! declared `pub` somewhere is ambiguous to a text search and is skipped
//! (`new`, `get`, ...); the plugins' own `pub(crate)` items are theirs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const KINDS: [&str; 7] = ["fn", "struct", "enum", "const", "type", "trait", "static"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The names `visibility` declares in `text`, e.g. `pub(crate) fn name`.
fn declared(text: &str, visibility: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix(visibility) else {
            continue;
        };
        let mut words = rest
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|word| !word.is_empty());
        let (Some(mut kind), Some(mut name)) = (words.next(), words.next()) else {
            continue;
        };
        // `pub(crate) async fn x`, `pub(crate) const fn x`
        if matches!(kind, "async" | "unsafe") || (kind == "const" && name == "fn") {
            kind = name;
            match words.next() {
                Some(next) => name = next,
                None => continue,
            }
        }
        if KINDS.contains(&kind) {
            names.push(name.to_owned());
        }
    }
    names
}

/// `name` as a whole word in `line`.
fn names(line: &str, name: &str) -> bool {
    line.match_indices(name).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + name.len()..].chars().next();
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        boundary(before) && boundary(after)
    })
}

#[test]
fn built_in_plugins_use_only_public_api() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let plugins = src.join("plugins");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 20, "found the sources in {}", src.display());

    let mut crate_private = BTreeSet::new();
    let mut public = BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        public.extend(declared(&text, "pub "));
        if !file.starts_with(&plugins) {
            crate_private.extend(declared(&text, "pub(crate) "));
        }
    }
    let unambiguous: Vec<&String> = crate_private.difference(&public).collect();
    assert!(
        unambiguous
            .iter()
            .any(|name| name.as_str() == "SessionConfig"),
        "the scan sees the core's pub(crate) items: {unambiguous:?}"
    );

    let mut uses = Vec::new();
    for file in files.iter().filter(|file| file.starts_with(&plugins)) {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.trim_start().starts_with("#[") {
                continue; // attributes: `#[derive(..)]` is not `KeyRing::derive`
            }
            for name in &unambiguous {
                if names(code, name) {
                    let shown = file.strip_prefix(&src).unwrap_or(file);
                    uses.push(format!("{}:{}: {name}", shown.display(), number + 1));
                }
            }
        }
    }
    assert!(
        uses.is_empty(),
        "built-in plugins use crate-private items of the core (make them public API, \
         documented, or stop using them):\n{}",
        uses.join("\n")
    );
}
