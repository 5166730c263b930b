"""device_simulators/runtime"""
