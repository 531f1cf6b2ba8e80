"""order_truth: did we keep the delivery promise, and which system broke it?"""

__version__ = "0.1.0"
