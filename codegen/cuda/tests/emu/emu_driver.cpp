// An emulated CUDA device for lazulite's CUDA backend. TEST TOOL ONLY: built into a shared library by
// `make emu-driver` (or by the Rust tests) and loaded by the runtime when `LAZULITE_CUDA_EMULATOR`
// names it. It implements the runtime's small driver interface (`runtime/src/backend/driver.rs`) with a
// C ABI: "device memory" is host memory (an allocation's address is its device pointer, so a byte
// budget stands for the device's size), and a module is the CUDA C source the runtime would give NVRTC,
// compiled by g++ with `cuda_host_shim.h` into a shared library (cached by source hash) and dlopened.
// Launches run one at a time on the calling thread (blocks in turn, threads as fibers).
// `lzemu_gemm_strided_batched` stands in for cuBLAS's `cublas<T>gemmStridedBatched`: a plain reference
// loop with cuBLAS's column-major conventions and argument checks, which also checks that every matrix
// it touches lies inside one live allocation (what a real GPU would fault on, or silently read).
//
// Environment: LAZULITE_CUDA_EMULATOR_MEMORY (bytes of device memory, default 1 GiB),
// LAZULITE_CUDA_EMULATOR_FAIL_LAUNCH=1 (every launch fails with CUDA_ERROR_LAUNCH_FAILED, for tests),
// LAZULITE_CUDA_EMULATOR_CACHE (where compiled modules go, default $TMPDIR/lazulite-cuda-emu-<uid>),
// CXX (the compiler, default g++).
#include <dlfcn.h>
#include <unistd.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#ifndef LZ_EMU_SHIM_DIR
#error "build with -DLZ_EMU_SHIM_DIR=\"<folder of cuda_host_shim.h>\""
#endif

namespace {
// part of a compiled module's cache key: bump when the generated entry wrappers change
constexpr const char* kWrapperAbi = "lzemu-abi-2\n";
std::mutex g_mutex;
std::map<uint64_t, size_t> g_allocs;
size_t g_used = 0;
std::atomic<unsigned long long> g_launches{0}, g_modules_compiled{0};

size_t budget() {
  static size_t b = [] {
    const char* s = std::getenv("LAZULITE_CUDA_EMULATOR_MEMORY");
    return s ? static_cast<size_t>(std::strtoull(s, nullptr, 10)) : size_t(1) << 30;
  }();
  return b;
}

void set_err(char* err, size_t len, const std::string& msg) {
  if (!err || len == 0) return;
  std::snprintf(err, len, "%s", msg.c_str());
}

std::string cache_dir() {
  if (const char* d = std::getenv("LAZULITE_CUDA_EMULATOR_CACHE")) return d;
  const char* t = std::getenv("TMPDIR");
  return std::string(t ? t : "/tmp") + "/lazulite-cuda-emu-" + std::to_string(getuid());
}

struct Module {
  void* lib;
};
std::map<uint64_t, Module> g_modules;
uint64_t g_next_module = 1;
}  // namespace

