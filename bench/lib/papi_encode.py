"""Encode rate of FD.io's Python client (vpp_papi) for one message, for bench/codec.js.

Reads a JSON object on stdin: {"apiDir": ..., "seconds": s, "rounds": n, "message"?: name,
"value": {...}} and prints one JSON line: {"rate": encodes per second (median of the rounds),
"hex": the encoding, "python": version}. vpp_papi must be importable (PYTHONPATH); no VPP is
needed, nothing connects.
"""
import json
import platform
import sys
import time

from vpp_papi import VPPApiClient
from vpp_papi.vpp_papi import VPPApiJSONFiles


def main():
    inp = json.load(sys.stdin)
    name = inp.get("message", "cnat_translation_update")
    files = VPPApiJSONFiles.find_api_files(inp["apiDir"])
    client = VPPApiClient(apifiles=files, testmode=True, use_socket=True)
    msg = client.messages[name]
    value = inp["value"]
    encoded = msg.pack(value)
    seconds = float(inp.get("seconds", 2))
    rates = []
    for _ in range(int(inp.get("rounds", 3))):
        n = 0
        start = time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(200):
                msg.pack(value)
            n += 200
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(n / (now - start))
    rates.sort()
    print(json.dumps({"rate": rates[len(rates) // 2], "hex": encoded.hex(), "python": platform.python_version()}))


if __name__ == "__main__":
    main()
