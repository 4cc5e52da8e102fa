#!/usr/bin/env python3
"""Drives a running `shortwave serve` with smpplib (PyPI), the client most integration guides use.

    smpplib-e2e.py features PORT SYSTEM_ID PASSWORD
        bind all three ways, submit, receipts with the submit_sm_resp's id, MO, query_sm,
        cancel_sm, a long message in UDH parts, enquire_link, unbind, a wrong password.
    smpplib-e2e.py load PORT SYSTEM_ID PASSWORD ACKED_FILE
        submits (window 50) until the connection drops; every id answered ESME_ROK is appended
        to ACKED_FILE at once (the restart test kills the server under this load).
    smpplib-e2e.py receipts PORT SYSTEM_ID PASSWORD ACKED_FILE SECONDS
        binds a receiver and waits until every id in ACKED_FILE got its delivery receipt.

Prints one line per check and 'N passed, M failed'; exits non-zero on any failure.
"""
import socket
import struct
import sys
import time

import smpplib.client
import smpplib.command
import smpplib.consts
import smpplib.gsm
import smpplib.smpp
from smpplib.command import Command, Param


# smpplib has no cancel_sm: add it the way its other commands are written.
class CancelSM(Command):
    params = {
        'service_type': Param(type=str, max=6),
        'message_id': Param(type=str, max=65),
        'source_addr_ton': Param(type=int, size=1),
        'source_addr_npi': Param(type=int, size=1),
        'source_addr': Param(type=str, max=21),
        'dest_addr_ton': Param(type=int, size=1),
        'dest_addr_npi': Param(type=int, size=1),
        'destination_addr': Param(type=str, max=21),
    }
    params_order = ('service_type', 'message_id', 'source_addr_ton', 'source_addr_npi', 'source_addr',
                    'dest_addr_ton', 'dest_addr_npi', 'destination_addr')

    def __init__(self, command, **kwargs):
        super().__init__(command, **kwargs)
        self._set_vars(**(dict.fromkeys(self.params)))
        for key, value in kwargs.items():
            setattr(self, key, value)


class CancelSMResp(Command):
    params = {}
    params_order = ()

    def __init__(self, command, **kwargs):
        super().__init__(command, need_sequence=False, **kwargs)


_factory = smpplib.command.factory


def factory(command_name, **kwargs):
    if command_name == 'cancel_sm':
        return CancelSM(command_name, **kwargs)
    if command_name == 'cancel_sm_resp':
        return CancelSMResp(command_name, **kwargs)
    return _factory(command_name, **kwargs)


smpplib.command.factory = factory

passed = 0
failed = 0
# Receipt ids each client has read so far (by id(client)), whatever it was waiting for.
seen_receipts = {}


def check(name, condition, detail=''):
    global passed, failed
    if condition:
        passed += 1
        print('ok   ' + name)
    else:
        failed += 1
        print('FAIL ' + name + (': ' + str(detail) if detail else ''))


def client(port):
    c = smpplib.client.Client('127.0.0.1', port, timeout=10, allow_unknown_opt_params=True)
    c.connect()
    return c


