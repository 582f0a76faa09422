#!/usr/bin/env python3
"""Builds the seed corpora of the XML-RPC fuzz targets from the original Koschei's
recorded Koji traffic (../../shared/conformance/koschei/test/data, see
shared/spec/koschei-tests.md §3) plus the hand-written seeds in seeds/.

* vcrpy cassettes (*.vcr.json): the raw XML-RPC request and response bodies of every
  interaction with a Koji hub, byte for byte.
* KojiVCR cassettes (<Class>/<test>.yml, method level): each recorded call is encoded the
  way the Python Koji client does (xmlrpc.client with allow_none, <i8> for big ints,
  keyword arguments in a trailing __starstar struct), each result as a methodResponse and
  each recorded exception as a fault response. Needs PyYAML; skipped without it.

Output: corpus/xmlrpc_decode_response (responses), corpus/xmlrpc_decode_call (calls),
corpus/xmlrpc_roundtrip (both); files are named by SHA-1, so re-running is idempotent.
Usage: python3 make_seeds.py [DATA_DIR]
"""

import glob
import hashlib
import json
import os
import sys
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "conformance", "koschei", "test", "data")
KOJI_FAULTS = {
    "GenericError": 1000, "LockError": 1001, "AuthError": 1002, "TagError": 1003,
    "ActionNotAllowed": 1004, "BuildError": 1005, "AuthLockError": 1006,
    "AuthExpired": 1007, "SequenceError": 1008, "RetryError": 1009,
    "PreBuildError": 1010, "PostBuildError": 1011, "BuildrootError": 1012,
    "FunctionDeprecated": 1013, "ServerOffline": 1014,
}


def dump_int(self, value, write):
    # What koji's patched Marshaller does: <int> when it fits in 32 bits, else <i8>.
    tag = "int" if -(2**31) <= value < 2**31 else "i8"
    write("<value><%s>%d</%s></value>\n" % (tag, value, tag))


xmlrpc.client.Marshaller.dispatch[int] = dump_int


def write(target, body):
    if isinstance(body, str):
        body = body.encode("utf-8")
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(body).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(body)


def add(kind, body):
    write("xmlrpc_decode_response" if kind == "response" else "xmlrpc_decode_call", body)
    write("xmlrpc_roundtrip", body)


def from_vcr(path):
    n = 0
    with open(path) as f:
        cassette = json.load(f)
    for interaction in cassette.get("interactions", []):
        if not interaction["request"]["uri"].endswith("/kojihub"):
            continue
        request = interaction["request"].get("body")
        response = interaction["response"].get("body", {}).get("string")
        if request:
            add("call", request)
            n += 1
        if response:
            add("response", response)
            n += 1
    return n


def from_yaml(path, yaml):
    n = 0
    with open(path) as f:
        entries = yaml.safe_load(f) or []
    for e in entries:
        params = list(e.get("args") or [])
        if e.get("kwargs"):
            params.append(dict(e["kwargs"], __starstar=True))
        add("call", xmlrpc.client.dumps(tuple(params), e["method"], allow_none=True))
        n += 1
        if "exception" in e:
            exc = e["exception"]
            cls = exc["type"]["class"]
            args = exc.get("args") or []
            if cls == "Fault" and len(args) >= 2:
                code, text = int(args[0]), str(args[1])
            else:
                code, text = KOJI_FAULTS.get(cls, 1), str(args[0]) if args else cls
            body = xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), allow_none=True)
        else:
            body = xmlrpc.client.dumps((e.get("result"),), methodresponse=True, allow_none=True)
        add("response", body)
        n += 1
    return n


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else DATA
    total = 0
    for path in sorted(glob.glob(os.path.join(data, "*.vcr.json"))):
        total += from_vcr(path)
    try:
        import yaml
    except ImportError:
        yaml = None
        print("PyYAML missing: skipping the KojiVCR YAML cassettes", file=sys.stderr)
    if yaml is not None:
        for path in sorted(glob.glob(os.path.join(data, "*", "*.yml"))):
            total += from_yaml(path, yaml)
    for kind in ("response", "call"):
        for path in sorted(glob.glob(os.path.join(HERE, "seeds", kind, "*"))):
            with open(path, "rb") as f:
                add(kind, f.read())
            total += 1
    for target in ("xmlrpc_decode_response", "xmlrpc_decode_call", "xmlrpc_roundtrip"):
        count = len(os.listdir(os.path.join(HERE, "corpus", target)))
        print("corpus/%s: %d files" % (target, count))
    print("%d bodies read" % total)


if __name__ == "__main__":
    main()
