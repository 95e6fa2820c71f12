"""Targets, validation, global sensitivity and calibration of the model.

- :mod:`.targets`: the reported figures (a shipped TOML file) and how to read them off a run;
- :mod:`.validate`: replicate a scenario and compare it with every target;
- :mod:`.sensitivity`: Morris screening and Sobol indices with confidence intervals, from sweeps;
- :mod:`.calibrate`: ABC-SMC (pyabc) of the influential assumptions on the calibration targets.
"""
