#!/usr/bin/env python3
"""Writes a KeePass 2 XML file with N entries (in 10 groups) for `keepassxc-cli import`:
the KeePassXC side of bench/vs-keepassxc.sh and bench/gui.sh. Deterministic.
Usage: bench/gen_keepass_xml.py N FILE"""
import base64, sys
n, out = int(sys.argv[1]), sys.argv[2]
def uuid(i): return base64.b64encode(i.to_bytes(16, "big")).decode()
with open(out, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><KeePassFile><Meta><Generator>bench</Generator></Meta><Root>')
    f.write('<Group><UUID>%s</UUID><Name>Root</Name>' % uuid(1))
    for g in range(10):
        f.write('<Group><UUID>%s</UUID><Name>Region %d</Name>' % (uuid(2 + g), g))
        for i in range(g, n, 10):
            f.write('<Entry><UUID>%s</UUID>' % uuid(100 + i))
            for k, v in (("Title", "Customer %06d Health" % i if i % 7 == 0 else "Customer %06d" % i),
                         ("UserName", "CUST%06d\\vendor" % i), ("Password", "pw-%06d-secret" % i),
                         ("URL", "cmd://mstsc /v:host%06d.example:3389" % i), ("Notes", "note %d" % i),
                         ("otp", "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=30&digits=6")):
                f.write('<String><Key>%s</Key><Value>%s</Value></String>' % (k, v.replace("&", "&amp;")))
            f.write('</Entry>')
        f.write('</Group>')
    f.write('</Group></Root></KeePassFile>')
