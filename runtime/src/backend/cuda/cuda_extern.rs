//! Extern ops as CUDA kernels (issue 9): argmax/argmin, cumulative sums and products, take,
//! take_along_axis, concat, searchsorted, sort/argsort and the functional `x[key] = value`
//! (`ScatterFlat`) run on the device with the kernels of `lazulite_codegen_cuda::extern_kernels`, one
//! module per family, compiled like the generated kernels (a CUBIN through the disk cache on a real
//! device, the source on the emulator) and loaded once per device. Each launch goes through the
//! device's [`Driver`](super::Driver) on its one stream, with pooled scratch (sort keys, resolved
//! indices) returned to the pool when the step ends.
//!
//! User indices are checked on the device: the index kernel records the position of the first index
//! out of range in a one-word flag, which the step reads back after its launches (eight bytes each
//! way, counted in [`super::transfer_stats`]); a set flag becomes the CPU's own `Index` error for that
//! index. Steps this module does not cover ([`device_family`] is `None`: matmul, FFTs, linalg,
//! complex sorts, operands that are not C-contiguous) stay explicit host round trips.

use super::{is_c_contiguous, CudaBackend, CudaDevice, CudaMem, D2H, H2D, LAUNCHES};
use crate::cuda::{self as nvrtc, Output};
use crate::exec::StepReport;
use crate::extern_ops::{index_value, resolve};
use lazulite_codegen_cuda::extern_kernels::{self as xk, Family, EXTERN_BLOCK};
use lazulite_ir::cancel::Cancel;
use lazulite_ir::shape::numel;
use lazulite_ir::{bail, DType, Error, ErrorKind, ExternOp, ExternStep, Result};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};

/// The kernel family that runs `step` on a CUDA device, or `None` when it is a host round trip.
pub fn device_family(step: &ExternStep) -> Option<Family> {
    let x = step.inputs.first()?;
    let real = x.dtype.is_real_numeric();
    let contiguous = step
        .inputs
        .iter()
        .all(|o| is_c_contiguous(&o.strides, &o.shape));
    let sized = xk::elem_size_supported(x.dtype.size());
    let fam = match step.op {
        ExternOp::ArgMax { .. } | ExternOp::ArgMin { .. } if real => Family::ArgExtremum,
        ExternOp::CumSum { .. } | ExternOp::CumProd { .. } if x.dtype.is_numeric() => Family::Scan,
        ExternOp::Take { .. } | ExternOp::TakeAlongAxis { .. } | ExternOp::Concat { .. }
            if sized =>
        {
            Family::Gather
        }
        ExternOp::SearchSorted { .. } if real => Family::Search,
        ExternOp::Sort { .. } | ExternOp::ArgSort { .. } if real => Family::Sort,
        ExternOp::ScatterFlat if sized => Family::Sort,
        _ => return None,
    };
    contiguous.then_some(fam)
}

/// Loaded modules and functions of the extern families, by device ordinal.
type Loaded = Mutex<HashMap<(u16, String), u64>>;

fn loaded() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(Default::default)
}

/// One extern step on the device: the backend, the device and what messages name.
struct Run<'a> {
    backend: &'a CudaBackend,
    dev: &'a Arc<CudaDevice>,
    si: usize,
    name: &'static str,
    cancel: &'a Cancel,
    launches: usize,
}

/// How a kernel spreads over the grid.
#[derive(Clone, Copy)]
enum Shape {
    /// A grid-stride loop over `n` elements.
    Flat(usize),
    /// One block per row (a grid-stride loop over `rows` blocks).
    Rows(usize),
}

