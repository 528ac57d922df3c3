//! The CUDA backend: kernels rendered by `lazulite_codegen_cuda`, compiled by NVRTC (or, on the
//! emulated device, handed over as source), memory from the device's caching pool ([`pool`]), copies,
//! launches and module loads through the device's [`Driver`] ([`driver`]: NVIDIA's through cudarc, or
//! the emulator that tests load). Without a device, every call that needs one is a `Value` error that
//! names the device and says to use the CPU; nothing panics.
//!
//! Per schedule: inputs on the device are read where they are; host inputs are refused by the executor
//! (no implicit transfers) except scalar parameters (one element, all strides 0), which are copied to
//! the device once, on first use ("staged"); results stay on the device ([`Buffer`]s over pool
//! blocks) until [`crate::to_device`] copies them. Each kernel
//! step is one launch whose grid and block come from [`launch_shape`] (a reduction over few rows of
//! many points is two: `<name>_partial` then `<name>_final` with a pooled partials buffer, by the
//! renderer's `reduction_plan`; [`launch_plan`]), and the executor frees each
//! temporary after its last use (back into the pool, where the next allocation of its size class takes
//! it). Matmul runs through the driver's gemm (cuBLAS; [`super::cuda_matmul`]). Steps the device
//! cannot run yet (other extern ops, kernels the renderer declines) are explicit host
//! round trips: their device operands are copied to the host, the CPU runs the step, and its results
//! are copied back; [`transfer_stats`] counts them and `explain` lists them. Sorting, scans, gathers,
//! concat, searchsorted, argmax/argmin and the scatter of `__setitem__` run as device kernels instead
//! (`cuda_extern`, [`extern_device_family`]).
//!
//! [`pool`]: super::pool
//! [`driver`]: super::driver

