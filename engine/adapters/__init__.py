"""I/O adapters beside the pure engine core: local files, presets, NVML, the Hub, GGUF.

The core (architecture, params, importer, units) never imports from here.
"""