impl Run<'_> {
    /// The module of `fam` on this device (compiled and loaded on first use).
    fn module(&self, fam: Family) -> Result<u64> {
        let key = (self.dev.ordinal(), format!("module {}", fam.name()));
        if let Some(&m) = loaded().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(m);
        }
        let source = fam.source();
        let image = if self.backend.loads_source() {
            source.into_bytes()
        } else {
            let key = crate::disk_cache::kernel_key(
                &source,
                &self.backend.arch,
                "cubin",
                nvrtc::nvrtc_version()?,
            );
            crate::disk_cache::get_or_compile(&key, || {
                nvrtc::compile(&source, &self.backend.arch, Output::Cubin)
            })?
        };
        let m = self.dev.driver().load_module(&image)?;
        loaded()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, m);
        Ok(m)
    }

    fn function(&self, fam: Family, entry: &str) -> Result<u64> {
        let key = (self.dev.ordinal(), format!("{}:{entry}", fam.name()));
        if let Some(&f) = loaded().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(f);
        }
        let f = self.dev.driver().function(self.module(fam)?, entry)?;
        loaded()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, f);
        Ok(f)
    }

    /// Launches `entry` of `fam` with 8-byte parameters `params`; nothing when the shape is empty.
    fn launch(&mut self, fam: Family, entry: &str, shape: Shape, params: &[u64]) -> Result<()> {
        let work = match shape {
            Shape::Flat(n) => n.div_ceil(EXTERN_BLOCK as usize),
            Shape::Rows(r) => r,
        };
        if work == 0 {
            return Ok(());
        }
        self.cancel.check(self.name)?;
        let cap = self.dev.driver().info().multiprocessors.max(1) as usize * 32;
        let grid = work.clamp(1, cap) as u32;
        let f = self.function(fam, entry)?;
        let bytes: Vec<[u8; 8]> = params.iter().map(|p| p.to_le_bytes()).collect();
        let refs: Vec<&[u8]> = bytes.iter().map(|b| b.as_slice()).collect();
        self.dev
            .driver()
            .launch(f, grid, EXTERN_BLOCK, 0, &refs)
            .map_err(|e| {
                Error::new(
                    if e.kind == ErrorKind::Memory {
                        ErrorKind::Memory
                    } else {
                        ErrorKind::Internal
                    },
                    format!(
                        "execute: step {} ({}): kernel {entry} on cuda:{} (grid {grid} x block \
                         {EXTERN_BLOCK}) failed to launch: {}",
                        self.si,
                        self.name,
                        self.dev.ordinal(),
                        e.message
                    ),
                )
            })?;
        LAUNCHES.fetch_add(1, Ordering::Relaxed);
        self.launches += 1;
        Ok(())
    }

    /// Pooled scratch of `bytes` (at least one byte, so that its address is valid).
    fn scratch(&self, what: &str, bytes: usize) -> Result<CudaMem> {
        self.dev.alloc(
            &format!("{what} of step {} ({})", self.si, self.name),
            bytes.max(1),
        )
    }

    /// A one-word flag holding `u64::MAX` (no bad index yet).
    fn flag(&self) -> Result<CudaMem> {
        let f = self.scratch("the index flag", 8)?;
        self.dev
            .driver()
            .copy_htod(&u64::MAX.to_le_bytes(), f.ptr())?;
        H2D.fetch_add(8, Ordering::Relaxed);
        Ok(f)
    }

    /// Resolves the `n` indices of dtype `d` at `idx` against `bound` into a pooled int64 buffer (-1
    /// for an index out of range, whose position goes into `flag`).
    fn resolve_indices(
        &mut self,
        idx: u64,
        d: DType,
        n: usize,
        bound: usize,
        flag: &CudaMem,
    ) -> Result<CudaMem> {
        let resolved = self.scratch("resolved indices", n * 8)?;
        self.launch(
            Family::Gather,
            &xk::index_entry(d),
            Shape::Flat(n),
            &[idx, resolved.ptr(), n as u64, bound as u64, flag.ptr()],
        )?;
        Ok(resolved)
    }

    /// After the launches: the CPU's `Index` error for the first index out of range, if any.
    fn check_flag(
        &self,
        flag: &CudaMem,
        idx: u64,
        d: DType,
        bound: usize,
        axis: usize,
    ) -> Result<()> {
        let mut word = [0u8; 8];
        self.dev.driver().copy_dtoh(flag.ptr(), &mut word)?;
        D2H.fetch_add(8, Ordering::Relaxed);
        let k = u64::from_le_bytes(word);
        if k == u64::MAX {
            return Ok(());
        }
        let size = d.size();
        let mut bad = vec![0u8; size];
        self.dev
            .driver()
            .copy_dtoh(idx.wrapping_add(k * size as u64), &mut bad)?;
        D2H.fetch_add(size as u64, Ordering::Relaxed);
        resolve(self.name, index_value(d, &bad), bound, axis)?;
        bail!(
            Internal,
            "{}: the device flagged index {k} as out of range, but it resolves",
            self.name
        )
    }

    /// Sorts `rows` rows of `len` `(key, index)` pairs in `keys`/`idx` (each `rows * len` words) by
    /// merge passes; returns the buffers that hold the result.
    fn merge_sort(
        &mut self,
        mut keys: CudaMem,
        mut idx: CudaMem,
        rows: usize,
        len: usize,
    ) -> Result<(CudaMem, CudaMem)> {
        let total = rows * len;
        let mut keys2 = self.scratch("sort keys", total * 8)?;
        let mut idx2 = self.scratch("sort indices", total * 8)?;
        let mut width = 1usize;
        while width < len {
            self.launch(
                Family::Sort,
                xk::merge_entry(),
                Shape::Flat(total),
                &[
                    keys.ptr(),
                    idx.ptr(),
                    keys2.ptr(),
                    idx2.ptr(),
                    rows as u64,
                    len as u64,
                    width as u64,
                ],
            )?;
            std::mem::swap(&mut keys, &mut keys2);
            std::mem::swap(&mut idx, &mut idx2);
            width = width.saturating_mul(2);
        }
        Ok((keys, idx))
    }
}