use super::driver::{self, DevPtr, Driver};
use super::pool::{DeviceBlock, DevicePool, DevicePoolStats};
use super::{Backend, BackendKind, KernelKey};
use crate::buffer::{ArrayData, Buffer};
use crate::cache::Lru;
use crate::cuda::{self as nvrtc, Output};
use crate::exec::{run_extern_step, run_kernel_step, StepReport};
use lazulite_codegen_cuda::{ArgsLayout, Pass, ReductionPlan};
use lazulite_ir::cancel::Cancel;
use lazulite_ir::shape::contiguous_strides;
use lazulite_ir::{
    bail, ensure, BufferRef, Device, Error, ErrorKind, ExternStep, Kernel, KernelStep, Result,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

mod cuda_extern;
pub use cuda_extern::device_family as extern_device_family;

/// Compiled modules kept per process.
const CODE_CACHE_CAPACITY: usize = 1024;
/// Threads per block of elementwise kernels.
pub const ELEMENTWISE_BLOCK: u32 = 256;
/// Resident blocks per multiprocessor a grid-stride launch aims for.
const BLOCKS_PER_SM: u32 = 32;

/// A kernel for one GPU architecture: its entry name, its CUDA C translation unit, and the NVRTC image:
/// PTX for an offline backend, a CUBIN for an open device (through the disk cache,
/// [`crate::disk_cache`]), empty when the device loads source (the emulator).
#[derive(Debug)]
pub struct CudaCode {
    pub name: String,
    pub source: String,
    /// The NVRTC image (PTX text, or a CUBIN when `cubin`).
    pub ptx: Vec<u8>,
    pub cubin: bool,
}

/// Device memory: a block of the device's pool.
pub type CudaMem = DeviceBlock;

/// `(grid, block)` of the launch of `kernel` over loop `shape` on a device with `multiprocessors`:
/// elementwise kernels are grid-stride loops of [`ELEMENTWISE_BLOCK`] threads, with at most
/// `BLOCKS_PER_SM` blocks per multiprocessor; reductions take one block of
/// `lazulite_codegen_cuda::REDUCE_BLOCK` threads per outer point, in a grid-stride loop over blocks.
/// `None` when there is nothing to do (no outer point).
pub fn launch_shape(kernel: &Kernel, shape: &[usize], multiprocessors: u32) -> Option<(u32, u32)> {
    let outer: usize = shape[..kernel.n_outer()].iter().product();
    if outer == 0 {
        return None;
    }
    let cap = (multiprocessors.max(1) as usize) * BLOCKS_PER_SM as usize;
    if kernel.n_reduce == 0 {
        let blocks = outer.div_ceil(ELEMENTWISE_BLOCK as usize).clamp(1, cap);
        Some((blocks as u32, ELEMENTWISE_BLOCK))
    } else {
        let blocks = outer.clamp(1, cap);
        Some((blocks as u32, lazulite_codegen_cuda::REDUCE_BLOCK))
    }
}

/// The launches of `kernel` (rendered as `name`) over loop `shape`: one pass with the grid and block of
/// [`launch_shape`], or, for a reduction whose plan ([`lazulite_codegen_cuda::reduction_plan`]) is
/// grid-wide, `<name>_partial` then `<name>_final` with a partials buffer. `None` when there is nothing
/// to do (no outer point).
pub fn launch_plan(
    kernel: &Kernel,
    name: &str,
    shape: &[usize],
    multiprocessors: u32,
) -> Result<Option<ReductionPlan>> {
    let Some((grid, block)) = launch_shape(kernel, shape, multiprocessors) else {
        return Ok(None);
    };
    if kernel.n_reduce > 0 {
        let plan = lazulite_codegen_cuda::reduction_plan(kernel, name, shape)?;
        if plan.passes.len() == 2 {
            return Ok(Some(plan));
        }
    }
    Ok(Some(ReductionPlan {
        n_chunks: 1,
        passes: vec![Pass {
            entry: name.to_string(),
            grid,
            block,
        }],
        partials_bytes: 0,
    }))
}

/// Bytes moved between the host and CUDA devices, process-wide (see [`transfer_stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransferStats {
    pub host_to_device_bytes: u64,
    pub device_to_host_bytes: u64,
    /// Steps that ran on the host with their operands copied out and results copied back.
    pub host_round_trips: u64,
    /// Kernel launches (a grid-wide reduction counts its two passes).
    pub launches: u64,
    /// Reduction steps launched as two passes (`_partial` then `_final`).
    pub two_pass_reductions: u64,
}

pub(super) static H2D: AtomicU64 = AtomicU64::new(0);
static D2H: AtomicU64 = AtomicU64::new(0);
static ROUND_TRIPS: AtomicU64 = AtomicU64::new(0);
pub(super) static LAUNCHES: AtomicU64 = AtomicU64::new(0);
static TWO_PASS: AtomicU64 = AtomicU64::new(0);

/// What crossed between the host and CUDA devices since the process started.
pub fn transfer_stats() -> TransferStats {
    TransferStats {
        host_to_device_bytes: H2D.load(Ordering::Relaxed),
        device_to_host_bytes: D2H.load(Ordering::Relaxed),
        host_round_trips: ROUND_TRIPS.load(Ordering::Relaxed),
        launches: LAUNCHES.load(Ordering::Relaxed),
        two_pass_reductions: TWO_PASS.load(Ordering::Relaxed),
    }
}

/// One open CUDA device: its driver, its memory pool and the functions loaded on it.
pub struct CudaDevice {
    ordinal: u16,
    pool: Arc<DevicePool>,
    /// The loaded module of each kernel.
    modules: Mutex<HashMap<KernelKey, u64>>,
    /// Loaded functions by kernel and entry point (`<name>`, `<name>_partial`, `<name>_final`).
    functions: Mutex<HashMap<(KernelKey, String), u64>>,
}

