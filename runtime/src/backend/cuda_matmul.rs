//! Matmul on a CUDA device: `ExternOp::MatMul` steps of float32, float64, complex64 and complex128 run
//! as strided-batched gemms through the device's [`Driver`] (cuBLAS on NVIDIA's driver, a reference
//! loop on the emulated device), with no host round trip.
//!
//! - **Row-major through column-major.** `C = A @ B` (row-major, `C` C-contiguous) is, read
//!   column-major, `C^T = B^T A^T`: one gemm with cuBLAS's `A` = our `B` and cuBLAS's `B` = our `A`,
//!   `m` and `n` swapped, `ldc = n`. An operand whose column stride is 1 is passed as is (`N`, leading
//!   dimension its row stride); one whose row stride is 1 (a transposed view, `matrix_transpose(x)`) as
//!   its transpose (`T`, leading dimension its column stride). Size-1 axes take any stride.
//! - **Strided views** that are neither (a step slice, a broadcast row) are first copied C-contiguous
//!   on the device by a generated copy kernel (a one-load kernel of the CUDA code generator); batch
//!   axes that are broadcast (stride 0) stay broadcast in the copy.
//! - **Batches**: the output's batch axes, collapsed where all three operands allow, give one gemm of
//!   `batch` matrices a stride apart (broadcast batches have stride 0); batch layouts that do not
//!   collapse to one axis are one gemm per index of the outer batch axes.
//! - **Not on the device** (an explicit host round trip, shown by `explain` with its reason): integer
//!   matmul (cuBLAS has no integer gemm with wrapping arithmetic), a device whose driver has no cuBLAS
//!   (not found: see [`crate::cuda::cublas_ready`]), and sizes over cuBLAS's 32-bit arguments.
//!
//! [`route`] decides from the step alone (and whether the driver can gemm), so `explain` and the run
//! agree. [`gemm_calls`] counts the gemms issued, process-wide.

use super::cuda::{launch_shape, CudaBackend, CudaMem, H2D, LAUNCHES};
use super::driver::{DevPtr, Driver, Gemm};
use super::Backend;
use crate::buffer::{check_extent, ArrayData};
use crate::exec::StepReport;
use lazulite_codegen_cuda::ArgsLayout;
use lazulite_ir::cancel::Cancel;
use lazulite_ir::kernel::{Inst, Instr, KernelInput, KernelOutput, StrideClass};
use lazulite_ir::shape::contiguous_strides;
use lazulite_ir::{
    bail, ensure, BufferRef, DType, Error, ErrorKind, ExternOp, ExternOperand, ExternStep, Kernel,
    Result,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static GEMMS: AtomicU64 = AtomicU64::new(0);

/// Gemm calls issued on CUDA devices since the process started.
pub fn gemm_calls() -> u64 {
    GEMMS.load(Ordering::Relaxed)
}

/// Where a matmul step runs on a CUDA device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Through the driver's gemm: `batch` products of `m x k` by `k x n`.
    Gemm {
        batch: usize,
        m: usize,
        n: usize,
        k: usize,
    },
    /// An explicit host round trip, and why.
    HostRoundTrip(String),
}

/// How `step` (a matmul) runs on a device whose driver is `driver`; `None` for other extern ops.
pub fn route(step: &ExternStep, driver: &dyn Driver) -> Option<Route> {
    if !matches!(step.op, ExternOp::MatMul) || step.inputs.len() != 2 || step.outputs.len() != 1 {
        return None;
    }
    let (a, b, out) = (&step.inputs[0], &step.inputs[1], &step.outputs[0]);
    let r = out.shape.len();
    if r < 2 || a.shape.len() != r || b.shape.len() != r || a.dtype != b.dtype {
        return None;
    }
    let dtype = a.dtype;
    if !matches!(dtype, DType::F32 | DType::F64 | DType::C64 | DType::C128) {
        return Some(Route::HostRoundTrip(format!("cuBLAS has no {dtype} gemm")));
    }
    if let Err(e) = driver.gemm_available() {
        return Some(Route::HostRoundTrip(e));
    }
    let (m, k, n) = (a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]);
    let batch: usize = out.shape[..r - 2].iter().product();
    let limit = i32::MAX as usize;
    // leading dimensions and batch counts are 32-bit in cuBLAS: keep every extent (and a copy's row
    // length) inside them
    if [m, n, k].iter().any(|&x| x > limit) || batch > limit {
        return Some(Route::HostRoundTrip(format!(
            "a {m}x{n}x{k} product (batch {batch}) is over cuBLAS's 32-bit sizes"
        )));
    }
    Some(Route::Gemm { batch, m, n, k })
}