/// The launch of `rows` rows: a thread or a block each.
fn rows_shape(rows: usize, per_thread: bool) -> Shape {
    if per_thread {
        Shape::Flat(rows)
    } else {
        Shape::Rows(rows)
    }
}

/// `(outer, len, inner)`: the extents before, at and after `axis`.
fn split(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    (
        numel(&shape[..axis]),
        shape[axis],
        numel(&shape[axis + 1..]),
    )
}

/// Runs `step` with device kernels; `Ok(None)` when [`device_family`] says it is a host round trip.
pub(super) fn run(
    backend: &CudaBackend,
    si: usize,
    step: &ExternStep,
    inputs: &[crate::buffer::ArrayData],
    temps: &[Option<CudaMem>],
    cancel: &Cancel,
) -> Result<Option<StepReport>> {
    let Some(family) = device_family(step) else {
        return Ok(None);
    };
    let dev = backend.cuda_device()?;
    let name = step.op.name();
    let mut run = Run {
        backend,
        dev,
        si,
        name,
        cancel,
        launches: 0,
    };
    let addr = |i: usize| -> Result<u64> {
        let o = &step.inputs[i];
        backend.elem_addr(si, inputs, temps, o.buffer, o.offset, o.dtype.size())
    };
    let [out_desc] = step.outputs.as_slice() else {
        bail!(
            Internal,
            "{name}: {} outputs on the device path",
            step.outputs.len()
        );
    };
    let out = match &temps[out_desc.temp as usize] {
        Some(m) => m.ptr(),
        None => bail!(Internal, "execute: step {si} ({name}) has no output buffer"),
    };
    let x = &step.inputs[0];
    let size = x.dtype.size();
    match step.op {
        ExternOp::ArgMax { axis } | ExternOp::ArgMin { axis } => {
            let (outer, len, inner) = split(&x.shape, axis as usize);
            let max = matches!(step.op, ExternOp::ArgMax { .. });
            let per_thread = xk::per_thread_rows(len);
            run.launch(
                family,
                &xk::argext_entry(x.dtype, max, per_thread),
                rows_shape(outer * inner, per_thread),
                &[addr(0)?, out, outer as u64, len as u64, inner as u64],
            )?;
        }
        ExternOp::CumSum {
            axis,
            include_initial,
        }
        | ExternOp::CumProd {
            axis,
            include_initial,
        } => {
            let (outer, len, inner) = split(&x.shape, axis as usize);
            let product = matches!(step.op, ExternOp::CumProd { .. });
            let per_thread = xk::per_thread_rows(len);
            run.launch(
                family,
                &xk::scan_entry(x.dtype, product, per_thread),
                rows_shape(outer * inner, per_thread),
                &[
                    addr(0)?,
                    out,
                    outer as u64,
                    len as u64,
                    inner as u64,
                    include_initial as u64,
                ],
            )?;
        }
        ExternOp::Take { axis } | ExternOp::TakeAlongAxis { axis } => {
            let a = axis as usize;
            let idx = &step.inputs[1];
            let n = numel(&idx.shape);
            let (outer, len, inner) = split(&x.shape, a);
            if n > 0 {
                let (xp, ip) = (addr(0)?, addr(1)?);
                let flag = run.flag()?;
                let resolved = run.resolve_indices(ip, idx.dtype, n, len, &flag)?;
                let take = matches!(step.op, ExternOp::Take { .. });
                let (entry, total, last) = if take {
                    (xk::take_entry(size), outer * n * inner, n)
                } else {
                    (xk::take_along_entry(size), n, idx.shape[a])
                };
                run.launch(
                    family,
                    &entry,
                    Shape::Flat(total),
                    &[
                        xp,
                        resolved.ptr(),
                        out,
                        outer as u64,
                        len as u64,
                        inner as u64,
                        last as u64,
                    ],
                )?;
                run.check_flag(&flag, ip, idx.dtype, len, a)?;
            }
        }
        ExternOp::Concat { axis } => {
            let a = axis as usize;
            let outer = numel(&out_desc.shape[..a]);
            let pitch = numel(&out_desc.shape[a..]);
            let mut offset = 0usize;
            for (i, o) in step.inputs.iter().enumerate() {
                let chunk = numel(&o.shape[a..]);
                if outer * chunk > 0 {
                    run.launch(
                        family,
                        &xk::concat_entry(size),
                        Shape::Flat(outer * chunk),
                        &[
                            addr(i)?,
                            out,
                            outer as u64,
                            chunk as u64,
                            pitch as u64,
                            offset as u64,
                        ],
                    )?;
                }
                offset += chunk;
            }
        }
        ExternOp::SearchSorted { right } => {
            let m = numel(&step.inputs[1].shape);
            if m > 0 {
                run.launch(
                    family,
                    &xk::search_entry(x.dtype),
                    Shape::Flat(m),
                    &[
                        addr(0)?,
                        x.shape[0] as u64,
                        addr(1)?,
                        m as u64,
                        out,
                        right as u64,
                    ],
                )?;
            }
        }
        ExternOp::Sort {
            axis, descending, ..
        }
        | ExternOp::ArgSort {
            axis, descending, ..
        } => {
            let (outer, len, inner) = split(&x.shape, axis as usize);
            let total = outer * len * inner;
            if total > 0 {
                let xp = addr(0)?;
                let keys = run.scratch("sort keys", total * 8)?;
                let idx = run.scratch("sort indices", total * 8)?;
                let dims = [outer as u64, len as u64, inner as u64];
                run.launch(
                    family,
                    &xk::sort_keys_entry(x.dtype),
                    Shape::Flat(total),
                    &[
                        xp,
                        keys.ptr(),
                        idx.ptr(),
                        dims[0],
                        dims[1],
                        dims[2],
                        descending as u64,
                    ],
                )?;
                let (_keys, idx) = run.merge_sort(keys, idx, outer * inner, len)?;
                if matches!(step.op, ExternOp::Sort { .. }) {
                    run.launch(
                        family,
                        &xk::sort_gather_entry(size),
                        Shape::Flat(total),
                        &[xp, idx.ptr(), out, dims[0], dims[1], dims[2]],
                    )?;
                } else {
                    run.launch(
                        family,
                        xk::argsort_out_entry(),
                        Shape::Flat(total),
                        &[idx.ptr(), out, dims[0], dims[1], dims[2]],
                    )?;
                }
            }
        }
        ExternOp::ScatterFlat => {
            let pos = &step.inputs[1];
            let n = numel(&x.shape);
            let m = pos.shape[0];
            if n > 0 {
                dev.driver().copy_dtod(addr(0)?, out, n * size)?;
            }
            if m > 0 {
                let pp = addr(1)?;
                let flag = run.flag()?;
                let resolved = run.resolve_indices(pp, pos.dtype, m, n, &flag)?;
                let keys = run.scratch("scatter keys", m * 8)?;
                let idx = run.scratch("scatter order", m * 8)?;
                run.launch(
                    family,
                    xk::scatter_keys_entry(),
                    Shape::Flat(m),
                    &[resolved.ptr(), keys.ptr(), idx.ptr(), m as u64],
                )?;
                let (keys, idx) = run.merge_sort(keys, idx, 1, m)?;
                run.launch(
                    family,
                    &xk::scatter_write_entry(size),
                    Shape::Flat(m),
                    &[keys.ptr(), idx.ptr(), addr(2)?, out, m as u64],
                )?;
                run.check_flag(&flag, pp, pos.dtype, n, 0)?;
            }
        }
        _ => bail!(
            Internal,
            "{name}: no device kernels (device_family let it through)"
        ),
    }
    Ok(Some(StepReport {
        label: format!("{name} (cuda:{} kernels)", dev.ordinal()),
        compiled: true,
        chunks: run.launches,
    }))
}