impl CudaDevice {
    /// CUDA device `ordinal` (opened once per process).
    pub fn get(ordinal: u16) -> Result<Arc<CudaDevice>> {
        static DEVICES: OnceLock<Mutex<HashMap<u16, Arc<CudaDevice>>>> = OnceLock::new();
        let mut g = DEVICES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(d) = g.get(&ordinal) {
            return Ok(d.clone());
        }
        let drv = driver::open(ordinal)?;
        let d = Arc::new(CudaDevice {
            ordinal,
            pool: Arc::new(DevicePool::new(drv)),
            modules: Mutex::new(HashMap::new()),
            functions: Mutex::new(HashMap::new()),
        });
        g.insert(ordinal, d.clone());
        Ok(d)
    }

    pub fn ordinal(&self) -> u16 {
        self.ordinal
    }

    pub fn driver(&self) -> &Arc<dyn Driver> {
        self.pool.driver()
    }

    pub fn pool(&self) -> &Arc<DevicePool> {
        &self.pool
    }

    pub fn pool_stats(&self) -> DevicePoolStats {
        self.pool.stats()
    }

    /// A block of `bytes` from the pool.
    pub fn alloc(&self, what: &str, bytes: usize) -> Result<DeviceBlock> {
        self.pool.alloc(what, bytes)
    }

    /// A device copy of `src`.
    pub fn upload(&self, what: &str, src: &[u8]) -> Result<DeviceBlock> {
        let b = self.alloc(what, src.len())?;
        if !src.is_empty() {
            self.driver().copy_htod(src, b.ptr())?;
            H2D.fetch_add(src.len() as u64, Ordering::Relaxed);
        }
        Ok(b)
    }

    /// The first `len` bytes of device memory at `src`, in a new host buffer.
    pub fn download(&self, src: DevPtr, len: usize) -> Result<Arc<Buffer>> {
        let out = Buffer::alloc(len)?;
        if len > 0 {
            let p = out.as_mut_ptr()?;
            // SAFETY: `out` is a fresh pooled buffer of `len` bytes that nothing else references.
            let dst = unsafe { std::slice::from_raw_parts_mut(p, len) };
            self.driver().copy_dtoh(src, dst)?;
            D2H.fetch_add(len as u64, Ordering::Relaxed);
        }
        Ok(Arc::new(out))
    }
}

/// CUDA device `ordinal`, compiling for `arch`.
pub struct CudaBackend {
    ordinal: u16,
    arch: Arc<str>,
    /// `None` for a compile-only backend ([`CudaBackend::offline`]).
    device: Option<Arc<CudaDevice>>,
    /// Scalar parameters (host inputs) copied to the device for this backend's schedule, by slot.
    staged: Mutex<HashMap<usize, Arc<DeviceBlock>>>,
}

impl CudaBackend {
    /// Opens CUDA device `ordinal`: a `Value` error (no panic) when there is no driver or no such device.
    pub fn open(ordinal: u16) -> Result<CudaBackend> {
        let device = CudaDevice::get(ordinal)?;
        let info = device.driver().info();
        let arch = if info.loads_source {
            format!("{}-emulated", info.arch)
        } else {
            info.arch.clone()
        };
        Ok(CudaBackend {
            ordinal,
            arch: arch.into(),
            device: Some(device),
            staged: Mutex::new(HashMap::new()),
        })
    }

    /// A backend that only compiles, for `arch` (`sm_90`), with no device: what CI checks without a GPU.
    /// Its memory and launch calls are errors.
    pub fn offline(arch: &str) -> CudaBackend {
        CudaBackend {
            ordinal: 0,
            arch: arch.into(),
            device: None,
            staged: Mutex::new(HashMap::new()),
        }
    }

    /// The open device (an error for an offline backend).
    pub fn cuda_device(&self) -> Result<&Arc<CudaDevice>> {
        match &self.device {
            Some(d) => Ok(d),
            None => bail!(
                Value,
                "device cuda:{} is not available: this CUDA backend compiles only (no NVIDIA driver \
                 was opened); use the CPU device",
                self.ordinal
            ),
        }
    }

