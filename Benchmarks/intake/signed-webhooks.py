#!/usr/bin/env python3
"""Writes signed GHL ContactCreate webhooks for the intake load test, one per line: signature<TAB>body.

Usage: signed-webhooks.py KEY_FILE OUT_FILE COUNT

KEY_FILE holds a raw 32-byte Ed25519 private key (created if missing); its public key (base64) is printed, for
`switchboard serve --ghl-webhook-public-key`. Every webhook has its own webhookId and the current time, so the
file must be used within the service's 5-minute window.
"""
import base64
import datetime
import json
import os
import random
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

ZIPS = ["78701", "78703", "78704", "78745", "78664", "75201", "75204", "77002", "33131", "33602", "30303",
        "85004", "80202", "80301", "73301", "32801", "85251", "30305", "75001", "77005"]


def main():
    key_file, out_file, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if not os.path.exists(key_file):
        with open(key_file, "wb") as handle:
            handle.write(os.urandom(32))
    key = Ed25519PrivateKey.from_private_bytes(open(key_file, "rb").read())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    print(base64.b64encode(public).decode())
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    rng = random.Random(7)
    with open(out_file, "w") as out:
        for index in range(count):
            body = json.dumps({
                "type": "ContactCreate", "locationId": "intake", "id": f"c{index}", "webhookId": f"bench-{now}-{index}",
                "timestamp": now, "firstName": "Lead", "lastName": str(index), "email": f"lead{index}@example.com",
                "phone": f"+1512555{index % 10000:04d}", "postalCode": rng.choice(ZIPS), "source": "facebook",
            }, separators=(",", ":"), sort_keys=True)
            signature = base64.b64encode(key.sign(body.encode())).decode()
            out.write(f"{signature}\t{body}\n")


if __name__ == "__main__":
    main()