/// The `explain` line of a matmul step on `cuda:{ordinal}` that runs on the device; `None` when it is
/// a host round trip (or not a matmul).
pub fn explain_line(step: &ExternStep, ordinal: u16, driver: &dyn Driver) -> Option<String> {
    match route(step, driver)? {
        Route::Gemm { batch, m, n, k } => {
            let copies = step
                .inputs
                .iter()
                .zip(["x1", "x2"])
                .filter(|(o, _)| operand_layout(o).is_none())
                .map(|(_, name)| name)
                .collect::<Vec<_>>();
            Some(format!(
                "    device: cuBLAS gemm, batch {batch}, {m}x{n}x{k} on cuda:{ordinal}{}",
                if copies.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (after a contiguous copy kernel for {})",
                        copies.join(" and ")
                    )
                }
            ))
        }
        Route::HostRoundTrip(_) => None,
    }
}

/// The reason a matmul step on a device is a host round trip (`None` when it runs on the device or is
/// not a matmul).
pub fn round_trip_reason(step: &ExternStep, driver: &dyn Driver) -> Option<String> {
    match route(step, driver)? {
        Route::HostRoundTrip(why) => Some(why),
        Route::Gemm { .. } => None,
    }
}

/// How a row-major `rows x cols` matrix with strides `(rs, cs)` is handed to a column-major gemm as
/// its transpose: `(false, ld)` when it is, column-major, a `cols x rows` matrix of leading dimension
/// `ld` (`cs == 1`), `(true, ld)` when it is a `rows x cols` one (`rs == 1`, to be transposed by the
/// gemm); `None` when neither (it needs a contiguous copy).
fn matrix_layout(rows: usize, cols: usize, rs: isize, cs: isize) -> Option<(bool, i64)> {
    // N: element (i, j) at j + i * ld; T is N of the transpose (rows and cols swapped)
    let untransposed = |rows: usize, cols: usize, rs: isize, cs: isize| {
        if !(cols <= 1 || cs == 1) {
            return None;
        }
        let ld = if rows <= 1 {
            cols.max(1) as i64
        } else {
            rs as i64
        };
        (ld >= cols.max(1) as i64 && ld <= i32::MAX as i64).then_some(ld)
    };
    untransposed(rows, cols, rs, cs)
        .map(|ld| (false, ld))
        .or_else(|| untransposed(cols, rows, cs, rs).map(|ld| (true, ld)))
}

/// The gemm layout of an operand's matrices (`None`: it needs a contiguous copy, also when a batch
/// axis runs backwards: cuBLAS's batch strides are not documented for negative values).
fn operand_layout(o: &ExternOperand) -> Option<(bool, i64)> {
    let r = o.shape.len();
    if o.strides[..r - 2]
        .iter()
        .zip(&o.shape[..r - 2])
        .any(|(&s, &n)| s < 0 && n > 1)
    {
        return None;
    }
    matrix_layout(
        o.shape[r - 2],
        o.shape[r - 1],
        o.strides[r - 2],
        o.strides[r - 1],
    )
}

/// An operand on the device: the address of its element 0, its strides (elements) and its dtype size.
struct DevOperand {
    ptr: DevPtr,
    strides: Vec<isize>,
}

