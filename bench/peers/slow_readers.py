"""Slow download clients for bench/load.ts: N sockets with a small receive buffer (so the kernel cannot soak
up the file for the server), each sending one GET and then reading at a fixed rate for a fixed time.
Prints "reading" once every request is sent, then exits after `seconds`.
Usage: python3 slow_readers.py <port> <path> <clients> <bytes_per_second> <seconds>"""
import select, socket, sys, time

port, path, clients, rate, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
TICK = 0.05
socks = []
for _ in range(clients):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    s.setblocking(False)
    socks.append(s)
print("reading", flush=True)
end = time.monotonic() + seconds
quota = int(rate * TICK)
while time.monotonic() < end:
    started = time.monotonic()
    for s in socks:
        left = quota
        while left > 0:
            try:
                got = s.recv(min(left, 65536))
            except BlockingIOError:
                break
            if not got:
                break
            left -= len(got)
    time.sleep(max(0.0, TICK - (time.monotonic() - started)))
for s in socks:
    s.close()
