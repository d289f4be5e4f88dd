"""The verbs of the ``opbridge`` command line, one file per group; opbridge.cli gathers them."""
