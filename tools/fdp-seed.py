#!/usr/bin/env python3
"""Writes a seed input for a Jazzer FuzzedDataProvider target: the payload that the target takes
with consumeRemainingAsBytes, followed by the integers it consumes first. FuzzedDataProvider reads
integers from the end of the input, most significant byte first, so each value is stored as its
offset from the range's minimum in as many bytes as the range needs, and the values go in reverse.

usage: fdp-seed.py OUT PAYLOAD_PYTHON_LITERAL RANGE:VALUE...   (e.g. 0:1:1 for a true boolean)
"""
import ast
import sys


def encode(lo, hi, value):
    span = hi - lo
    n = max(1, (span.bit_length() + 7) // 8)
    offset = value - lo
    return [(offset >> (8 * (n - 1 - i))) & 0xff for i in range(n)]  # consumed in this order


def main():
    out, payload = sys.argv[1], ast.literal_eval(sys.argv[2])
    if isinstance(payload, str):
        payload = payload.encode('latin-1')
    consumed = []
    for spec in sys.argv[3:]:
        lo, hi, value = (int(x) for x in spec.split(':'))
        consumed += encode(lo, hi, value)
    with open(out, 'wb') as f:
        f.write(payload + bytes(reversed(consumed)))


main()
