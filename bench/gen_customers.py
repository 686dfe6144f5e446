#!/usr/bin/env python3
"""Writes a native Sallyport CSV with N customers (one RDP entry each, with password and
TOTP) for benchmarks. Deterministic: the same N gives the same file."""
import base64
import csv
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
out = sys.argv[2] if len(sys.argv) > 2 else "/dev/stdout"
rng = random.Random(42)
words = ["Acme", "Beta", "Gamma", "Delta", "Nordic", "Alpine", "Harbor", "Summit", "Cedar",
         "Granite", "Metro", "Pioneer", "Vertex", "Atlas", "Orion", "Zenith"]
kinds = ["Manufacturing", "Logistics", "Health", "Systems", "Foods", "Energy", "Retail", "Labs"]
regions = ["eu", "us", "apac", "latam"]
header = ("customer,code,entry,kind,host,port,gateway,gateway_port,gateway_usage,username,domain,"
          "password,totp,url,vpn_type,vpn_server,vpn_instructions,vpn_client_url,account_type,owner,"
          "expires,notes,tags").split(",")
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(header)
    for i in range(n):
        name = f"{rng.choice(words)} {rng.choice(kinds)} {i:06d}"
        code = f"C{i:06d}"
        host = f"rds{i}.customer{i}.example"
        secret = base64.b32encode(rng.randbytes(20)).decode()
        password = "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%") for _ in range(20))
        w.writerow([name, code, "RDP", "rdp", host, str(3389 + i % 100), f"gw{i % 500}.example", "443",
                    "always", f"CUST{i % 1000}\\vendor", "", password, secret, "", "", "", "", "",
                    "shared", "", f"2027-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "Support window weekdays 08-18", f"{rng.choice(regions)};tier{i % 3}"])
