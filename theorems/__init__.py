"""Tests only: one module per paper or family, one test per claim or failure case."""
