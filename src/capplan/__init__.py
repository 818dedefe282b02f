"""capplan: capacity planning and infrastructure-as-code for AI datacenters."""

__version__ = "0.1.0"
