"""The run: source decoding, one traversal per file, the result cache, the worker pool, repository rules."""
