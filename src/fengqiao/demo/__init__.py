"""The Xianyou demo: a county's places, people and a year of events, built through the real
actions (see docs/demo.md). Also the synthetic filler for benchmarks (`bench_seed`)."""
