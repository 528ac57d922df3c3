//! Where data lives and kernels run. Graph inputs (`Op::Input`), temporaries and schedules carry a
//! [`Device`]; the runtime picks the backend of a schedule by it. Everything is [`Device::Cpu`] until
//! arrays can live on a GPU.

use crate::error::Result;

/// A device: the host, or CUDA device `ordinal`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Device {
    #[default]
    Cpu,
    Cuda(u16),
}

impl Device {
    /// The common device of a computation's operands: the device every one of them names (the host
    /// when there are none). Operands on different devices are a `Value` error naming `func` and both
    /// devices: the standard forbids implicit transfers.
    pub fn common(func: &str, devices: impl IntoIterator<Item = Device>) -> Result<Device> {
        let mut it = devices.into_iter();
        let Some(first) = it.next() else {
            return Ok(Device::Cpu);
        };
        for d in it {
            crate::ensure!(
                d == first,
                Value,
                "{func}: operands live on different devices ({first} and {d}); move them to one \
                 device first with to_device"
            );
        }
        Ok(first)
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu"),
            Device::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_device() {
        assert_eq!(Device::common("f", []).unwrap(), Device::Cpu);
        assert_eq!(
            Device::common("f", [Device::Cuda(1), Device::Cuda(1)]).unwrap(),
            Device::Cuda(1)
        );
        let e = Device::common("add", [Device::Cpu, Device::Cuda(0)]).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Value);
        assert!(e.message.contains("add") && e.message.contains("cpu and cuda:0"));
        assert_eq!(Device::default().to_string(), "cpu");
    }
}