extern "C" {

/// Total bytes of emulated device memory.
unsigned long long lzemu_total_bytes() { return budget(); }

/// Bytes in use.
unsigned long long lzemu_used_bytes() {
  std::lock_guard<std::mutex> g(g_mutex);
  return g_used;
}

unsigned long long lzemu_launches() { return g_launches.load(); }
unsigned long long lzemu_modules_compiled() { return g_modules_compiled.load(); }

/// 0: ok; 2: out of memory (CUDA_ERROR_OUT_OF_MEMORY).
int lzemu_alloc(size_t bytes, uint64_t* out) {
  std::lock_guard<std::mutex> g(g_mutex);
  size_t n = bytes == 0 ? 1 : bytes;
  if (n > budget() - g_used) return 2;
  void* p = std::aligned_alloc(256, (n + 255) / 256 * 256);
  if (!p) return 2;
  std::memset(p, 0xA5, n);  // garbage, as real device memory would hold
  g_allocs[reinterpret_cast<uint64_t>(p)] = n;
  g_used += n;
  *out = reinterpret_cast<uint64_t>(p);
  return 0;
}

/// 0: ok; 1: not an allocation.
int lzemu_free(uint64_t p) {
  std::lock_guard<std::mutex> g(g_mutex);
  auto it = g_allocs.find(p);
  if (it == g_allocs.end()) return 1;
  g_used -= it->second;
  g_allocs.erase(it);
  std::free(reinterpret_cast<void*>(p));
  return 0;
}

/// Copies between "device" and host memory (both are host addresses here).
int lzemu_memcpy(uint64_t dst, uint64_t src, size_t bytes) {
  if (bytes) std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
  return 0;
}

/// Compiles CUDA C `src` (as given to NVRTC) with g++ and the shim; `*module` is its handle.
int lzemu_load(const char* src, size_t len, uint64_t* module, char* err, size_t errlen) {
  std::string source(src, len);
  std::string dir = cache_dir();
  mkdir(dir.c_str(), 0700);
  char hash[32];
  std::snprintf(hash, sizeof hash, "%016zx", std::hash<std::string>{}(std::string(kWrapperAbi) + source));
  std::string base = dir + "/m" + hash;
  std::string so = base + ".so";
  if (access(so.c_str(), R_OK) != 0) {
    std::ostringstream unit;
    unit << "#include \"cuda_host_shim.h\"\n#include <tuple>\n#include <type_traits>\n#include <utility>\n" << source << "\n";
    // every parameter is copied from its own bytes (`p[i]`, as cuLaunchKernel's kernelParams), so
    // entries of one struct (`<name>`) and of several (`<name>_partial(args, partials, n_chunks)`) work
    unit << "template <class... A, size_t... I> static void lzemu_impl(void (*k)(A...), unsigned g, unsigned b,\n"
            "    const void* const* p, std::index_sequence<I...>) {\n"
            "  std::tuple<std::remove_cv_t<std::remove_reference_t<A>>...> t;\n"
            "  (std::memcpy(&std::get<I>(t), p[I], sizeof(std::get<I>(t))), ...);\n"
            "  lz_emu_launch_fn(g, b, [&] { k(std::get<I>(t)...); });\n}\n"
            "template <class... A> static int lzemu_call(void (*k)(A...), unsigned g, unsigned b,\n"
            "    const void* const* p, unsigned n) {\n"
            "  if (n != sizeof...(A)) return 1;\n"
            "  lzemu_impl(k, g, b, p, std::index_sequence_for<A...>{});\n  return 0;\n}\n"
            "template <class... A> static unsigned lzemu_sizes(void (*)(A...), unsigned* s, unsigned cap) {\n"
            "  unsigned v[] = {0u, unsigned(sizeof(std::remove_cv_t<std::remove_reference_t<A>>))...};\n"
            "  for (unsigned i = 0; i < sizeof...(A) && i < cap; ++i) s[i] = v[i + 1];\n"
            "  return sizeof...(A);\n}\n";
    std::regex entry(R"(extern\s+"C"\s+__global__\s+void\s+(\w+)\s*\()");
    std::set<std::string> names;
    for (std::sregex_iterator it(source.begin(), source.end(), entry), end; it != end; ++it)
      names.insert((*it)[1]);
    for (const auto& n : names) {
      unit << "extern \"C\" int lzemu_entry_" << n
           << "(unsigned g, unsigned b, const void* const* p, unsigned n) { return lzemu_call(" << n
           << ", g, b, p, n); }\n";
      unit << "extern \"C\" unsigned lzemu_argsizes_" << n << "(unsigned* s, unsigned cap) { return lzemu_sizes("
           << n << ", s, cap); }\n";
    }
    std::string tag = std::to_string(getpid()) + "." + std::to_string(reinterpret_cast<uintptr_t>(&source));
    std::string cpp = base + "." + tag + ".cpp";
    std::string tmp = base + "." + tag + ".so";
    std::string log = base + "." + tag + ".log";
    {
      std::ofstream f(cpp);
      f << unit.str();
    }
    const char* cxx = std::getenv("CXX");
    std::string cmd = std::string(cxx ? cxx : "g++") +
                      " -std=c++20 -O1 -fPIC -shared -pthread -ffp-contract=off -w -I\"" LZ_EMU_SHIM_DIR "\" \"" +
                      cpp + "\" -o \"" + tmp + "\" > \"" + log + "\" 2>&1";
    int rc = std::system(cmd.c_str());
    if (rc != 0) {
      std::ifstream l(log);
      std::stringstream ss;
      ss << l.rdbuf();
      set_err(err, errlen, "g++ failed on " + cpp + ":\n" + ss.str().substr(0, 4000));
      std::remove(log.c_str());
      return 1;
    }
    std::remove(cpp.c_str());
    std::remove(log.c_str());
    // atomic: concurrent loaders of one module never see a torn library
    std::rename(tmp.c_str(), so.c_str());
    g_modules_compiled++;
  }
  void* lib = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    set_err(err, errlen, std::string("dlopen: ") + dlerror());
    return 1;
  }
  std::lock_guard<std::mutex> g(g_mutex);
  *module = g_next_module++;
  g_modules[*module] = Module{lib};
  return 0;
}

/// The launcher of entry `name` of `module`; `sizes[..*nparams]` the byte sizes of its parameters
/// (at most `cap` written).
int lzemu_function(uint64_t module, const char* name, uint64_t* func, unsigned* sizes, unsigned cap,
                   unsigned* nparams) {
  void* lib;
  {
    std::lock_guard<std::mutex> g(g_mutex);
    auto it = g_modules.find(module);
    if (it == g_modules.end()) return 1;
    lib = it->second.lib;
  }
  void* f = dlsym(lib, (std::string("lzemu_entry_") + name).c_str());
  void* s = dlsym(lib, (std::string("lzemu_argsizes_") + name).c_str());
  if (!f || !s) return 2;
  *func = reinterpret_cast<uint64_t>(f);
  *nparams = reinterpret_cast<unsigned (*)(unsigned*, unsigned)>(s)(sizes, cap);
  return 0;
}

}  // extern "C"

