"""PC <-> board link: the Board RPC client (eRPC framing and BasicCodec from pip `erpc`) and the
host mirror of the board's seeded input generator."""
