#!/usr/bin/env python3
"""Captures COMMAND INFO and COMMAND DOCS from a running redis-server as raw RESP3.

Freshet's command table (arity, flags, key specs, docs) is data captured from the Redis it
follows, not typed by hand. Usage: tools/capture-commands.py PORT OUTDIR
"""
import socket, sys

def read_reply(f):
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    out = bytearray(line)
    if t in b'+-:,#_(':
        return bytes(out)
    if t in b'$=!':
        n = int(rest)
        if n >= 0:
            out += f.read(n + 2)
        return bytes(out)
    if t in b'*~>%|':
        n = int(rest)
        if t in b'%|':
            n *= 2
        for _ in range(max(n, 0)):
            out += read_reply(f)
        return bytes(out)
    raise ValueError(line)

def cmd(sock, f, *args):
    req = b'*%d\r\n' % len(args) + b''.join(b'$%d\r\n%s\r\n' % (len(a), a) for a in map(str.encode, args))
    sock.sendall(req)
    return read_reply(f)

port, outdir = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(('127.0.0.1', port))
f = s.makefile('rb')
cmd(s, f, 'HELLO', '3')
open(outdir + '/command-info.resp3', 'wb').write(cmd(s, f, 'COMMAND', 'INFO'))
open(outdir + '/command-docs.resp3', 'wb').write(cmd(s, f, 'COMMAND', 'DOCS'))
