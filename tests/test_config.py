"""config.toml: every key checked, bad ones named, good ones applied."""

from __future__ import annotations

from pathlib import Path

from paramtui.tui.config import Config, load_config


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_missing_file_is_the_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "none.toml") == Config()


def test_good_values_apply(tmp_path: Path) -> None:
    cfg = load_config(
        _write(
            tmp_path,
            'theme = "nord"\npoll_interval = 5\n[defaults]\nsource = "llama-3.1-70b"\ngpu = "2xh100-sxm"\n'
            'runtime = "llama.cpp"\ncontext = 32768\n[keymap]\nundo = "ctrl+u"\n',
        )
    )
    assert cfg.errors == ()
    assert (cfg.theme, cfg.poll_interval, cfg.source, cfg.gpu) == ("nord", 5.0, "llama-3.1-70b", "2xh100-sxm")
    assert (cfg.runtime, cfg.context, cfg.keymap) == ("llama.cpp", 32768, {"undo": "ctrl+u"})


def test_bad_keys_and_values_are_named_and_the_rest_applies(tmp_path: Path) -> None:
    cfg = load_config(
        _write(
            tmp_path,
            'themes = "nord"\npoll_interval = 0.01\n[defaults]\nruntime = "ollama"\ncontext = "long"\n'
            'gpu = "h100-sxm"\n[keymap]\nundoo = "ctrl+u"\nredo = ""\n',
        )
    )
    text = "\n".join(cfg.errors)
    assert "unknown key 'themes'" in text
    assert "poll_interval must be 0.5 to 60 seconds, not 0.01" in text
    assert "defaults.runtime must be one of vllm, sglang, llama.cpp, transformers, not 'ollama'" in text
    assert "defaults.context must be a int, not 'long'" in text
    assert "keymap.undoo: no such binding" in text
    assert "keymap.redo must be a key string" in text
    assert cfg.gpu == "h100-sxm" and cfg.poll_interval == 2.0 and cfg.runtime == ""


def test_broken_toml_is_one_line(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, "theme = \n"))
    assert len(cfg.errors) == 1 and "not valid TOML" in cfg.errors[0]
