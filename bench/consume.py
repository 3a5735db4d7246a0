#!/usr/bin/env python3
"""Consumer-group throughput: preload N entries, then K consumer processes each loop
XREADGROUP COUNT 100 + XACK of the batch until the group is drained. Prints entries/s.

Usage: bench/consume.py PORT [ENTRIES] [CONSUMERS]
"""
import multiprocessing, socket, sys, time

try:
    # hiredis parses replies in C (Debian: python3-hiredis); without it the pure-Python parser
    # below costs the client more CPU than either server spends, and the ratio measures Python
    import hiredis
except ImportError:
    hiredis = None

class HiredisReplies:
    """Reads whole replies with hiredis; read(f) below hands over to it."""
    def __init__(self, sock):
        self.sock = sock
        self.reader = hiredis.Reader()

    def next(self):
        while True:
            reply = self.reader.gets()
            if reply is not False:
                if isinstance(reply, hiredis.ReplyError):
                    raise RuntimeError(reply)
                return reply
            self.reader.feed(self.sock.recv(1 << 16))

def connect(port):
    s = socket.create_connection(('127.0.0.1', port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s, (HiredisReplies(s) if hiredis else s.makefile('rb'))

def cmd(parts):
    parts = [p if isinstance(p, bytes) else str(p).encode() for p in parts]
    return b'*%d\r\n' % len(parts) + b''.join(b'$%d\r\n%s\r\n' % (len(p), p) for p in parts)

def read(f):
    if hiredis:
        return f.next()
    line = f.readline()
    t = line[:1]
    if t in b'+-:':
        if t == b'-':
            raise RuntimeError(line)
        return line[1:-2]
    if t == b'$':
        n = int(line[1:-2])
        return None if n < 0 else f.read(n + 2)[:-2]
    if t in b'*%':
        n = int(line[1:-2])
        if n < 0:
            return None
        return [read(f) for _ in range(n * (2 if t == b'%' else 1))]
    raise RuntimeError(line)

def consumer(port, name, out):
    s, f = connect(port)
    done = 0
    while True:
        s.sendall(cmd(['XREADGROUP', 'GROUP', 'bench', name, 'COUNT', 100, 'STREAMS', 'bench:consume', '>']))
        reply = read(f)
        if not reply:
            break
        ids = [e[0] for e in reply[0][1]]
        s.sendall(cmd(['XACK', 'bench:consume', 'bench'] + ids))
        read(f)
        done += len(ids)
    out.put(done)

def main():
    port = int(sys.argv[1])
    entries = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
    consumers = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    s, f = connect(port)
    s.sendall(cmd(['DEL', 'bench:consume'])); read(f)
    batch = 1000
    for start in range(0, entries, batch):
        n = min(batch, entries - start)
        s.sendall(b''.join(cmd(['XADD', 'bench:consume', '*', 'order_id', 1001, 'user_id', 42,
                                'product_id', 'A', 'qty', 2]) for _ in range(n)))
        for _ in range(n):
            read(f)
    s.sendall(cmd(['XGROUP', 'CREATE', 'bench:consume', 'bench', '0'])); read(f)
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=consumer, args=(port, 'c%d' % i, out)) for i in range(consumers)]
    t0 = time.time()
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    elapsed = time.time() - t0
    s.sendall(cmd(['XPENDING', 'bench:consume', 'bench'])); pending = read(f)
    assert total == entries and int(pending[0]) == 0, (total, pending)
    print('%.0f' % (total / elapsed))

if __name__ == '__main__':
    main()
