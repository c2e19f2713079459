"""A one-rule Fixit 2.x plugin used only by benchmarks/run.py as the comparison baseline."""
