//! A signal pipeline over a batch of channels, as a Rust engineer would write it with lazulite:
//!
//!     z = tanh((x - mean(x)) / (std(x) + eps)) * window      (per channel, float32)
//!     energy = sum(z * z),  peak = max(|z|)                    (per channel)
//!
//! Both results are computed in one graph (`compute_many`), then checked against a plain Rust loop.
//! Run: `cargo run --release -p lazulite --example signal [channels] [samples]` (`make test` runs it
//! through `lazulite/tests/examples.rs`).

use lazulite::{self as lz, LazyArray};

/// The lazy pipeline: builds the graph, runs nothing.
fn pipeline(x: &LazyArray, window: &LazyArray) -> lz::Result<(LazyArray, LazyArray)> {
    let centered = (x - x.mean(1, true)?)?;
    let scale = (x.std(1, 0.0, true)? + 1e-6)?;
    let z = ((&centered / &scale)?.tanh()? * window)?;
    let energy = (&z * &z)?.sum(1, false)?;
    let peak = z.abs()?.max(1, false)?;
    Ok((energy, peak))
}

/// The same computation in plain Rust (f64 accumulation): the oracle.
fn oracle(x: &[f32], window: &[f32], samples: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut energy, mut peak) = (Vec::new(), Vec::new());
    for row in x.chunks(samples) {
        let n = samples as f64;
        let mean = row.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = row
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        let scale = var.sqrt() + 1e-6;
        let z: Vec<f64> = row
            .iter()
            .zip(window)
            .map(|(&v, &w)| ((f64::from(v) - mean) / scale).tanh() * f64::from(w))
            .collect();
        energy.push(z.iter().map(|v| v * v).sum());
        peak.push(z.iter().fold(0.0f64, |m, v| m.max(v.abs())));
    }
    (energy, peak)
}

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).map(|s| s.parse::<usize>().ok());
    let channels = args.next().flatten().unwrap_or(64);
    let samples = args.next().flatten().unwrap_or(4096);

    // deterministic test signals: two tones per channel plus a sawtooth "noise"
    let host: Vec<f32> = (0..channels * samples)
        .map(|i| {
            let (c, t) = ((i / samples) as f32, (i % samples) as f32 / samples as f32);
            (t * (40.0 + c) * std::f32::consts::TAU).sin() * (1.0 + 0.1 * c)
                + 0.3 * (t * 7.0 * std::f32::consts::TAU).cos()
                + ((i * 7919) % 101) as f32 * 0.002
        })
        .collect();
    // a Hann window
    let hann: Vec<f32> = (0..samples)
        .map(|k| {
            let phase = std::f32::consts::TAU * k as f32 / (samples - 1).max(1) as f32;
            0.5 - 0.5 * phase.cos()
        })
        .collect();

    let x = lz::from_slice(&host, &[channels, samples])?;
    let window = lz::from_slice(&hann, &[samples])?;
    let (energy, peak) = pipeline(&x, &window)?;
    println!("plan:\n{}", lz::explain(&[&energy, &peak])?);
    lz::compute_many(&[&energy, &peak])?;
    let (energy, peak) = (energy.as_slice::<f32>()?, peak.as_slice::<f32>()?);

    let (want_energy, want_peak) = oracle(&host, &hann, samples);
    let mut worst = 0.0f64;
    for (got, want) in energy
        .iter()
        .zip(&want_energy)
        .chain(peak.iter().zip(&want_peak))
    {
        let rel = (f64::from(*got) - want).abs() / want.abs().max(1.0);
        worst = worst.max(rel);
    }
    println!(
        "{channels} channels x {samples} samples: energy[0] = {:.4}, peak[0] = {:.4}; \
         worst relative error vs plain Rust {worst:.2e}",
        energy[0], peak[0]
    );
    if worst > 1e-4 {
        return Err(format!("MISMATCH: worst relative error {worst:e} > 1e-4").into());
    }
    println!("ok");
    Ok(())
}
