//! A fused pipeline from Rust: normalise a signal, clip it, sum it.
//!
//!     z = clip((x - mean(x)) / std(x), -2, 2);  total = sum(z)
//!
//! Run with `cargo run --release -p lazulite-frontend --example pipeline [n]`. It prints the plan
//! (`explain`), checks the result against a plain Rust loop and prints timings.

use lazulite_frontend::{self as lz, LazyArray, Operand, Scalar};
use std::time::Instant;

fn scalar(v: f64) -> Operand<'static> {
    Operand::Scalar(Scalar::Float(v))
}

/// The lazy pipeline: nothing runs here, only dtypes and shapes are checked.
fn pipeline(x: &LazyArray) -> lz::Result<LazyArray> {
    let mean = lz::mean(x, None, true)?;
    let centered = lz::subtract(x, &mean)?;
    let var = lz::mean(&lz::square(&centered)?, None, true)?;
    let std = lz::sqrt(&var)?;
    let z = lz::divide(&centered, &std)?;
    let clipped = lz::clip(&z, Some(scalar(-2.0)), Some(scalar(2.0)))?;
    lz::sum(&clipped, None, false, None)
}

/// The same computation as a plain loop (the oracle).
fn reference(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    let std = var.sqrt();
    x.iter().map(|v| ((v - mean) / std).clamp(-2.0, 2.0)).sum()
}

fn main() -> lz::Result<()> {
    let n: usize = std::env::args()
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
    let x = lz::from_vec(host.clone(), &[n])?;
    let total = pipeline(&x)?;
    let build = t0.elapsed();

    println!("plan:\n{}", lz::explain(&[&total])?);

    let t1 = Instant::now();
    let got = total.compute()?.get(&[]).as_f64();
    let first = t1.elapsed();

    // the same structure again on new data reuses the cached plan and kernels
    let x2 = lz::from_vec(host.clone(), &[n])?;
    let total2 = pipeline(&x2)?;
    let t2 = Instant::now();
    let got2 = total2.compute()?.get(&[]).as_f64();
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
        eprintln!("MISMATCH: |{got} - {want}| > {tol}");
        std::process::exit(1);
    }
    println!("ok: results agree within {tol:e}");
    Ok(())
}
