"""auditor"""
