#!/usr/bin/env python3
"""An SMSC that nobody here wrote: the smpp34 package from PyPI (Rust core, asyncio API), behind a
small TCP proxy that can reset connections. Used by the client's interoperability tests.

    python3 scripts/smpp34-smsc.py [--port 0] [--log FILE]

Prints "READY <port>" once listening, then one line per event, on stdout or appended to FILE:
  BIND <system_id>            a session bound
  SUBMIT <destination> <id>   a submit_sm was accepted with message id <id>
  PDU <command_id>            every PDU the client sent (as the proxy saw it), e.g. PDU 0x00000015
  UNBOUND                     a session ended
What a submit_sm does depends on its destination_addr:
  anything else   accepted (hex ids); a receipt deliver_sm follows when registered_delivery asks
  "mo"            accepted, then an MO deliver_sm "Hello from smpp34" from 447700900777
  "unbind"        accepted, then (0.2 s later) the server unbinds the session
  "hold"          never answered
  "reset"         never answered; every connection is reset (RST) at once
"""
import argparse
import asyncio
import socket
import struct
import sys

import smpp34


LOG = None


def say(line):
    if LOG is None:
        print(line, flush=True)
    else:
        with open(LOG, "a") as log:
            log.write(line + "\n")


class Proxy:
    """Forwards clients to the smpp34 server; logs client PDUs; resets on demand."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.clients = set()

    async def handle(self, reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        pair = (writer, up_writer)
        self.clients.add(pair)

        async def pipe(src, dst, log):
            pending = b""
            try:
                while True:
                    data = await src.read(65536)
                    if not data:
                        break
                    if log:
                        pending += data
                        while len(pending) >= 16:
                            length = int.from_bytes(pending[0:4], "big")
                            if length < 16 or len(pending) < length:
                                break
                            say("PDU 0x%08x" % int.from_bytes(pending[4:8], "big"))
                            pending = pending[length:]
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                try:
                    dst.close()
                except Exception:
                    pass

        await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False), return_exceptions=True)
        self.clients.discard(pair)

    def reset_all(self):
        for client, upstream in list(self.clients):
            sock = client.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.transport.abort()
            upstream.transport.abort()
        self.clients.clear()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log")
    args = parser.parse_args()
    global LOG
    LOG = args.log

    inner_port = free_port()
    server = smpp34.Server(host="127.0.0.1", port=inner_port, system_id="smpp34")
    await server.start()
    proxy = Proxy(inner_port)
    listener = await asyncio.start_server(proxy.handle, "127.0.0.1", args.port)
    say("READY %d" % listener.sockets[0].getsockname()[1])

    sessions = {}
    held = []  # unanswered submits: smpp34 answers ESME_RSYSERR for an event that is dropped
    counter = 0x5000
    tasks = set()

    def spawn(coro):
        task = asyncio.ensure_future(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def receipt(esme, event, message_id):
        try:
            await send_receipt(esme, event, message_id)
        except smpp34.SmppError as error:  # the session went away before the receipt was acked
            say("RECEIPT-FAILED %s %s" % (message_id, error))

    async def send_receipt(esme, event, message_id):
        text = "id:%s sub:001 dlvrd:001 submit date:2511220000 done date:2511220001 stat:DELIVRD err:000 text:" % message_id
        await esme.deliver_sm(
            event.source_addr, text.encode(), source_addr=event.destination_addr, esm_class=0x04,
            tlvs=[smpp34.Tlv(smpp34.TLV_RECEIPTED_MESSAGE_ID, message_id.encode() + b"\0"),
                  smpp34.Tlv(smpp34.TLV_MESSAGE_STATE, bytes([2]))])

    async def unbind_soon(esme):
        await asyncio.sleep(0.2)  # after the submit_sm_resp has surely gone out
        await esme.unbind()

    async def mo(esme, event):
        await esme.deliver_sm(event.source_addr, b"Hello from smpp34", source_addr="447700900777")

    while True:
        event = await server.next()
        if isinstance(event, smpp34.Esme):
            sessions[event.session_id] = event
            say("BIND %s" % event.system_id)
        elif isinstance(event, smpp34.Unbound):
            sessions.pop(event.session_id, None)
            say("UNBOUND")
        elif isinstance(event, smpp34.SubmitSmEvent):
            destination = event.destination_addr
            if destination == "hold":
                held.append(event)
                continue
            if destination == "reset":
                held.append(event)
                proxy.reset_all()
                say("RESET")
                continue
            counter += 1
            message_id = "%x" % counter
            event.accept(message_id=message_id)
            say("SUBMIT %s %s" % (destination, message_id))
            esme = sessions.get(event.session_id)
            if esme is None:
                continue
            if destination == "mo":
                spawn(mo(esme, event))
            elif destination == "unbind":
                spawn(unbind_soon(esme))
            elif event.registered_delivery & 0x03 == 1:
                spawn(receipt(esme, event, message_id))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
