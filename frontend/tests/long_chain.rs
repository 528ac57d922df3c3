//! A chain of 100,000 elementwise ops builds, lowers, computes and drops without deep recursion.
//! (The test threads' default 2 MiB stack would overflow quickly if any of these recursed.)

use lazulite_frontend::{self as lz, BinaryOp, DType, LazyArray, Operand, Scalar};

const N: usize = 100_000;

fn chain(x: &LazyArray) -> LazyArray {
    let mut y = x.clone();
    for i in 0..N {
        // alternate +1 and -1 so the value stays small and exact
        let v = if i % 2 == 0 { 1.0 } else { -1.0 };
        y = lz::binary(
            BinaryOp::Add,
            Operand::Array(&y),
            Operand::Scalar(Scalar::Float(v)),
        )
        .unwrap();
    }
    y
}

#[test]
fn long_chain_builds_lowers_and_drops() {
    let x = lz::zeros(&[4], DType::F64).unwrap();
    let y = chain(&x);
    assert_eq!((y.dtype(), y.shape()), (DType::F64, &[4][..]));
    let (g, roots, _) = lz::build_graph(&[&y]).unwrap();
    // x, one shared fill per distinct value, one add per link (interning merges the fills)
    assert_eq!(g.len(), N + 3);
    assert_eq!(roots.len(), 1);
    drop(g);
    drop(y);
}

#[test]
fn long_chain_dropped_while_shared_part_lives() {
    let x = lz::zeros(&[2], DType::F32).unwrap();
    let y = chain(&x);
    let z = lz::sin(&y).unwrap();
    drop(y); // z still holds the chain
    drop(z); // now the whole chain goes, iteratively
    assert_eq!(x.shape(), &[2]);
}

#[test]
fn long_chain_computes() {
    let x = lz::from_vec(vec![0.5f64, -2.0, 3.25], &[3]).unwrap();
    let y = chain(&x);
    let data = y.compute().unwrap();
    for (i, want) in [0.5f64, -2.0, 3.25].into_iter().enumerate() {
        assert_eq!(data.get(&[i]), Scalar::Float(want));
    }
    // a realized array is a leaf: reading it again computes nothing and gives the same buffer
    let again = y.compute().unwrap();
    assert!(std::sync::Arc::ptr_eq(&data.buffer, &again.buffer));
}