namespace {
// Whether bytes [lo, hi) lie inside one live allocation.
bool in_allocation(uint64_t lo, uint64_t hi) {
  if (hi <= lo) return true;
  std::lock_guard<std::mutex> g(g_mutex);
  auto it = g_allocs.upper_bound(lo);
  if (it == g_allocs.begin()) return false;
  --it;
  return lo >= it->first && hi <= it->first + it->second;
}

// Whether the `batch` column-major `rows x cols` matrices at `p` (leading dimension `ld`, `stride`
// elements apart) lie inside one allocation.
template <class T>
bool matrices_inside(uint64_t p, long long rows, long long cols, long long ld, long long stride, long long batch) {
  if (rows == 0 || cols == 0 || batch == 0) return true;
  long long last = (rows - 1) + (cols - 1) * ld;
  long long lo = 0, hi = last;
  long long span = (batch - 1) * stride;
  if (span < 0) lo += span; else hi += span;
  return in_allocation(p + lo * (long long)sizeof(T), p + (hi + 1) * (long long)sizeof(T));
}

template <class T>
int gemm_ref(int ta, int tb, int m, int n, int k, uint64_t a, int lda, long long sa, uint64_t b, int ldb,
             long long sb, uint64_t c, int ldc, long long sc, int batch) {
  if (!matrices_inside<T>(a, ta ? k : m, ta ? m : k, lda, sa, batch) ||
      !matrices_inside<T>(b, tb ? n : k, tb ? k : n, ldb, sb, batch) ||
      !matrices_inside<T>(c, m, n, ldc, sc, batch))
    return 7;
  for (long long q = 0; q < batch; ++q) {
    const T* A = reinterpret_cast<const T*>(a) + q * sa;
    const T* B = reinterpret_cast<const T*>(b) + q * sb;
    T* C = reinterpret_cast<T*>(c) + q * sc;
    for (long long j = 0; j < n; ++j)
      for (long long i = 0; i < m; ++i) {
        T acc{};
        for (long long l = 0; l < k; ++l) {
          T x = ta ? A[l + i * lda] : A[i + l * lda];  // op(A)(i, l)
          T y = tb ? B[j + l * ldb] : B[l + j * ldb];  // op(B)(l, j)
          acc += x * y;
        }
        C[i + j * ldc] = acc;  // beta = 0: C is only written
      }
  }
  return 0;
}
}  // namespace

extern "C" {

/// The stand-in for cuBLAS's `cublas{S,D,C,Z}gemmStridedBatched` with alpha = 1, beta = 0 (TEST TOOL:
/// a reference loop, no blocking, no speed). `dtype`: 0 float, 1 double, 2 complex<float>,
/// 3 complex<double>. Returns 0, or 7 (CUBLAS_STATUS_INVALID_VALUE) for arguments cuBLAS rejects or a
/// matrix outside device memory.
int lzemu_gemm_strided_batched(int dtype, int ta, int tb, int m, int n, int k, uint64_t a, int lda,
                               long long sa, uint64_t b, int ldb, long long sb, uint64_t c, int ldc,
                               long long sc, int batch) {
  if (m < 0 || n < 0 || k < 0 || batch < 0) return 7;
  if (lda < std::max(1, ta ? k : m) || ldb < std::max(1, tb ? n : k) || ldc < std::max(1, m)) return 7;
  switch (dtype) {
    case 0: return gemm_ref<float>(ta, tb, m, n, k, a, lda, sa, b, ldb, sb, c, ldc, sc, batch);
    case 1: return gemm_ref<double>(ta, tb, m, n, k, a, lda, sa, b, ldb, sb, c, ldc, sc, batch);
    case 2: return gemm_ref<std::complex<float>>(ta, tb, m, n, k, a, lda, sa, b, ldb, sb, c, ldc, sc, batch);
    case 3: return gemm_ref<std::complex<double>>(ta, tb, m, n, k, a, lda, sa, b, ldb, sb, c, ldc, sc, batch);
    default: return 7;
  }
}

/// Runs `func<<<grid, block, shared>>>(params...)`: `params[i]` points at the bytes of parameter `i`
/// (as cuLaunchKernel's kernelParams); launches are serialised (one emulated stream).
int lzemu_launch(uint64_t func, unsigned grid, unsigned block, unsigned shared, const void* const* params,
                 unsigned nparams) {
  (void)shared;
  if (grid == 0 || block == 0 || block > 1024) return 1;  // CUDA_ERROR_INVALID_VALUE
  // fault injection for tests: every launch fails as a kernel fault would
  if (const char* f = std::getenv("LAZULITE_CUDA_EMULATOR_FAIL_LAUNCH"); f && *f == '1') return 719;
  static std::mutex launch_mutex;
  std::lock_guard<std::mutex> g(launch_mutex);
  int rc = reinterpret_cast<int (*)(unsigned, unsigned, const void* const*, unsigned)>(func)(grid, block, params,
                                                                                          nparams);
  if (rc != 0) return 1;
  g_launches++;
  return 0;
}
}