def read_until(c, predicate, seconds=10):
    """Reads PDUs (answering deliver_sm) until predicate(pdu) holds; returns that PDU or None."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        pdu = c.read_pdu()
        if pdu.command == 'deliver_sm':
            if receipt_id(pdu):
                seen_receipts.setdefault(id(c), set()).add(receipt_id(pdu))
            resp = smpplib.smpp.make_pdu('deliver_sm_resp', client=c)
            resp.sequence = pdu.sequence
            c.send_pdu(resp)
        elif pdu.command == 'enquire_link':
            resp = smpplib.smpp.make_pdu('enquire_link_resp', client=c)
            resp.sequence = pdu.sequence
            c.send_pdu(resp)
        if predicate(pdu):
            return pdu
    return None


def text(value):
    return value.decode('latin-1') if isinstance(value, bytes) else (value or '')


def receipt_id(pdu):
    rid = getattr(pdu, 'receipted_message_id', None)
    return text(rid).rstrip('\x00') if rid else None


def submit(c, dest='447700900001', message=b'hello from smpplib', receipt=1, **extra):
    return c.send_message(source_addr_ton=5, source_addr_npi=0, source_addr='SMPPLIB', dest_addr_ton=1,
                          dest_addr_npi=1, destination_addr=dest, short_message=message,
                          registered_delivery=receipt, **extra)


def features(port, system_id, password):
    # Transceiver: submit, then the receipt carries the id submit_sm_resp gave.
    trx = client(port)
    trx.bind_transceiver(system_id=system_id, password=password)
    sent = submit(trx)
    resp = read_until(trx, lambda p: p.command == 'submit_sm_resp' and p.sequence == sent.sequence)
    check('transceiver submit_sm answered ESME_ROK', resp is not None and resp.status == 0, resp and resp.status)
    msg_id = text(resp.message_id).rstrip('\x00') if resp else ''
    dlr = read_until(trx, lambda p: p.command == 'deliver_sm' and receipt_id(p) == msg_id)
    check('receipt on the transceiver with the same id (receipted_message_id)', dlr is not None)
    if dlr is not None:
        body = text(dlr.short_message)
        check('receipt text has id: and stat:DELIVRD', ('id:' + msg_id) in body and 'stat:DELIVRD' in body, body)
        check('receipt esm_class is 0x04', dlr.esm_class & 0x3C == 0x04, dlr.esm_class)
        check('receipt message_state TLV is DELIVERED', getattr(dlr, 'message_state', None) == 2)

    # query_sm for the delivered message.
    q = trx.query_message(message_id=msg_id, source_addr_ton=5, source_addr_npi=0, source_addr='SMPPLIB')
    qr = read_until(trx, lambda p: p.command == 'query_sm_resp' and p.sequence == q.sequence)
    check('query_sm answers DELIVERED for a delivered message', qr is not None and qr.status == 0 and qr.message_state == 2,
          qr and (qr.status, qr.message_state))

    # A scheduled message can be queried (ENROUTE) and cancelled, then it is DELETED.
    sched = submit(trx, message=b'later', schedule_delivery_time='000001000000000R')
    sresp = read_until(trx, lambda p: p.command == 'submit_sm_resp' and p.sequence == sched.sequence)
    sid = text(sresp.message_id).rstrip('\x00') if sresp else ''
    q = trx.query_message(message_id=sid, source_addr_ton=5, source_addr_npi=0, source_addr='SMPPLIB')
    qr = read_until(trx, lambda p: p.command == 'query_sm_resp' and p.sequence == q.sequence)
    check('query_sm answers ENROUTE for a scheduled message', qr is not None and qr.message_state == 1, qr and qr.message_state)
    cancel = smpplib.smpp.make_pdu('cancel_sm', client=trx, service_type='', message_id=sid, source_addr_ton=5,
                                   source_addr_npi=0, source_addr='SMPPLIB', dest_addr_ton=0, dest_addr_npi=0,
                                   destination_addr='')
    trx.send_pdu(cancel)
    cr = read_until(trx, lambda p: p.command == 'cancel_sm_resp' and p.sequence == cancel.sequence)
    check('cancel_sm of a scheduled message answers ESME_ROK', cr is not None and cr.status == 0, cr and cr.status)
    q = trx.query_message(message_id=sid, source_addr_ton=5, source_addr_npi=0, source_addr='SMPPLIB')
    qr = read_until(trx, lambda p: p.command == 'query_sm_resp' and p.sequence == q.sequence)
    check('query_sm after cancel answers DELETED', qr is not None and qr.message_state == 4, qr and qr.message_state)
    trx.send_pdu(cancel)
    cr = read_until(trx, lambda p: p.command == 'cancel_sm_resp')
    check('cancel_sm again answers ESME_RCANCELFAIL', cr is not None and cr.status == 0x11, cr and cr.status)
    q = trx.query_message(message_id='ffffffffffffff00', source_addr_ton=5, source_addr_npi=0, source_addr='SMPPLIB')
    qr = read_until(trx, lambda p: p.command == 'query_sm_resp' and p.sequence == q.sequence)
    check('query_sm of an unknown id answers ESME_RINVMSGID', qr is not None and qr.status == 0x0C, qr and qr.status)

    # MO: the simulator answers PING with PONG, delivered as a deliver_sm with esm_class 0.
    ping = submit(trx, message=b'PING', receipt=0)
    mo = read_until(trx, lambda p: p.command == 'deliver_sm' and p.esm_class & 0x3C == 0)
    check('MO (reply to PING) arrives as deliver_sm', mo is not None and text(mo.short_message) == 'PONG',
          mo and text(mo.short_message))
    check('MO comes from the number we wrote to', mo is not None and text(mo.source_addr) == '447700900001')

    # A long message in UDH parts (smpplib's own splitter): every part accepted, every part a receipt.
    parts, coding, esm = smpplib.gsm.make_parts('Long message ' * 30)
    ids = []
    for part in parts:
        p = submit(trx, message=part, data_coding=coding, esm_class=esm)
        r = read_until(trx, lambda x: x.command == 'submit_sm_resp' and x.sequence == p.sequence)
        if r is not None and r.status == 0:
            ids.append(text(r.message_id).rstrip('\x00'))
    check('every part of a %d-part message accepted' % len(parts), len(ids) == len(parts), ids)
    seen = seen_receipts.setdefault(id(trx), set())
    if not set(ids) <= seen:
        read_until(trx, lambda p: set(ids) <= seen, seconds=15)
    check('a receipt for every part', set(ids) <= seen, set(ids) - seen)

    # enquire_link is answered.
    el = smpplib.smpp.make_pdu('enquire_link', client=trx)
    trx.send_pdu(el)
    er = read_until(trx, lambda p: p.command == 'enquire_link_resp' and p.sequence == el.sequence)
    check('enquire_link answered', er is not None)

    # Transmitter + receiver: the receipt of a message sent on the TX bind arrives on the RX bind.
    tx = client(port)
    tx.bind_transmitter(system_id=system_id, password=password)
    rx = client(port)
    rx.bind_receiver(system_id=system_id, password=password)
    sent = submit(tx, dest='447700900777')
    resp = read_until(tx, lambda p: p.command == 'submit_sm_resp' and p.sequence == sent.sequence)
    tx_id = text(resp.message_id).rstrip('\x00') if resp else None
    dlr = read_until(rx, lambda p: p.command == 'deliver_sm' and receipt_id(p) == tx_id, seconds=15)
    check('receipt of a transmitter submit arrives on the receiver', dlr is not None)

    # Unbind on every session.
    for name, c in (('transceiver', trx), ('transmitter', tx), ('receiver', rx)):
        r = c.unbind()
        check('unbind answered on the ' + name, r is not None and r.command == 'unbind_resp' and r.status == 0)
        c.disconnect()

    # A wrong password is refused with ESME_RINVPASWD.
    bad = client(port)
    try:
        bad.bind_transceiver(system_id=system_id, password='wrong')
        check('wrong password refused', False, 'bound')
    except smpplib.exceptions.PDUError as e:
        check('wrong password refused with ESME_RINVPASWD', len(e.args) > 1 and e.args[1] == 0x0E, e.args)
    bad.disconnect()


def load(port, system_id, password, acked_file):
    """Submits until the server goes away; writes each acknowledged id as soon as it is known."""
    c = client(port)
    c.bind_transmitter(system_id=system_id, password=password)
    out = open(acked_file, 'a', buffering=1)
    counter = 0
    try:
        while True:
            batch = []
            for _ in range(50):
                counter += 1
                batch.append(submit(c, dest='4477%08d' % counter, message=b'restart test %d' % counter).sequence)
            for _ in batch:
                pdu = c.read_pdu()
                if pdu.command == 'submit_sm_resp' and pdu.status == 0:
                    out.write(text(pdu.message_id).rstrip('\x00') + '\n')
    except (smpplib.exceptions.ConnectionError, OSError, struct.error, socket.timeout):
        pass
    out.close()


def receipts(port, system_id, password, acked_file, seconds):
    wanted = set(line.strip() for line in open(acked_file) if line.strip())
    rx = client(port)
    rx.bind_receiver(system_id=system_id, password=password)
    seen = set()
    deadline = time.time() + float(seconds)
    while time.time() < deadline and not wanted <= seen:
        pdu = read_until(rx, lambda p: p.command == 'deliver_sm', seconds=max(1, deadline - time.time()))
        if pdu is None:
            break
        rid = receipt_id(pdu)
        if rid:
            seen.add(rid)
    missing = wanted - seen
    check('%d acknowledged messages stored and receipted after SIGKILL and restart' % len(wanted),
          len(wanted) > 0 and not missing, '%d missing, e.g. %s' % (len(missing), sorted(missing)[:3]))
    rx.unbind()
    rx.disconnect()


if __name__ == '__main__':
    mode = sys.argv[1]
    args = sys.argv[2:]
    if mode == 'features':
        features(int(args[0]), args[1], args[2])
    elif mode == 'load':
        load(int(args[0]), args[1], args[2], args[3])
        sys.exit(0)
    elif mode == 'receipts':
        receipts(int(args[0]), args[1], args[2], args[3], args[4])
    else:
        sys.exit('usage: smpplib-e2e.py features|load|receipts …')
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)
