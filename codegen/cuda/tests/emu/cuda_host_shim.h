// Host emulation of the CUDA C subset lazulite's generated kernels use. TEST TOOL ONLY: it lets g++
// run the exact source NVRTC compiles, to check indexing, grid-stride bounds, reduction trees, warp
// shuffles and barrier placement against the interpreter on machines without a GPU.
//
// Blocks run one after another. The threads of a block are cooperative fibers (ucontext) on the
// calling OS thread, so a barrier costs a context switch, not a kernel wake-up: `__syncthreads()` waits
// for the whole block, `__shfl_down_sync` exchanges through per-thread slots between two waits of its
// warp (every lane of the warp must call it, as in CUDA with a full mask). `__shared__` is `static`:
// blocks never overlap, so one copy serves each block in turn. A barrier that can never complete (a
// thread finished while others wait) aborts with a message instead of hanging.
// It does not model FTZ, approximate math or memory ordering (the kernels use none of them).
#pragma once
#include <ucontext.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
};
inline dim3 threadIdx, blockIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __restrict__ __restrict
#define __shared__ static

struct LzEmuFiber {
  ucontext_t ctx;
  char* stack = nullptr;
  bool done = false;
};
struct LzEmuBarrier {
  unsigned expected = 0, arrived = 0;
  unsigned long long generation = 0;
};
inline constexpr size_t lz_emu_stack_bytes = 256 * 1024;
inline std::vector<LzEmuFiber> lz_emu_fibers;
inline ucontext_t lz_emu_sched;
inline unsigned lz_emu_cur = 0;
inline LzEmuBarrier lz_emu_block_bar;
inline std::vector<LzEmuBarrier> lz_emu_warp_bars;
inline std::vector<std::array<unsigned char, 16>> lz_emu_slots;
inline std::function<void()> lz_emu_entry;

inline void lz_emu_yield() { swapcontext(&lz_emu_fibers[lz_emu_cur].ctx, &lz_emu_sched); }

inline void lz_emu_wait(LzEmuBarrier& b) {
  const unsigned long long gen = b.generation;
  if (++b.arrived == b.expected) {
    b.arrived = 0;
    ++b.generation;
    return;
  }
  while (b.generation == gen) lz_emu_yield();
}

inline void __syncthreads() { lz_emu_wait(lz_emu_block_bar); }

template <class T>
inline T __shfl_down_sync(unsigned, T v, int offset) {
  static_assert(sizeof(T) <= 16, "shuffle of a value wider than a slot");
  const unsigned t = threadIdx.x, warp = t / 32, lane = t % 32;
  std::memcpy(lz_emu_slots[t].data(), &v, sizeof(T));
  lz_emu_wait(lz_emu_warp_bars[warp]);
  T r = v;
  if (lane + offset < 32 && t + offset < blockDim.x) std::memcpy(&r, lz_emu_slots[t + offset].data(), sizeof(T));
  lz_emu_wait(lz_emu_warp_bars[warp]);
  return r;
}

// Atomics (the extern kernels' index flag): the threads of a launch are fibers on one OS thread and switch only at barriers, so a
// read-modify-write is atomic as written.
inline unsigned long long atomicMin(unsigned long long* p, unsigned long long v) {
  const unsigned long long old = *p;
  if (v < old) *p = v;
  return old;
}

inline double __longlong_as_double(long long v) { double d; std::memcpy(&d, &v, 8); return d; }
inline long long __double_as_longlong(double d) { long long v; std::memcpy(&v, &d, 8); return v; }
inline float __int_as_float(int v) { float f; std::memcpy(&f, &v, 4); return f; }
inline int __float_as_int(float f) { int v; std::memcpy(&v, &f, 4); return v; }

inline void lz_emu_trampoline() {
  lz_emu_entry();
  lz_emu_fibers[lz_emu_cur].done = true;
  // returning resumes uc_link, the scheduler
}

/// Runs `body` as a kernel of `grid` blocks of `block` threads on the host (`body` calls the kernel
/// function with its arguments).
inline void lz_emu_launch_fn(unsigned grid, unsigned block, std::function<void()> body) {
  gridDim = {grid, 1, 1};
  blockDim = {block, 1, 1};
  lz_emu_fibers.resize(block);
  for (auto& f : lz_emu_fibers)
    if (!f.stack) f.stack = static_cast<char*>(std::malloc(lz_emu_stack_bytes));
  lz_emu_slots.assign(block, {});
  lz_emu_entry = std::move(body);
  for (unsigned b = 0; b < grid; ++b) {
    blockIdx = {b, 1, 1};
    lz_emu_block_bar = {block, 0, 0};
    lz_emu_warp_bars.assign((block + 31) / 32, {});
    for (unsigned w = 0; w < lz_emu_warp_bars.size(); ++w)
      lz_emu_warp_bars[w].expected = block - w * 32 < 32 ? block - w * 32 : 32;
    for (unsigned t = 0; t < block; ++t) {
      LzEmuFiber& f = lz_emu_fibers[t];
      f.done = false;
      getcontext(&f.ctx);
      f.ctx.uc_stack.ss_sp = f.stack;
      f.ctx.uc_stack.ss_size = lz_emu_stack_bytes;
      f.ctx.uc_link = &lz_emu_sched;
      makecontext(&f.ctx, lz_emu_trampoline, 0);
    }
    for (unsigned live = block; live > 0;) {
      live = 0;
      unsigned finished_now = 0;
      for (unsigned t = 0; t < block; ++t) {
        LzEmuFiber& f = lz_emu_fibers[t];
        if (f.done) continue;
        lz_emu_cur = t;
        threadIdx = {t, 1, 1};
        swapcontext(&lz_emu_sched, &f.ctx);
        if (f.done) ++finished_now; else ++live;
      }
      if (live > 0 && finished_now > 0 && lz_emu_block_bar.arrived > 0) {
        std::fprintf(stderr, "emulator: a thread exited while others wait at __syncthreads\n");
        std::abort();
      }
    }
  }
}

/// Runs `kernel<<<grid, block>>>(args)` on the host.
template <class A>
void lz_emu_launch(void (*kernel)(A), unsigned grid, unsigned block, const A& args) {
  lz_emu_launch_fn(grid, block, [&] { kernel(args); });
}
