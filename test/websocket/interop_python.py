"""Python's websockets (Debian python3-websockets 10.4) as a client of basehttp, for interop-python.test.ts.

Usage: /usr/bin/python3 interop_python.py SCENARIO BASE_URL
Runs one scenario against ws://host:port (BASE_URL) and prints one JSON object with what the client saw.
"""
import asyncio
import json
import sys

import websockets


async def echo(base):
    async with websockets.connect(base + "/echo", compression=None, max_size=None) as ws:
        await ws.send("héllo ✓")
        text = await ws.recv()
        await ws.send(bytes([0, 255, 1, 254]))
        binary = await ws.recv()
        big = bytes(range(256)) * 4096  # 1 MiB
        await ws.send(big)
        big_back = await ws.recv()
        return {
            "text": text,
            "binary": list(binary),
            "binaryType": type(binary).__name__,
            "bigEqual": big_back == big,
            "bigLength": len(big_back),
        }


async def ping(base):
    async with websockets.connect(base + "/echo") as ws:
        waiter = await ws.ping(b"are you there")
        latency = await asyncio.wait_for(waiter, 5)
        return {"pong": latency is None or latency >= 0}


async def close(base):
    ws = await websockets.connect(base + "/echo")
    await ws.close(4000, "done here")
    return {"code": ws.close_code, "reason": ws.close_reason}


async def server_close(base):
    ws = await websockets.connect(base + "/close?code=4321&reason=app+says+bye")
    try:
        await ws.recv()
    except websockets.ConnectionClosed as closed:
        return {"code": closed.rcvd.code, "reason": closed.rcvd.reason}
    return {"code": None}


async def subprotocol(base):
    async with websockets.connect(base + "/describe", subprotocols=["x-unknown", "chat.v1", "chat.v2"]) as ws:
        return {"client": ws.subprotocol, "server": json.loads(await ws.recv())}


async def compression(base):
    # websockets offers permessage-deflate by default (with client_max_window_bits).
    async with websockets.connect(base + "/echo") as ws:
        text = "the quick brown fox jumps over the lazy dog " * 100
        results = []
        for message in [text, text, text + "!", bytes(5000)]:
            await ws.send(message)
            results.append(await ws.recv() == message)
        return {"extensions": ws.response_headers.get("Sec-WebSocket-Extensions"), "echoed": results}


SCENARIOS = {
    "echo": echo,
    "ping": ping,
    "close": close,
    "server-close": server_close,
    "subprotocol": subprotocol,
    "compression": compression,
}

if __name__ == "__main__":
    scenario, base = sys.argv[1], sys.argv[2]
    print(json.dumps(asyncio.run(SCENARIOS[scenario](base))))
