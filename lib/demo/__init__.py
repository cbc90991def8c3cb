"""The demo practice and the large synthetic data sets the benchmarks use."""
