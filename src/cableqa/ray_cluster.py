"""Which Ray a `--ray` build runs on, and joining it, with one line when it refuses.

No address means a Ray of the build's own over this machine's cores: `ray.init(address="local")`.
`address=None` would join whatever cluster Ray last recorded on this machine (`RAY_ADDRESS`, or
`ray_current_cluster` in Ray's temp folder), and fail or hang once that cluster has died.

A `ray://HOST:PORT` address is a cluster's Ray client server. A cluster started with token
authentication (Ray ≥ 2.52; `ray start` turns it on where it finds a token, `RAY_AUTH_MODE=token`
asks for it) refuses every call that lacks its token, and Ray's client sends one only where
`RAY_AUTH_MODE=token` is set: without it `ray.init` retried for 31 s, then said "ray client
connection timeout". So the token is read here as Ray reads its own (`auth_token`) and sent with
every call, and the client server is pinged first: a closed port, a missing token or a refused
one is one line within a second, naming the cause.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

from cableqa.errors import CableQAError, one_line

CLIENT_SCHEME = "ray://"
# Where Ray looks for its token, in Ray's order (ray/_private/authentication, and
# docs.ray.io "Ray token authentication"): the variable, the file it names, the default file.
TOKEN_VARIABLE = "RAY_AUTH_TOKEN"
TOKEN_PATH_VARIABLE = "RAY_AUTH_TOKEN_PATH"
DEFAULT_TOKEN_FILE = "~/.ray/auth_token"  # authentication_token_setup._get_default_token_path
# The header Ray's gRPC servers read the token from (authentication_constants.py).
AUTHORIZATION_HEADER = "authorization"
# The ping's wait for an answer: a client server answers in ~10 ms on loopback (measured: 2-8 ms
# for a PING, refused or not), so only a host that drops packets takes this long, instead of the
# 31 s of Ray's own retries.
PING_SECONDS = 5.0
# A Ray client server starts a server process of its own for each client it lets in. On this
# 2-core machine under load (4-6) that process died at birth in 10 of ~40 runs of the tests, each
# after a local Ray had run in the same pytest process: "Initialization failure from server" after
# 30-40 s. Killing that process by hand gave the same error, and a second `ray.init` joined in 1.5 s.
SERVER_START_RETRIES = 1
TOKEN_HINT = f"set {TOKEN_VARIABLE} to the token `ray get-auth-token` prints on the head node, or {TOKEN_PATH_VARIABLE}"


def init_address(address: str | None) -> str:
    """The `ray.init` address of a `--ray [ADDRESS]` build: "local" for none, a Ray of its own."""
    return "local" if address is None else address


def auth_token() -> tuple[str, str] | None:
    """(token, where it came from) as Ray finds its own, or None where there is none."""
    if os.environ.get(TOKEN_VARIABLE, "").strip():
        return os.environ[TOKEN_VARIABLE].strip(), TOKEN_VARIABLE
    named = os.environ.get(TOKEN_PATH_VARIABLE)
    path = Path(named) if named else Path(DEFAULT_TOKEN_FILE).expanduser()
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if not named:
            return None
        raise CableQAError(f"{TOKEN_PATH_VARIABLE} names {path}, which does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CableQAError(f"cannot read the Ray token in {path}: {one_line(error)}") from None
    if not token and named:
        raise CableQAError(f"{TOKEN_PATH_VARIABLE} names {path}, which is empty")
    return (token, str(path)) if token else None


def connect(address: str | None) -> None:
    """Start a Ray of this process's own (address None), or join the cluster at `address`."""
    import ray

    metadata = []
    if address is not None and address.startswith(CLIENT_SCHEME):
        found = auth_token()
        if found is not None:
            metadata = [(AUTHORIZATION_HEADER, f"Bearer {found[0]}")]
        check_client_server(address, found[1] if found else None, metadata)
    for attempt in range(1 + SERVER_START_RETRIES):
        try:
            with warnings.catch_warnings():  # Ray's own warning of a timeout: the error says it in one line
                warnings.simplefilter("ignore")
                ray.init(
                    address=init_address(address),
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.ERROR,
                    configure_logging=False,
                    **({"_metadata": metadata} if metadata else {}),
                )
            return
        except ConnectionAbortedError as error:  # "Initialization failure from server:" and its traceback
            if attempt == SERVER_START_RETRIES:
                why = str(error).strip().splitlines()[-1]
                raise CableQAError(
                    f"the Ray cluster at {address} could not start a server for this build: {why}"
                ) from None
        except (ConnectionError, ValueError, RuntimeError) as error:
            raise CableQAError(f"cannot reach the Ray cluster at {address}: {one_line(error)}") from None


def check_client_server(address: str, token_source: str | None, metadata: list[tuple[str, str]]) -> None:
    """Ping the Ray client server at `address` as Ray's client first does (a PING, which a client
    server answers itself), and raise the one line that says why it refused.

    Skipped over TLS (`RAY_USE_TLS`), where Ray's own client sets up the channel.
    """
    if os.environ.get("RAY_USE_TLS", "0").lower() in ("1", "true"):
        return
    import grpc
    from ray.core.generated import ray_client_pb2, ray_client_pb2_grpc

    ping = ray_client_pb2.ClusterInfoRequest(type=ray_client_pb2.ClusterInfoType.PING)
    with grpc.insecure_channel(address.removeprefix(CLIENT_SCHEME)) as channel:
        try:
            ray_client_pb2_grpc.RayletDriverStub(channel).ClusterInfo(ping, timeout=PING_SECONDS, metadata=metadata)
        except grpc.RpcError as error:
            raise CableQAError(_refusal(address, token_source, error.code(), error.details())) from None


def _refusal(address: str, token_source: str | None, code, details: str | None) -> str:
    import grpc

    if code == grpc.StatusCode.UNAUTHENTICATED and token_source is None:
        return f"the Ray cluster at {address} requires a token: {TOKEN_HINT}"
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return f"the Ray cluster at {address} refused the token in {token_source}: {TOKEN_HINT}"
    if code == grpc.StatusCode.UNAVAILABLE:
        why = f"nothing answers there ({_last_reason(details or code.name)})"
    elif code == grpc.StatusCode.UNIMPLEMENTED:  # the GCS port (6379), say, or not Ray at all
        why = "what answers there is not a Ray client server (`ray start --ray-client-server-port`, 10001 by default)"
    elif code == grpc.StatusCode.DEADLINE_EXCEEDED:
        why = f"no answer within {PING_SECONDS:g} s"
    else:
        why = one_line(details or code.name)
    return f"cannot reach the Ray cluster at {address}: {why}"


def _last_reason(details: str) -> str:
    """ "Connection refused" of gRPC's "failed to connect to all addresses; last error: UNKNOWN:
    ipv4:127.0.0.1:10001: Failed to connect to remote host: Connection refused", "Domain name not
    found" of its "errors resolving HOST:10001: [field:hostname lookup error:...: Domain name not found]"."""
    return one_line(details).rsplit(": ", 1)[-1].strip("[] ")
