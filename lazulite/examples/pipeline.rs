//! A fused pipeline from Rust: normalise a signal, clip it, sum it.
//!
//!     z = clip((x - mean(x)) / std(x), -2, 2);  total = sum(z)
//!
//! Run with `cargo run --release -p lazulite --example pipeline [n]` (`make test` runs it through
//! `lazulite/tests/examples.rs`). It prints the plan (`explain`), checks the result against a plain
//! Rust loop, and shows that building the same pipeline again on new data reuses the cached plan.

use lazulite::{self as lz, All, LazyArray};
use std::time::Instant;

/// The lazy pipeline: nothing runs here, only dtypes and shapes are checked.
fn pipeline(x: &LazyArray) -> lz::Result<LazyArray> {
    let centered = (x - x.mean(All, true)?)?;
    let z = (&centered / centered.square()?.mean(All, true)?.sqrt()?)?;
    z.clip(-2.0, 2.0)?.sum(All, false)
}

/// The same computation as a plain loop (the oracle).
fn reference(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    let std = var.sqrt();
    x.iter().map(|v| ((v - mean) / std).clamp(-2.0, 2.0)).sum()
}

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1 << 20);
    // a deterministic, skewed signal
    let host: Vec<f64> = (0..n)
        .map(|i| {
            let t = i as f64 * 0.001;
            (t * 3.0).sin() * 2.0 + (t * 0.1).cos() + ((i * 7919) % 1000) as f64 * 0.004
        })
        .collect();

    let t0 = Instant::now();
    let x = lz::from_slice(&host, &[n])?;
    let total = pipeline(&x)?;
    let build = t0.elapsed();

    println!("plan:\n{}", lz::explain(&[&total])?);

    let t1 = Instant::now();
    let got: f64 = total.item()?;
    let first = t1.elapsed();

    // the same structure again on new data reuses the cached plan and kernels
    let x2 = lz::from_vec(host.clone(), &[n])?; // no copy
    let total2 = pipeline(&x2)?;
    let t2 = Instant::now();
    let got2: f64 = total2.item()?;
    let second = t2.elapsed();

    let t3 = Instant::now();
    let want = reference(&host);
    let plain = t3.elapsed();

    println!("n = {n}");
    println!("lazulite: {got:.9}  (again: {got2:.9})");
    println!("plain   : {want:.9}");
    println!(
        "build {:.3} ms, first compute {:.3} ms, second compute {:.3} ms, plain loop {:.3} ms",
        build.as_secs_f64() * 1e3,
        first.as_secs_f64() * 1e3,
        second.as_secs_f64() * 1e3,
        plain.as_secs_f64() * 1e3
    );
    let tol = 1e-9 * (n as f64).max(1.0);
    if (got - want).abs() > tol || (got2 - want).abs() > tol {
        return Err(format!("mismatch: |{got} - {want}| > {tol}").into());
    }
    println!("ok: results agree within {tol:e}");
    Ok(())
}
