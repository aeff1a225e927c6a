"""A TCP proxy that adds a fixed delay to every connection, standing in for the network to AWS.

The emulator answers in microseconds from the same machine, so a scan against it is bound by CPU and
concurrency cannot show what it buys. Real API calls wait tens of milliseconds on the network and on
AWS. moto closes the connection after every response (``Connection: close``), so every API call is a
new connection here and a delay per connection is a delay per call.

Usage: python latency.py LISTEN_PORT UPSTREAM_PORT DELAY_MS   (both on 127.0.0.1)
"""

from __future__ import annotations

import asyncio
import sys


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main(listen: int, upstream: int, delay: float) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        await asyncio.sleep(delay)
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", upstream)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(pipe(client_r, up_w), pipe(up_r, client_w))

    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000))
