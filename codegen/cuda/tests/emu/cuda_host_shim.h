// Host emulation of the CUDA C subset lazulite's generated kernels use. TEST TOOL ONLY: it lets g++
// run the exact source NVRTC compiles, to check indexing, grid-stride bounds, reduction trees, warp
// shuffles and barrier placement against the interpreter on machines without a GPU.
//
// Blocks run one after another; the `blockDim.x` threads of a launch are OS threads that stay alive
// across blocks. `__syncthreads()` is a block-wide barrier; `__shfl_down_sync` exchanges through a
// per-thread slot with a per-warp barrier (every lane of the warp must call it, as in CUDA with a full
// mask). `__shared__` is `static`: blocks never overlap, so one copy serves each block in turn.
// It does not model FTZ, approximate math or memory ordering (the kernels use none of them).
#pragma once
#include <array>
#include <barrier>
#include <cmath>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
};
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __shared__ static

inline std::barrier<>* lz_emu_block_bar = nullptr;
inline std::vector<std::unique_ptr<std::barrier<>>> lz_emu_warp_bars;
inline std::vector<std::array<unsigned char, 16>> lz_emu_slots;

inline void __syncthreads() { lz_emu_block_bar->arrive_and_wait(); }

template <class T>
inline T __shfl_down_sync(unsigned, T v, int offset) {
  static_assert(sizeof(T) <= 16, "shuffle of a value wider than a slot");
  const unsigned t = threadIdx.x, warp = t / 32, lane = t % 32;
  std::memcpy(lz_emu_slots[t].data(), &v, sizeof(T));
  lz_emu_warp_bars[warp]->arrive_and_wait();
  T r = v;
  if (lane + offset < 32 && t + offset < blockDim.x) std::memcpy(&r, lz_emu_slots[t + offset].data(), sizeof(T));
  lz_emu_warp_bars[warp]->arrive_and_wait();
  return r;
}

inline double __longlong_as_double(long long v) { double d; std::memcpy(&d, &v, 8); return d; }
inline long long __double_as_longlong(double d) { long long v; std::memcpy(&v, &d, 8); return v; }
inline float __int_as_float(int v) { float f; std::memcpy(&f, &v, 4); return f; }
inline int __float_as_int(float f) { int v; std::memcpy(&v, &f, 4); return v; }

/// Runs `kernel<<<grid, block>>>(args)` on the host.
template <class A>
void lz_emu_launch(void (*kernel)(A), unsigned grid, unsigned block, const A& args) {
  gridDim = {grid, 1, 1};
  blockDim = {block, 1, 1};
  std::barrier<> bar(block);
  lz_emu_block_bar = &bar;
  lz_emu_warp_bars.clear();
  for (unsigned w = 0; w * 32 < block; ++w)
    lz_emu_warp_bars.push_back(std::make_unique<std::barrier<>>(block - w * 32 < 32 ? block - w * 32 : 32));
  lz_emu_slots.assign(block, {});
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < block; ++t)
    threads.emplace_back([&, t] {
      threadIdx = {t, 1, 1};
      for (unsigned b = 0; b < grid; ++b) {
        blockIdx = {b, 1, 1};
        kernel(args);
        bar.arrive_and_wait();
      }
    });
  for (auto& th : threads) th.join();
}
