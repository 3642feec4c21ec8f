"""The dashboard reading a Hub repo: it opens at once, reads in a worker, then shows the exact bytes."""

from __future__ import annotations

import checkpoints as ck
from fake_hub import FakeHub, FakeRepo, files_from, json_file
from test_dashboard import _settle

from paramtui.presets import get_preset
from paramtui.tui.app import ParamApp


def _llama_repo() -> FakeRepo:
    config = dict(get_preset("llama-3.1-8b").config)
    files = files_from(ck.shard_files(list(ck.llama(config)), 4))
    files["config.json"] = json_file(config)
    return FakeRepo(files)


async def test_repo_source_loads_into_the_editor_with_exact_bytes(fake_hub: FakeHub) -> None:
    fake_hub.add("meta-llama/Llama-3.1-8B", _llama_repo())
    app = ParamApp("meta-llama/Llama-3.1-8B", probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        await _settle(app, pilot)
        assert app.session.arch.name == "meta-llama/Llama-3.1-8B"
        assert "8.03B" in str(app.query_one("#bars").render())
        assert app.main.analysis is not None
        # Meta's index: 16,060,522,496 bytes of bf16 weights, used as they are
        assert app.main.analysis.weights.total_bytes == 16_060_522_496
        assert app.main.analysis.weights.exact


async def test_palette_loads_a_repo_and_a_bad_one_is_one_line(fake_hub: FakeHub) -> None:
    fake_hub.add("meta-llama/Llama-3.1-8B", _llama_repo())
    app = ParamApp(probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        app.action_command_palette()
        await pilot.pause()
        await pilot.press(*"meta-llama/Llama-3.1-8B")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await _settle(app, pilot)
        await _settle(app, pilot)
        assert app.session.arch.name == "meta-llama/Llama-3.1-8B"
        app.main.open_source("nobody/nothing")
        await _settle(app, pilot)
        assert app.session.arch.name == "meta-llama/Llama-3.1-8B"  # unchanged, and the app still runs
        messages = [n.message for n in app._notifications]
        assert any("no repo 'nobody/nothing'" in m for m in messages)
