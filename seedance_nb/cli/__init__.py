"""The ``seedance`` command."""
