//! The layering of the workspace (docs/ARCHITECTURE.md): `ir` depends on no workspace crate; `passes`
//! and `codegen/*` only on `ir`; only `runtime` depends on codegen; only `python` uses pyo3.
//! Read from each crate's manifest (its `[dependencies]` table; dev-dependencies are free).

use std::collections::BTreeSet;
use std::path::Path;

fn normal_dependencies(crate_dir: &str) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let text = std::fs::read_to_string(root.join(crate_dir).join("Cargo.toml")).expect("manifest");
    let mut deps = BTreeSet::new();
    let mut in_deps = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && !line.is_empty() && !line.starts_with('#') {
            if let Some((key, _)) = line.split_once('=') {
                // `name = ...` or `name.workspace = true`
                let name = key.trim().split('.').next().unwrap_or_default();
                deps.insert(name.trim_matches('"').to_string());
            }
        }
    }
    deps
}

fn workspace_deps(crate_dir: &str) -> BTreeSet<String> {
    normal_dependencies(crate_dir)
        .into_iter()
        .filter(|d| d.starts_with("lazulite-"))
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn ir_depends_on_no_workspace_crate() {
    assert_eq!(workspace_deps("ir"), set(&[]));
}

#[test]
fn passes_and_codegen_depend_only_on_ir() {
    assert_eq!(workspace_deps("passes"), set(&["lazulite-ir"]));
    assert_eq!(workspace_deps("codegen/cpu"), set(&["lazulite-ir"]));
    // the CUDA code generator is pure Rust on `ir` alone: no NVRTC, no driver, no other crate
    assert_eq!(normal_dependencies("codegen/cuda"), set(&["lazulite-ir"]));
}

#[test]
fn only_runtime_depends_on_codegen() {
    for dir in ["ir", "passes", "frontend", "python"] {
        let deps = workspace_deps(dir);
        assert!(
            !deps.iter().any(|d| d.starts_with("lazulite-codegen")),
            "{dir} depends on codegen: {deps:?}"
        );
    }
    assert!(workspace_deps("runtime").contains("lazulite-codegen-cpu"));
}

#[test]
fn frontend_sits_on_runtime_and_ir_only() {
    assert_eq!(
        workspace_deps("frontend"),
        set(&["lazulite-ir", "lazulite-runtime"])
    );
}

#[test]
fn python_binds_the_frontend_only() {
    assert_eq!(
        workspace_deps("python"),
        set(&["lazulite-frontend", "lazulite-ir"])
    );
}

#[test]
fn only_python_uses_pyo3() {
    for dir in [
        "ir",
        "passes",
        "codegen/cpu",
        "codegen/cuda",
        "runtime",
        "frontend",
    ] {
        let deps = normal_dependencies(dir);
        assert!(
            !deps.contains("pyo3") && !deps.contains("numpy"),
            "{dir} uses pyo3: {deps:?}"
        );
    }
    assert!(normal_dependencies("python").contains("pyo3"));
}

#[test]
fn third_party_versions_are_pinned_in_the_workspace() {
    for dir in [
        "ir",
        "passes",
        "codegen/cpu",
        "codegen/cuda",
        "runtime",
        "frontend",
        "python",
        "tests",
    ] {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let text = std::fs::read_to_string(root.join(dir).join("Cargo.toml")).unwrap();
        let mut section = String::new();
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line.to_string();
                continue;
            }
            if section.contains("dependencies") && line.contains('=') && !line.starts_with('#') {
                assert!(
                    line.contains("workspace = true") || line.ends_with(".workspace = true"),
                    "{dir}: `{line}` must use {{ workspace = true }}"
                );
            }
        }
    }
}
