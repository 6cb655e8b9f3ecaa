//! One class of plugin: the built-in plugins (`src/plugins/`) use only the
//! core's public API, the contract a plugin outside this crate gets.
//!
//! The compiler cannot check this inside one crate, so these tests read the
//! sources:
//! - every `pub(crate)` item declared outside `plugins/` is listed, and code
//!   under `plugins/` must not name one (a name also declared `pub`
//!   somewhere is ambiguous to a text search and is skipped: `new`, `get`;
//!   the plugins' own `pub(crate)` items are theirs);
//! - `plugins/` never reaches into a private module of the crate
//!   (`crate::session::X`): it imports from the crate root (`crate::X`),
//!   as an outside plugin does (`nanoauth::X`); a `pub` item of a private
//!   module is not public API.

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

/// `line` without the text of its string literals: a route such as
/// `"/update-user"` names no item.
fn without_strings(line: &str) -> String {
    let mut kept = String::with_capacity(line.len());
    let (mut quoted, mut escaped) = (false, false);
    for c in line.chars() {
        match (quoted, escaped, c) {
            (true, false, '\\') => escaped = true,
            (true, true, _) => escaped = false,
            (_, false, '"') => {
                quoted = !quoted;
                kept.push(c);
            }
            (false, _, _) => kept.push(c),
            (true, false, _) => {}
        }
    }
    kept
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
            let code = without_strings(line.split("//").next().unwrap_or_default());
            if code.trim_start().starts_with("#[") {
                continue; // attributes: `#[derive(..)]` is not `KeyRing::derive`
            }
            let code = code.as_str();
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

/// The modules `lib.rs` declares without `pub`.
fn private_modules(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|line| line.trim().strip_prefix("mod "))
        .map(|rest| rest.trim_end_matches(';').trim().to_owned())
        .collect()
}

#[test]
fn built_in_plugins_import_from_the_crate_root() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let modules = private_modules(&lib);
    assert!(
        modules.iter().any(|name| name == "session"),
        "lib.rs parsed: {modules:?}"
    );
    let mut files = Vec::new();
    sources(&src.join("plugins"), &mut files);
    let mut private = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for module in &modules {
                if code.contains(&format!("crate::{module}::")) {
                    let shown = file.strip_prefix(&src).unwrap_or(file);
                    private.push(format!(
                        "{}:{}: crate::{module}::",
                        shown.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(
        private.is_empty(),
        "built-in plugins reach into private modules of the core; import from the crate \
         root (`crate::Name`), where an outside plugin finds the same item:\n{}",
        private.join("\n")
    );
}

/// Arrows point from the plugins to the core, never back: no file of the
/// core outside `plugins/` names `crate::plugins`.
#[test]
fn the_core_does_not_depend_on_the_built_in_plugins() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let plugins = src.join("plugins");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let arrows: Vec<String> = files
        .iter()
        .filter(|file| !file.starts_with(&plugins) && !file.ends_with("plugins.rs"))
        .flat_map(|file| {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let shown = file
                .strip_prefix(&src)
                .unwrap_or(file)
                .display()
                .to_string();
            text.lines()
                .enumerate()
                .filter(|(_, line)| {
                    let code = line.split("//").next().unwrap_or_default();
                    code.contains("crate::plugins")
                })
                .map(|(number, _)| format!("{shown}:{}", number + 1))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        arrows.is_empty(),
        "the core uses a built-in plugin: {arrows:?}"
    );
}