    fn loads_source(&self) -> bool {
        self.device
            .as_ref()
            .is_some_and(|d| d.driver().info().loads_source)
    }

    /// [`Backend::compile`] through a process-wide cache keyed by (kernel, backend, target).
    pub fn compile_cached(&self, kernel: &Arc<Kernel>) -> Result<Arc<CudaCode>> {
        static CACHE: OnceLock<Mutex<Lru<KernelKey, Arc<CudaCode>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(Lru::new()));
        let key = self.key(kernel);
        if let Some(c) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(c);
        }
        let code = Arc::new(self.compile(kernel)?);
        cache.lock().unwrap_or_else(|e| e.into_inner()).insert(
            key,
            code.clone(),
            CODE_CACHE_CAPACITY,
        );
        Ok(code)
    }

    /// The loaded entry point `entry` (the kernel's own name when `None`) of `kernel` on the device
    /// (compiled and loaded on first use).
    pub(super) fn function(
        &self,
        kernel: &Arc<Kernel>,
        entry: Option<&str>,
    ) -> Result<(u64, Arc<CudaCode>)> {
        let dev = self.cuda_device()?;
        let code = self.compile_cached(kernel)?;
        let key = self.key(kernel);
        let fkey = (key.clone(), entry.unwrap_or(&code.name).to_string());
        if let Some(&f) = dev
            .functions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&fkey)
        {
            return Ok((f, code));
        }
        let loaded = dev
            .modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .copied();
        let module = match loaded {
            Some(m) => m,
            None => {
                let image = if self.loads_source() {
                    code.source.as_bytes().to_vec()
                } else if code.cubin {
                    code.ptx.clone()
                } else {
                    let mut p = code.ptx.clone();
                    p.push(0);
                    p
                };
                let m = dev.driver().load_module(&image)?;
                dev.modules
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key, m);
                m
            }
        };
        let f = dev.driver().function(module, &fkey.1)?;
        dev.functions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(fkey, f);
        Ok((f, code))
    }

    /// The device address of input slot `i`'s buffer: its own memory when it lives on this device,
    /// else (a host scalar parameter, the one host input the executor lets through) a device copy
    /// made on first use.
    fn input_base(&self, i: usize, a: &ArrayData) -> Result<DevPtr> {
        if let Some(p) = a.buffer.device_ptr() {
            ensure!(
                a.device() == self.device(),
                Value,
                "compute: input {i} lives on {} but the computation runs on {}; move it with \
                 to_device first",
                a.device(),
                self.device()
            );
            return Ok(p);
        }
        let mut g = self.staged.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = g.get(&i) {
            return Ok(b.ptr());
        }
        let b = Arc::new(self.cuda_device()?.upload(
            &format!("input {i} of the computation"),
            a.buffer.as_slice()?,
        )?);
        g.insert(i, b.clone());
        Ok(b.ptr())
    }

    /// The device address of element `off` (elements of `size` bytes) of buffer `b`.
    pub(super) fn elem_addr(
        &self,
        si: usize,
        inputs: &[ArrayData],
        temps: &[Option<CudaMem>],
        b: BufferRef,
        off: isize,
        size: usize,
    ) -> Result<u64> {
        let (base, elems) = match b {
            BufferRef::Input(i) => {
                let a = &inputs[i as usize];
                (self.input_base(i as usize, a)?, a.offset + off)
            }
            BufferRef::Temp(t) => match &temps[t as usize] {
                Some(m) => (m.ptr(), off),
                None => bail!(
                    Internal,
                    "execute: step {si} reads temp {t} before any step wrote it"
                ),
            },
        };
        Ok(base.wrapping_add_signed((elems * size as isize) as i64))
    }

    /// Runs `run` (a CPU step runner) on host copies of the step's operands and copies its outputs
    /// back to their device temps: the explicit host round trip of a step the device cannot run.
    fn host_round_trip(
        &self,
        reads: &[BufferRef],
        writes: &[u32],
        inputs: &[ArrayData],
        temps: &[Option<CudaMem>],
        run: impl FnOnce(&[ArrayData], &[Option<Arc<Buffer>>]) -> Result<StepReport>,
    ) -> Result<StepReport> {
        let dev = self.cuda_device()?;
        // inputs the step reads that live on the device, copied whole (their layouts stay valid)
        let mut host_inputs: Vec<ArrayData> = inputs.to_vec();
        let mut host: Vec<Option<Arc<Buffer>>> = vec![None; temps.len()];
        for b in reads {
            if let BufferRef::Input(i) = *b {
                let a = &mut host_inputs[i as usize];
                if let Some(p) = a.buffer.device_ptr() {
                    a.buffer = dev.download(p, a.buffer.len())?;
                }
            }
            if let BufferRef::Temp(t) = *b {
                if host[t as usize].is_none() {
                    let Some(m) = &temps[t as usize] else {
                        bail!(
                            Internal,
                            "execute: host round trip reads temp {t} before any step wrote it"
                        );
                    };
                    host[t as usize] = Some(dev.download(m.ptr(), m.len())?);
                }
            }
        }
        for &t in writes {
            let Some(m) = &temps[t as usize] else {
                bail!(
                    Internal,
                    "execute: host round trip writes unallocated temp {t}"
                );
            };
            host[t as usize] = Some(Arc::new(Buffer::alloc(m.len())?));
        }
        let mut report = run(&host_inputs, &host)?;
        for &t in writes {
            if let (Some(m), Some(h)) = (&temps[t as usize], &host[t as usize]) {
                if !h.is_empty() {
                    dev.driver().copy_htod(h.as_slice()?, m.ptr())?;
                    H2D.fetch_add(h.len() as u64, Ordering::Relaxed);
                }
            }
        }
        ROUND_TRIPS.fetch_add(1, Ordering::Relaxed);
        report.label = format!("{} (host round trip)", report.label);
        Ok(report)
    }
}

