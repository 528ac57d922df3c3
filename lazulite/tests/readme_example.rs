//! The Rust example of README.md (its "Rust" section), kept compiling and checked against plain Rust.

use lazulite::{self as lz, All};

fn readme_example() -> lz::Result<(f64, f64)> {
    let x = lz::from_vec(
        (0..1_000_000).map(|i| i as f64 * 1e-6).collect(),
        &[1_000_000],
    )?; // no copy
    let y = lz::from_slice(&vec![0.5f64; 1_000_000], &[1_000_000])?;
    let r = (&x * &x + (&y * &y)?)?.sqrt()?.sum(All, false)?; // lazy: nothing has run
    println!("{}", lz::explain(&[&r])?); // the fused plan
    let value: f64 = r.item()?; // computes
    let z = ((2.0 * &x)? - 1.0)?.tanh()?;
    let zs: &[f64] = z.as_slice()?; // borrowed, typed
    println!("{value} {}", zs[0]);
    Ok((value, zs[999_999]))
}

#[test]
fn readme_rust_example_runs_and_is_right() {
    let (got, last) = readme_example().expect("the README example runs");
    let want: f64 = (0..1_000_000)
        .map(|i| ((i as f64 * 1e-6).powi(2) + 0.25).sqrt())
        .sum();
    assert!((got - want).abs() <= 1e-9 * want, "{got} vs {want}");
    let want_last = (2.0 * (999_999.0 * 1e-6) - 1.0f64).tanh();
    assert!((last - want_last).abs() <= 1e-15, "{last} vs {want_last}");
}
