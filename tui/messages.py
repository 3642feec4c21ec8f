"""App-wide messages: readings of this machine arriving from worker and poller threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from paramtui.engine.adapters.live import LiveMachine
    from paramtui.engine.adapters.nvml import NvmlSnapshot


@dataclass
class MachineRead(Message):
    """The first full reading of this machine (GPUs, RAM, CPU, RAM bandwidth) is in."""

    machine: LiveMachine
    """What was read."""


@dataclass
class HardwarePolled(Message):
    """The NVML poller refreshed the GPUs' memory, load and processes (posted from its thread)."""

    snapshot: NvmlSnapshot
    """The refreshed readings."""

    def can_replace(self, message: Message) -> bool:
        """Only the newest reading matters: a queued older one is dropped."""
        return isinstance(message, HardwarePolled)