/// Whether `strides` walk `shape` C-contiguously (size-1 dims are free).
fn is_c_contiguous(strides: &[isize], shape: &[usize]) -> bool {
    let want = contiguous_strides(shape);
    strides
        .iter()
        .zip(&want)
        .zip(shape)
        .all(|((&a, &b), &n)| n <= 1 || a == b)
}

impl Backend for CudaBackend {
    type Mem = CudaMem;
    type Code = CudaCode;

    fn device(&self) -> Device {
        Device::Cuda(self.ordinal)
    }

    fn kind(&self) -> BackendKind {
        BackendKind::Cuda
    }

    fn target(&self) -> Arc<str> {
        self.arch.clone()
    }

    fn compile(&self, kernel: &Kernel) -> Result<CudaCode> {
        let name = lazulite_codegen_cuda::kernel_name(kernel);
        let src = lazulite_codegen_cuda::render(kernel, &name)?;
        let source = lazulite_codegen_cuda::translation_unit([src.as_str()]);
        let (ptx, cubin) = if self.loads_source() {
            (Vec::new(), false)
        } else if self.device.is_some() {
            // a CUBIN for the device's own architecture: no JIT at load, and cached on disk
            let key = crate::disk_cache::kernel_key(
                &source,
                &self.arch,
                "cubin",
                nvrtc::nvrtc_version()?,
            );
            let bin = crate::disk_cache::get_or_compile(&key, || {
                nvrtc::compile(&source, &self.arch, Output::Cubin)
            })?;
            (bin, true)
        } else {
            (nvrtc::compile(&source, &self.arch, Output::Ptx)?, false)
        };
        Ok(CudaCode {
            name,
            source,
            ptx,
            cubin,
        })
    }

    fn allocate(&self, what: &str, bytes: usize) -> Result<CudaMem> {
        self.cuda_device()?.alloc(what, bytes)
    }

