"""Opens N PostgreSQL client connections that log in (trust) and then stay idle.

usage: idle_clients.py HOST PORT N hold|hold-and-close

Each client sends a StartupMessage and reads until ReadyForQuery. With "hold" it prints
"ready N" once all are idle and keeps them open until killed; with "hold-and-close" it closes
them and exits (a warm-up).
"""
import asyncio
import struct
import sys


async def login(host, port):
    reader, writer = await asyncio.open_connection(host, port)
    params = b"user\0postgres\0database\0postgres\0application_name\0idle-client\0\0"
    writer.write(struct.pack("!ii", 8 + len(params), 196608) + params)
    await writer.drain()
    while True:
        header = await reader.readexactly(5)
        body = await reader.readexactly(struct.unpack("!i", header[1:])[0] - 4)
        if header[:1] == b"E":
            raise RuntimeError(body.decode(errors="replace"))
        if header[:1] == b"Z":
            return writer


async def main():
    host, port, n, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    writers = []
    # Batches: opening 10,000 at once would only measure the accept backlog.
    for start in range(0, n, 500):
        batch = [login(host, port) for _ in range(start, min(n, start + 500))]
        writers.extend(await asyncio.gather(*batch))
    if mode == "hold-and-close":
        for w in writers:
            w.close()
        return
    print(f"ready {len(writers)}", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
