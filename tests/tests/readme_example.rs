//! The Rust example of README.md, kept compiling and checked against a plain loop.

use lazulite_frontend as lz;

fn readme_example() -> lz::Result<lz::Scalar> {
    let x = lz::from_vec(
        (0..1_000_000).map(|i| i as f64 * 1e-6).collect(),
        &[1_000_000],
    )?;
    let y = lz::from_vec(vec![0.5f64; 1_000_000], &[1_000_000])?;
    let xx = lz::multiply(&x, &x)?;
    let yy = lz::multiply(&y, &y)?;
    let r = lz::sum(&lz::sqrt(&lz::add(&xx, &yy)?)?, None, false, None)?;
    println!("{}", lz::explain(&[&r])?);
    let value = r.compute()?.get(&[]);
    println!("{value:?}");
    Ok(value)
}

#[test]
fn readme_rust_example_runs_and_is_right() {
    let got = readme_example().expect("the README example runs").as_f64();
    let expect: f64 = (0..1_000_000)
        .map(|i| ((i as f64 * 1e-6).powi(2) + 0.25).sqrt())
        .sum();
    assert!((got - expect).abs() <= 1e-9 * expect, "{got} vs {expect}");
}
