#!/usr/bin/env python3
"""Sends commands over raw RESP and prints the raw replies, for comparing servers by eye.

Usage: tools/resp.py PORT [-3] 'CMD ARG ...' ['CMD ...' ...]   (arguments split on spaces)
"""
import socket, sys
sys.path.insert(0, __file__.rsplit('/', 1)[0])
from importlib.machinery import SourceFileLoader
cap = SourceFileLoader('cap', __file__.rsplit('/', 1)[0] + '/capture-commands.py')
args = sys.argv[1:]
port = int(args.pop(0))
s = socket.create_connection(('127.0.0.1', port))
f = s.makefile('rb')
def read_reply():
    line = f.readline(); t = line[:1]; out = bytearray(line)
    if t in b'+-:,#_(': return bytes(out)
    if t in b'$=!':
        n = int(line[1:-2])
        if n >= 0: out += f.read(n + 2)
        return bytes(out)
    n = int(line[1:-2])
    if t in b'%|': n *= 2
    for _ in range(max(n, 0)): out += read_reply()
    return bytes(out)
def send(parts):
    req = b'*%d\r\n' % len(parts) + b''.join(b'$%d\r\n%s\r\n' % (len(a), a) for a in parts)
    s.sendall(req)
    return read_reply()
if args and args[0] == '-3':
    args.pop(0); send([b'HELLO', b'3'])
for a in args:
    print(repr(send([x.encode() for x in a.split(' ')])))