/// The device address of operand `o`'s element 0, after checking that its layout stays inside its
/// buffer.
fn operand_ptr(
    be: &CudaBackend,
    si: usize,
    what: &str,
    o: &ExternOperand,
    inputs: &[ArrayData],
    temps: &[Option<CudaMem>],
) -> Result<DevPtr> {
    let size = o.dtype.size();
    let (base_elems, len_bytes) = match o.buffer {
        BufferRef::Input(i) => {
            let a = &inputs[i as usize];
            (a.offset + o.offset, a.buffer.len())
        }
        BufferRef::Temp(t) => match &temps[t as usize] {
            Some(m) => (o.offset, m.len()),
            None => bail!(
                Internal,
                "execute: step {si} (matmul) reads temp {t} before any step wrote it"
            ),
        },
    };
    check_extent(
        &format!("matmul on the device: {what}"),
        len_bytes,
        o.dtype,
        base_elems,
        &o.strides,
        &o.shape,
    )?;
    be.elem_addr(si, inputs, temps, o.buffer, o.offset, size)
}

/// A C-contiguous device copy of operand `o` (batch axes of stride 0 stay broadcast: extent 1 in the
/// copy), made by a generated one-load kernel; the block and the operand's layout in it.
fn contiguous_copy(
    be: &CudaBackend,
    si: usize,
    what: &str,
    o: &ExternOperand,
    src: DevPtr,
    cancel: &Cancel,
) -> Result<(CudaMem, DevOperand)> {
    let dev = be.cuda_device()?;
    let r = o.shape.len();
    let shape: Vec<usize> = o
        .shape
        .iter()
        .zip(&o.strides)
        .enumerate()
        .map(|(d, (&n, &s))| if d < r - 2 && s == 0 { 1 } else { n })
        .collect();
    let dense = contiguous_strides(&shape);
    let strides: Vec<isize> = dense
        .iter()
        .zip(&shape)
        .zip(&o.shape)
        .map(|((&s, &n), &full)| if n == 1 && full != 1 { 0 } else { s })
        .collect();
    let numel: usize = shape.iter().product();
    let size = o.dtype.size();
    let block = be.allocate(
        &format!("the contiguous copy of matmul operand {what} (step {si})"),
        numel * size,
    )?;
    let kernel = Arc::new(Kernel {
        ndim: r as u32,
        n_reduce: 0,
        inputs: vec![KernelInput {
            dtype: o.dtype,
            inner: StrideClass::of(o.strides[r - 1]),
        }],
        body: vec![Instr {
            inst: Inst::Load { input: 0 },
            dtype: o.dtype,
        }],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![KernelOutput {
            value: 0,
            dtype: o.dtype,
            inner: StrideClass::Contiguous,
        }],
    });
    if let Some((grid, threads)) =
        launch_shape(&kernel, &shape, dev.driver().info().multiprocessors)
    {
        let (func, code) = be.function(&kernel, None)?;
        let lens = ArgsLayout::of(&kernel).field_lens();
        let mut args: Vec<u8> = Vec::with_capacity(lens.iter().sum::<usize>() * 8);
        let mut field = |vals: &[u64], len: usize| {
            for i in 0..len {
                args.extend_from_slice(&vals.get(i).copied().unwrap_or(0).to_le_bytes());
            }
        };
        let dims: Vec<u64> = shape.iter().map(|&n| n as u64).collect();
        let in_strides: Vec<u64> = o.strides.iter().map(|&s| s as i64 as u64).collect();
        let out_strides: Vec<u64> = contiguous_strides(&shape)
            .iter()
            .map(|&s| s as i64 as u64)
            .collect();
        field(&[src], lens[0]);
        field(&[block.ptr()], lens[1]);
        field(&dims, lens[2]);
        field(&in_strides, lens[3]);
        field(&out_strides, lens[4]);
        field(&[0], lens[5]);
        cancel.check("matmul")?;
        dev.driver()
            .launch(func, grid, threads, 0, &[&args])
            .map_err(|e| {
                Error::new(
                    e.kind,
                    format!(
                        "execute: step {si} (matmul): the contiguous copy of {what} (kernel {} on \
                         cuda:{}, grid {grid} x block {threads}, loop {shape:?}) failed: {}",
                        code.name,
                        dev.ordinal(),
                        e.message
                    ),
                )
            })?;
        LAUNCHES.fetch_add(1, Ordering::Relaxed);
    }
    let ptr = block.ptr();
    Ok((block, DevOperand { ptr, strides }))
}

