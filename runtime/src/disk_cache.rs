//! The on-disk cache of compiled CUDA kernels: NVRTC's output (a CUBIN for the device's architecture,
//! or PTX) per (source, NVRTC version, target, output kind), under the user's cache folder, so that a
//! second run of a program compiles nothing.
//!
//! Folder: `LAZULITE_CACHE_DIR` if set (empty: the cache is off), else `$XDG_CACHE_HOME/lazulite`, else
//! `~/.cache/lazulite`; files go to its `kernels/` subfolder. A file is named by a hash of its key and
//! holds a header (magic, the key's text, the image's length) then the image; a read checks the whole
//! key text, so a hash collision or a foreign file is a miss, never a wrong kernel. Writers write a
//! temporary file in the same folder and rename it into place (atomic on POSIX), so concurrent processes
//! never read a torn file; a failed write only costs the next run a compile.

use lazulite_ir::Result;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

const MAGIC: &[u8; 8] = b"LZKERN01";

static HITS: AtomicU64 = AtomicU64::new(0);
static COMPILES: AtomicU64 = AtomicU64::new(0);

/// `(hits, compiles)` of [`get_or_compile`] in this process.
pub fn counts() -> (u64, u64) {
    (
        HITS.load(Ordering::Relaxed),
        COMPILES.load(Ordering::Relaxed),
    )
}

/// The kernel cache folder, `None` when caching is off or no folder can be named.
pub fn dir() -> Option<PathBuf> {
    let base = match std::env::var_os("LAZULITE_CACHE_DIR") {
        Some(d) if d.is_empty() => return None,
        Some(d) => PathBuf::from(d),
        None => match std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
            Some(x) => PathBuf::from(x).join("lazulite"),
            None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/lazulite"),
        },
    };
    Some(base.join("kernels"))
}

/// FNV-1a, 64 bits: names files only (the key text inside the file decides a hit).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn read_hit(path: &std::path::Path, key: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(path).ok()?;
    let rest = bytes.strip_prefix(MAGIC)?;
    let klen = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?) as usize;
    let rest = rest.get(8..)?;
    if rest.get(..klen)? != key.as_bytes() {
        return None;
    }
    let rest = rest.get(klen..)?;
    let ilen = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?) as usize;
    let image = rest.get(8..)?;
    (image.len() == ilen).then(|| image.to_vec())
}

fn write_entry(path: &std::path::Path, key: &str, image: &[u8]) -> std::io::Result<()> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let r = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(MAGIC)?;
        f.write_all(&(key.len() as u64).to_le_bytes())?;
        f.write_all(key.as_bytes())?;
        f.write_all(&(image.len() as u64).to_le_bytes())?;
        f.write_all(image)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

/// The image for `key` from the cache, else `compile()`'s (then stored). `key` must hold everything the
/// image depends on (see [`kernel_key`]).
pub fn get_or_compile(key: &str, compile: impl FnOnce() -> Result<Vec<u8>>) -> Result<Vec<u8>> {
    let path = dir().map(|d| d.join(format!("{:016x}.bin", fnv1a(key.as_bytes()))));
    if let Some(p) = &path {
        if let Some(image) = read_hit(p, key) {
            HITS.fetch_add(1, Ordering::Relaxed);
            return Ok(image);
        }
    }
    let image = compile()?;
    COMPILES.fetch_add(1, Ordering::Relaxed);
    if let Some(p) = &path {
        // best effort: a read-only or full disk only means compiling again next time
        let _ = write_entry(p, key, &image);
    }
    Ok(image)
}

/// The key of an NVRTC compile: output kind, target, NVRTC version, options, then the source.
pub fn kernel_key(source: &str, target: &str, output: &str, nvrtc: (i32, i32)) -> String {
    format!(
        "{output} {target} nvrtc {}.{} {}\n{source}",
        nvrtc.0,
        nvrtc.1,
        lazulite_codegen_cuda::NVRTC_OPTIONS.join(" ")
    )
}
