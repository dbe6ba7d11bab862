//! The core's layers, checked by reading its sources: a module imports only from its own
//! layer or below (ARCHITECTURE.md, "layers"). Bottom up: kernel, money, access, audit and
//! outbox, settings, catalog, sales and people, demo.

use std::path::{Path, PathBuf};

/// The layer of a top-level module, or of a name the crate root re-exports.
fn layer(name: &str) -> Option<u8> {
    Some(match name {
        "kernel" | "Kasir" | "Error" | "Result" | "Field" | "Rule" | "Entity" | "Expected"
        | "db" | "DB_FILE" | "Clock" | "FixedClock" | "SystemClock" => 0,
        "money" | "Money" => 1,
        "access" | "Actor" | "Role" | "Permission" => 2,
        "audit" | "outbox" | "notices" => 3,
        "settings" => 4,
        "catalog" => 5,
        "sales" | "people" | "sync" | "backup" | "reports" | "members" | "offers" | "printing" => 6,
        "demo" => 7,
        "bin" => 8,
        _ => return None,
    })
}

/// The one named exception: the error type names plain values from above it.
const EXCEPTIONS: [(&str, &str); 2] = [("kernel/error.rs", "money"), ("kernel/error.rs", "access")];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules and root names a source refers to through `crate::`.
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let list = &list[..list.find('}').unwrap_or(list.len())];
            for item in list.split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                let first = first.split_whitespace().next().unwrap_or("");
                if !first.is_empty() {
                    out.push(first.to_string());
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut checked = 0;
    let mut violations = Vec::new();
    for path in &all {
        let rel = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "lib.rs" {
            continue; // the root ties the layers together
        }
        let top = rel.split(['/', '.']).next().unwrap();
        let own = layer(top).unwrap_or_else(|| panic!("{rel}: module {top} has no layer"));
        let text = std::fs::read_to_string(path).unwrap();
        // Only the code: a test module may use anything.
        let code = text.split("#[cfg(test)]").next().unwrap();
        for name in references(code) {
            let Some(theirs) = layer(&name) else {
                panic!("{rel}: crate::{name} is neither a module nor a known re-export");
            };
            checked += 1;
            if theirs > own && !EXCEPTIONS.contains(&(rel.as_str(), name.as_str())) {
                violations.push(format!(
                    "{rel} (layer {own}) uses crate::{name} (layer {theirs})"
                ));
            }
        }
    }
    assert!(checked > 50, "the scan found the imports ({checked})");
    assert!(
        violations.is_empty(),
        "upward imports:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_scan_reads_brace_lists_and_paths() {
    assert_eq!(
        references("use crate::{Error, Money, audit};\nuse crate::catalog::Product;"),
        ["Error", "Money", "audit", "catalog"]
    );
}
