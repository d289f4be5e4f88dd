"""The base every other package may import: settings, metrics, logs and masking, times,
HTTP helpers, tables and the configuration reference. It imports none of them."""