/// Batch axes of extents `shape` with the strides of the three operands, size-1 axes dropped and
/// neighbours merged where every operand steps evenly across them.
fn collapse_batch(shape: &[usize], strides: [&[isize]; 3]) -> Vec<(usize, [isize; 3])> {
    let mut out: Vec<(usize, [isize; 3])> = Vec::new();
    for (d, &n) in shape.iter().enumerate() {
        if n == 1 {
            continue;
        }
        let s = [strides[0][d], strides[1][d], strides[2][d]];
        if let Some((pn, ps)) = out.last_mut() {
            if (0..3).all(|i| ps[i] == s[i] * n as isize) {
                *pn *= n;
                *ps = s;
                continue;
            }
        }
        out.push((n, s));
    }
    out
}

/// Runs matmul step `step` on the device through the driver's gemm; `Ok(None)` when it is not a
/// matmul the device runs (the caller makes it a host round trip, see [`route`]).
pub(super) fn run(
    be: &CudaBackend,
    si: usize,
    step: &ExternStep,
    inputs: &[ArrayData],
    temps: &[Option<CudaMem>],
    cancel: &Cancel,
) -> Result<Option<StepReport>> {
    let dev = be.cuda_device()?;
    let drv = dev.driver().clone();
    let Some(Route::Gemm { batch, m, n, k }) = route(step, drv.as_ref()) else {
        return Ok(None);
    };
    let (a, b, out) = (&step.inputs[0], &step.inputs[1], &step.outputs[0]);
    let r = out.shape.len();
    let dtype = a.dtype;
    let size = dtype.size();
    let label = format!("matmul (cuBLAS gemm, batch {batch}, {m}x{n}x{k})");
    let report = |calls: usize| StepReport {
        label: label.clone(),
        compiled: true,
        chunks: calls,
    };
    let Some(c_block) = &temps[out.temp as usize] else {
        bail!(Internal, "execute: step {si} (matmul) has no output buffer");
    };
    ensure!(
        c_block.len() >= batch * m * n * size,
        Internal,
        "execute: step {si} (matmul): an output of {} bytes for {batch} x {m} x {n} {dtype}",
        c_block.len()
    );
    if batch == 0 || m == 0 || n == 0 {
        return Ok(Some(report(0)));
    }
    if k == 0 {
        // empty sums: zeros (all-zero bytes are 0 in every float and complex dtype)
        let zeros = vec![0u8; batch * m * n * size];
        drv.copy_htod(&zeros, c_block.ptr())?;
        H2D.fetch_add(zeros.len() as u64, Ordering::Relaxed);
        return Ok(Some(report(0)));
    }
    // each operand in place when its matrices have a gemm layout, else a contiguous copy
    let mut copies: Vec<CudaMem> = Vec::new();
    let mut place = |o: &ExternOperand, what: &str| -> Result<(DevOperand, (bool, i64))> {
        let ptr = operand_ptr(be, si, what, o, inputs, temps)?;
        if let Some(l) = operand_layout(o) {
            return Ok((
                DevOperand {
                    ptr,
                    strides: o.strides.to_vec(),
                },
                l,
            ));
        }
        let (block, d) = contiguous_copy(be, si, what, o, ptr, cancel)?;
        copies.push(block);
        let l = matrix_layout(
            o.shape[r - 2],
            o.shape[r - 1],
            d.strides[r - 2],
            d.strides[r - 1],
        )
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                format!("matmul on the device: the contiguous copy of {what} has no gemm layout"),
            )
        })?;
        Ok((d, l))
    };
    let (da, (ta, lda)) = place(a, "x1")?;
    let (db, (tb, ldb)) = place(b, "x2")?;
    let c_strides: Vec<isize> = contiguous_strides(&out.shape).to_vec();
    let axes = collapse_batch(
        &out.shape[..r - 2],
        [
            &da.strides[..r - 2],
            &db.strides[..r - 2],
            &c_strides[..r - 2],
        ],
    );
    // the last collapsed axis is each gemm's batch; the others are looped over
    let (inner, outer) = match axes.split_last() {
        Some((&(count, s), rest)) => ((count, s), rest.to_vec()),
        None => ((1, [0, 0, (m * n) as isize]), Vec::new()),
    };
    let calls: usize = outer.iter().map(|&(n, _)| n).product();
    let mut idx = vec![0usize; outer.len()];
    let addr = |p: DevPtr, elems: isize| p.wrapping_add_signed(elems as i64 * size as i64);
    for _ in 0..calls {
        cancel.check("matmul")?;
        let mut off = [0isize; 3];
        for (&i, &(_, s)) in idx.iter().zip(&outer) {
            for q in 0..3 {
                off[q] += i as isize * s[q];
            }
        }
        // C^T = B^T A^T, column-major: cuBLAS's A is our x2, its B our x1
        let g = Gemm {
            dtype,
            trans_a: tb,
            trans_b: ta,
            m: n as i32,
            n: m as i32,
            k: k as i32,
            a: addr(db.ptr, off[1]),
            lda: ldb as i32,
            stride_a: inner.1[1] as i64,
            b: addr(da.ptr, off[0]),
            ldb: lda as i32,
            stride_b: inner.1[0] as i64,
            c: addr(c_block.ptr(), off[2]),
            ldc: n as i32,
            stride_c: inner.1[2] as i64,
            batch: inner.0 as i32,
        };
        drv.gemm_strided_batched(&g).map_err(|e| {
            Error::new(
                e.kind,
                format!(
                    "execute: step {si} ({label}) on cuda:{}: {}",
                    dev.ordinal(),
                    e.message
                ),
            )
        })?;
        GEMMS.fetch_add(1, Ordering::Relaxed);
        for d in (0..idx.len()).rev() {
            idx[d] += 1;
            if idx[d] < outer[d].0 {
                break;
            }
            idx[d] = 0;
        }
    }
    // the copies go back to the pool after the gemms (stream order makes that safe)
    drop(copies);
    Ok(Some(report(calls)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_major_and_transposed_matrices_have_gemm_layouts() {
        // C-contiguous 3x4: N with ld 4; its transpose view (4x3, strides (1, 4)): T with ld 4
        assert_eq!(matrix_layout(3, 4, 4, 1), Some((false, 4)));
        assert_eq!(matrix_layout(4, 3, 1, 4), Some((true, 4)));
        // a row of a wider matrix: padded leading dimension
        assert_eq!(matrix_layout(3, 4, 10, 1), Some((false, 10)));
        // size-1 axes take any stride
        assert_eq!(matrix_layout(1, 5, 0, 1), Some((false, 5)));
        assert_eq!(matrix_layout(5, 1, 1, 7), Some((false, 1)));
        // a step slice, a broadcast row, a reversed axis: copies
        assert_eq!(matrix_layout(3, 4, 8, 2), None);
        assert_eq!(matrix_layout(3, 4, 0, 1), None);
        assert_eq!(matrix_layout(3, 4, -4, 1), None);
    }

    #[test]
    fn batch_axes_collapse_where_every_operand_steps_evenly() {
        // (2, 3) batches, all contiguous: one axis of 6
        let (a, b, c) = ([12isize, 4], [30isize, 10], [6isize, 2]);
        assert_eq!(collapse_batch(&[2, 3], [&a, &b, &c]), vec![(6, [4, 10, 2])]);
        // x2 broadcast along the first axis only: two axes
        let b0 = [0isize, 10];
        assert_eq!(
            collapse_batch(&[2, 3], [&a, &b0, &c]),
            vec![(2, [12, 0, 6]), (3, [4, 10, 2])]
        );
        // size-1 axes drop out
        assert_eq!(
            collapse_batch(&[1, 3, 1], [&[9, 4, 1], &[9, 10, 1], &[9, 2, 1]]),
            vec![(3, [4, 10, 2])]
        );
    }
}
