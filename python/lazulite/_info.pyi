# Type stubs of the inspection API (``lazulite.__array_namespace_info__()``).

from typing import TypedDict

from . import Device, dtype

Capabilities = TypedDict(
    "Capabilities",
    {"boolean indexing": bool, "data-dependent shapes": bool, "max dimensions": int | None},
)
DefaultDataTypes = TypedDict(
    "DefaultDataTypes",
    {
        "real floating": dtype,
        "complex floating": dtype,
        "integral": dtype,
        "indexing": dtype,
    },
)

class Info:
    def capabilities(self) -> Capabilities: ...
    def default_device(self) -> Device: ...
    def default_dtypes(self, *, device: Device | None = None) -> DefaultDataTypes: ...
    def dtypes(
        self, *, device: Device | None = None, kind: str | tuple[str, ...] | None = None
    ) -> dict[str, dtype]: ...
    def devices(self) -> tuple[Device, ...]: ...

def __array_namespace_info__() -> Info: ...
