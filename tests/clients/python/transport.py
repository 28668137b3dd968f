"""The transport options both python scripts take: plain TCP by default, TLS with --tls.

    --tls --cacert ca.crt [--cert client.crt --key client.key]

With --tls the server certificate is verified against --cacert (and its name against the host); --cert/--key
present a client certificate (mutual TLS).
"""


def add_arguments(parser):
    parser.add_argument("--tls", action="store_true", help="connect over TLS")
    parser.add_argument("--cacert", help="CA file the server certificate must chain to (with --tls)")
    parser.add_argument("--cert", help="client certificate (mutual TLS)")
    parser.add_argument("--key", help="client certificate's key")


def connection_kwargs(args):
    """Keyword arguments for redis.Redis / RedisCluster: nothing for plain TCP, ssl_* for TLS."""
    if not args.tls:
        return {}
    kwargs = {"ssl": True, "ssl_cert_reqs": "required", "ssl_ca_certs": args.cacert, "ssl_check_hostname": True}
    if args.cert:
        kwargs.update(ssl_certfile=args.cert, ssl_keyfile=args.key)
    return kwargs


def describe(args):
    """What the summary reports as the transport."""
    return ("tls+client-cert" if args.cert else "tls") if args.tls else "tcp"