    fn copy_from_host(&self, src: &[u8], dst: &mut CudaMem) -> Result<()> {
        let dev = self.cuda_device()?;
        ensure!(
            src.len() <= dst.len(),
            Internal,
            "cuda backend: copying {} bytes into a buffer of {}",
            src.len(),
            dst.len()
        );
        if src.is_empty() {
            return Ok(());
        }
        dev.driver().copy_htod(src, dst.ptr())?;
        H2D.fetch_add(src.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn copy_to_host(&self, src: &CudaMem) -> Result<Arc<Buffer>> {
        self.cuda_device()?.download(src.ptr(), src.len())
    }

    fn result_buffer(&self, mem: CudaMem) -> Result<Arc<Buffer>> {
        Ok(Arc::new(Buffer::from_device(mem, self.ordinal)))
    }

    fn launch(
        &self,
        si: usize,
        step: &KernelStep,
        inputs: &[ArrayData],
        temps: &[Option<CudaMem>],
        cancel: &Cancel,
    ) -> Result<StepReport> {
        let dev = self.cuda_device()?;
        let k = &step.kernel;
        let label = if step.label.is_empty() {
            "kernel"
        } else {
            step.label.as_str()
        };
        if launch_shape(k, &step.shape, dev.driver().info().multiprocessors).is_none() {
            return Ok(StepReport {
                label: step.label.clone(),
                compiled: true,
                chunks: 0,
            });
        }
        let (func, code) = match self.function(k, None) {
            Ok(f) => f,
            Err(e) if e.kind == ErrorKind::NotImplemented => {
                // the renderer declines this kernel (an op with no CUDA definition yet): run it on the
                // host, explicitly
                let reads: Vec<BufferRef> = step.inputs.iter().map(|o| o.buffer).collect();
                let writes: Vec<u32> = step
                    .outputs
                    .iter()
                    .filter_map(|o| match o.buffer {
                        BufferRef::Temp(t) => Some(t),
                        BufferRef::Input(_) => None,
                    })
                    .collect();
                return self.host_round_trip(&reads, &writes, inputs, temps, |ins, host| {
                    run_kernel_step(si, step, ins, host, cancel)
                });
            }
            Err(e) => return Err(e),
        };
        let n_outer = k.n_outer();
        let lay = ArgsLayout::of(k);
        let lens = lay.field_lens();
        let mut args: Vec<u8> = Vec::with_capacity(lay.size_bytes());
        let mut field = |vals: &[u64], len: usize| {
            for i in 0..len {
                args.extend_from_slice(&vals.get(i).copied().unwrap_or(0).to_le_bytes());
            }
        };
        let mut contiguous = k.n_reduce == 0;
        let mut in_ptrs = Vec::with_capacity(step.inputs.len());
        let mut in_strides = Vec::with_capacity(step.inputs.len() * step.shape.len());
        for (op, ki) in step.inputs.iter().zip(&k.inputs) {
            in_ptrs.push(self.elem_addr(
                si,
                inputs,
                temps,
                op.buffer,
                op.offset,
                ki.dtype.size(),
            )?);
            in_strides.extend(op.strides.iter().map(|&s| s as i64 as u64));
            contiguous &= is_c_contiguous(&op.strides, &step.shape);
        }
        let mut out_ptrs = Vec::with_capacity(step.outputs.len());
        let mut out_strides = Vec::new();
        for (op, ko) in step.outputs.iter().zip(&k.outputs) {
            out_ptrs.push(self.elem_addr(
                si,
                inputs,
                temps,
                op.buffer,
                op.offset,
                ko.dtype.size(),
            )?);
            let s = &op.strides[..n_outer.min(op.strides.len())];
            out_strides.extend(s.iter().map(|&s| s as i64 as u64));
            contiguous &= is_c_contiguous(s, &step.shape[..n_outer]);
        }
        let shape: Vec<u64> = step.shape.iter().map(|&n| n as u64).collect();
        field(&in_ptrs, lens[0]);
        field(&out_ptrs, lens[1]);
        field(&shape, lens[2]);
        field(&in_strides, lens[3]);
        field(&out_strides, lens[4]);
        field(&[contiguous as u64], lens[5]);
        ensure!(
            args.len() == lay.size_bytes(),
            Internal,
            "execute: step {si} ({label}): argument struct of {} bytes, {} expected",
            args.len(),
            lay.size_bytes()
        );
        cancel.check("compute")?;
        let Some(plan) = launch_plan(
            k,
            &code.name,
            &step.shape,
            dev.driver().info().multiprocessors,
        )?
        else {
            bail!(Internal, "execute: step {si} ({label}): no launch plan");
        };
        let launch_one = |func: u64, pass: &Pass, params: &[&[u8]]| -> Result<()> {
            dev.driver()
                .launch(func, pass.grid, pass.block, 0, params)
                .map_err(|e| {
                    Error::new(
                        if e.kind == ErrorKind::Memory {
                            ErrorKind::Memory
                        } else {
                            ErrorKind::Internal
                        },
                        format!(
                            "execute: step {si} ({label}): kernel {} on cuda:{} (grid {} x block {}, \
                             loop {:?}) failed to launch: {}",
                            pass.entry,
                            self.ordinal,
                            pass.grid,
                            pass.block,
                            step.shape.as_slice(),
                            e.message
                        ),
                    )
                })?;
            LAUNCHES.fetch_add(1, Ordering::Relaxed);
            Ok(())
        };
        if let [partial, fin] = plan.passes.as_slice() {
            // the grid-wide reduction: pass 1 writes n_outer * n_chunks partials per reduction into a
            // pooled buffer, pass 2 folds them; both on the device's one stream, so the buffer goes
            // back to the pool (stream-ordered) when this step returns
            let (f_partial, _) = self.function(k, Some(&partial.entry))?;
            let (f_final, _) = self.function(k, Some(&fin.entry))?;
            let partials = dev.alloc(
                &format!("reduction partials of step {si} ({label})"),
                plan.partials_bytes,
            )?;
            let ptr = partials.ptr().to_le_bytes();
            let n_chunks = (plan.n_chunks as i64).to_le_bytes();
            let params: [&[u8]; 3] = [&args, &ptr, &n_chunks];
            launch_one(f_partial, partial, &params)?;
            cancel.check("compute")?;
            launch_one(f_final, fin, &params)?;
            TWO_PASS.fetch_add(1, Ordering::Relaxed);
            drop(partials);
        } else {
            launch_one(func, &plan.passes[0], &[&args])?;
        }
        Ok(StepReport {
            label: step.label.clone(),
            compiled: true,
            chunks: plan.passes[0].grid as usize,
        })
    }

    fn run_extern(
        &self,
        si: usize,
        step: &ExternStep,
        inputs: &[ArrayData],
        temps: &[Option<CudaMem>],
        cancel: &Cancel,
    ) -> Result<StepReport> {
        // device kernels for sort, scans, gathers, concat, searchsorted, arg-extrema, scatter
        if let Some(report) = cuda_extern::run(self, si, step, inputs, temps, cancel)? {
            return Ok(report);
        }
        // matmul of float and complex dtypes: the driver's gemm (cuBLAS)
        if let Some(report) = super::cuda_matmul::run(self, si, step, inputs, temps, cancel)? {
            return Ok(report);
        }
        // anything else: an explicit host round trip
        let reads: Vec<BufferRef> = step.inputs.iter().map(|o| o.buffer).collect();
        let writes: Vec<u32> = step.outputs.iter().map(|o| o.temp).collect();
        self.host_round_trip(&reads, &writes, inputs, temps, |ins, host| {
            run_extern_step(si, step, ins, host, cancel)
        })
    }
}
