#!/usr/bin/env python3
"""Wake-up latency of a blocked XREAD: time from sending XADD on one connection to receiving the
entry on the blocked reader's connection. Prints the median and 99th percentile in microseconds.

Usage: bench/wakeup.py PORT [ROUNDS]
"""
import socket, sys, time

def conn(port):
    s = socket.create_connection(('127.0.0.1', port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def cmd(*parts):
    parts = [str(p).encode() for p in parts]
    return b'*%d\r\n' % len(parts) + b''.join(b'$%d\r\n%s\r\n' % (len(p), p) for p in parts)

def read_some(s):
    return s.recv(65536)

port = int(sys.argv[1]); rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
reader, writer = conn(port), conn(port)
writer.sendall(cmd('DEL', 'bench:wake')); read_some(writer)
samples = []
for i in range(rounds):
    reader.sendall(cmd('XREAD', 'BLOCK', 5000, 'STREAMS', 'bench:wake', '$'))
    time.sleep(0.0005)  # let the reader park
    t0 = time.perf_counter()
    writer.sendall(cmd('XADD', 'bench:wake', '*', 'n', i))
    data = read_some(reader)
    t1 = time.perf_counter()
    read_some(writer)
    samples.append((t1 - t0) * 1e6)
samples.sort()
print('%.0f %.0f' % (samples[len(samples) // 2], samples[int(len(samples) * 0.99)]))
