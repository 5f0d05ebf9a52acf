"""Scanner layers: one module per tool (command + parser), named in `registry`."""
