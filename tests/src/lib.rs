//! Cross-crate tests of lazulite live in `tests/tests/`: the dependency direction of the workspace,
//! compiled kernels against the interpreter, and the engine end to end.

pub mod cuda_device;
pub mod cuda_emu;
pub mod kernel_cases;
