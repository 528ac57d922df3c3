//! Operators, methods and typed data against plain Rust on random data (proptest, bounded cases).

use lazulite::{self as lz, All, LazyArray};
use proptest::prelude::*;

fn vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-100.0f64..100.0, n)
}

/// `rows x cols` matrix, a row vector of `cols` and a scalar.
fn case() -> impl Strategy<Value = (usize, usize, Vec<f64>, Vec<f64>, f64)> {
    (1usize..6, 1usize..9)
        .prop_flat_map(|(r, c)| (Just(r), Just(c), vals(r * c), vals(c), -10.0f64..10.0))
}

fn close(got: &[f64], want: &[f64]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| (g - w).abs() <= 1e-12 * w.abs().max(1.0))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// `(&m * &v + s) / (1 + |m|) - m` with a broadcast row vector, against nested loops.
    #[test]
    fn broadcast_formula_matches_loops((r, c, m, v, s) in case()) {
        let lm = lz::from_slice(&m, &[r, c]).unwrap();
        let lv = lz::from_vec(v.clone(), &[c]).unwrap();
        let num = ((&lm * &lv).unwrap() + s).unwrap();
        let den = (1.0 + lm.abs().unwrap()).unwrap();
        let y: LazyArray = ((&num / &den).unwrap() - &lm).unwrap();
        prop_assert_eq!(y.shape(), &[r, c][..]);
        let want: Vec<f64> = (0..r * c)
            .map(|i| (m[i] * v[i % c] + s) / (1.0 + m[i].abs()) - m[i])
            .collect();
        prop_assert!(close(y.as_slice::<f64>().unwrap(), &want));
    }

    /// Row sums, column maxima, comparisons and `select`, against plain Rust.
    #[test]
    fn methods_match_plain_rust((r, c, m, _v, s) in case()) {
        let lm = lz::from_slice(&m, &[r, c]).unwrap();
        let rows = lm.sum(1, false).unwrap().to_vec::<f64>().unwrap();
        let want_rows: Vec<f64> = m.chunks(c).map(|row| row.iter().sum()).collect();
        prop_assert!(close(&rows, &want_rows));
        let cols = lm.max(0, false).unwrap().to_vec::<f64>().unwrap();
        let want_cols: Vec<f64> = (0..c)
            .map(|j| (0..r).map(|i| m[i * c + j]).fold(f64::NEG_INFINITY, f64::max))
            .collect();
        prop_assert_eq!(cols, want_cols);
        let mask = lm.greater(s).unwrap();
        prop_assert_eq!(
            mask.to_vec::<bool>().unwrap(),
            m.iter().map(|&x| x > s).collect::<Vec<_>>()
        );
        let clipped = mask.select(s, &lm).unwrap().to_vec::<f64>().unwrap();
        prop_assert_eq!(clipped, m.iter().map(|&x| x.min(s)).collect::<Vec<_>>());
        let total: f64 = lm.sum(All, false).unwrap().item().unwrap();
        prop_assert!((total - m.iter().sum::<f64>()).abs() <= 1e-9 * m.iter().map(|x| x.abs()).sum::<f64>().max(1.0));
    }

    /// Integer operators (`%`, `&`, `<<`, unary `-` and `!`) against Rust's wrapping integer ops.
    #[test]
    fn integer_operators_match_rust(xs in prop::collection::vec(-1000i32..1000, 1..32), k in 1i64..7) {
        let n = xs.len();
        let a = lz::from_vec(xs.clone(), &[n]).unwrap();
        let rem = (&a % k).unwrap().to_vec::<i32>().unwrap();
        let k32 = k as i32;
        // the standard's remainder has the divisor's sign (Python's %)
        prop_assert_eq!(rem, xs.iter().map(|x| x.rem_euclid(k32)).collect::<Vec<_>>());
        let and = (&a & 6).unwrap().to_vec::<i32>().unwrap();
        prop_assert_eq!(and, xs.iter().map(|x| x & 6).collect::<Vec<_>>());
        let shl = (&a << k).unwrap().to_vec::<i32>().unwrap();
        prop_assert_eq!(shl, xs.iter().map(|x| x.wrapping_shl(k as u32)).collect::<Vec<_>>());
        let neg = (-&a).unwrap().to_vec::<i32>().unwrap();
        prop_assert_eq!(neg, xs.iter().map(|x| -x).collect::<Vec<_>>());
        let inv = (!&a).unwrap().to_vec::<i32>().unwrap();
        prop_assert_eq!(inv, xs.iter().map(|x| !x).collect::<Vec<_>>());
    }
}
