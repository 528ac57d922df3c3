//! Buffer reuse through the global pool (its own test process, so the counters are not shared).

use lazulite_ir::DType;
use lazulite_runtime::{stats, ArrayData, Buffer};

#[test]
fn freed_buffers_are_reused_and_the_pool_is_bounded() {
    let before = stats();
    let a = Buffer::alloc(1 << 20).unwrap();
    let p = a.as_ptr();
    drop(a);
    let b = Buffer::alloc((1 << 20) - 100).unwrap();
    assert_eq!(b.as_ptr(), p, "same size class reuses the block");
    let after = stats();
    assert!(after.buffers_reused > before.buffers_reused);
    drop(b);

    // with no room in the pool, freed memory goes back to the system
    let mut c = lazulite_runtime::config();
    c.pool_max_bytes = 0;
    lazulite_runtime::set_config(c.clone());
    lazulite_runtime::Pool::global().trim();
    let x = ArrayData::from_bytes(&[0u8; 4096], DType::U8, &[4096]).unwrap();
    drop(x);
    assert_eq!(lazulite_runtime::Pool::global().stats().cached_bytes, 0);
    c.pool_max_bytes = 1 << 30;
    lazulite_runtime::set_config(c);
}
