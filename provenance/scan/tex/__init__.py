"""scan/tex"""
