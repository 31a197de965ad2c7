#!/usr/bin/env python3
"""A peer that never stops: every connection gets a response head and then
an endless chunked body, as fast as the socket takes it, until the client
goes away. Used to check that a runtime's deadlines and its other transfers
are not starved by a connection that is always readable.

  flood_peer.py PORT_FILE    binds 127.0.0.1 on a free port, writes the port
                             to PORT_FILE, serves until killed.
"""
import socket
import sys
import threading

CHUNK = b"%x\r\n" % 65536 + b"f" * 65536 + b"\r\n"


def serve(conn):
    try:
        data = b""
        while b"\r\n\r\n" not in data:
            more = conn.recv(65536)
            if not more:
                return
            data += more
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        while True:
            conn.sendall(CHUNK)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
