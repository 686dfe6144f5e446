
D
12345678901234567890Acme VPN:vendor@acme.exampleAcme VPN (0