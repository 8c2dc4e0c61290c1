"""moto_server for the tests, with bucket-policy conditions evaluated against the real request.

Started by test/helpers/moto.ts instead of `moto_server`, with the same arguments
(`-H 127.0.0.1 -p PORT -c CERT -k KEY`). Everything else is moto 5.2.1 unchanged.

What it changes, and why:

moto applies a bucket policy to object requests (GetObject, PutObject, DeleteObject, ...) through
`FakeBucket.get_permission(action, resource)`, which passes no request context, and its condition
check (moto/iam/policy_conditions.py, written for role trust policies) only knows `StringEquals`:
every other operator, `Bool` and `NumericLessThan` included, counts as met whatever the values. So
the PrivateBucket policy's two Deny statements (`Bool aws:SecureTransport = false` and
`NumericLessThan s3:TlsVersion < 1.2`) deny every object request, even one made over TLS 1.3, and a
test could only pass by dropping the policy, which would leave the deployed guard rail untested.

Here `get_permission` evaluates the bucket policy as AWS does for these statements: with the
request's context (`aws:SecureTransport` from the connection's scheme, `s3:TlsVersion` from the TLS
version the socket negotiated), and with each condition operator compared to those values; a
condition on a key the request does not carry is not met (unless the operator ends in `IfExists`).
Over plain HTTP the TLS-only Deny therefore still denies every object request, as it does on AWS.
Operators the policies of this project do not use are refused loudly rather than guessed.
"""

import fnmatch
import json
import sys
from typing import Any

from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.s3.models import FakeBucket


def request_context() -> dict[str, str]:
    """The condition keys of the request being served (empty outside a request)."""
    try:
        import flask

        if not flask.has_request_context():
            return {}
        environ = flask.request.environ
    except ImportError:
        return {}
    context = {"aws:SecureTransport": "true" if environ.get("wsgi.url_scheme") == "https" else "false"}
    sock = environ.get("werkzeug.socket")
    version = getattr(sock, "version", None)
    negotiated = version() if callable(version) else None
    if negotiated:
        # "TLSv1.3" -> "1.3", the form of S3's s3:TlsVersion key.
        context["s3:TlsVersion"] = negotiated.replace("TLSv", "")
    return context


def _values(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def _number(text: str) -> float:
    return float(text)


OPERATORS = {
    "StringEquals": lambda actual, expected: actual == expected,
    "StringNotEquals": lambda actual, expected: actual != expected,
    "StringEqualsIgnoreCase": lambda actual, expected: actual.lower() == expected.lower(),
    "StringLike": lambda actual, expected: fnmatch.fnmatchcase(actual, expected),
    "StringNotLike": lambda actual, expected: not fnmatch.fnmatchcase(actual, expected),
    "Bool": lambda actual, expected: actual.lower() == expected.lower(),
    "NumericEquals": lambda actual, expected: _number(actual) == _number(expected),
    "NumericNotEquals": lambda actual, expected: _number(actual) != _number(expected),
    "NumericLessThan": lambda actual, expected: _number(actual) < _number(expected),
    "NumericLessThanEquals": lambda actual, expected: _number(actual) <= _number(expected),
    "NumericGreaterThan": lambda actual, expected: _number(actual) > _number(expected),
    "NumericGreaterThanEquals": lambda actual, expected: _number(actual) >= _number(expected),
}
NEGATED = {"StringNotEquals", "StringNotLike", "NumericNotEquals"}


def condition_met(operator: str, key: str, expected: Any, context: dict[str, str]) -> bool:
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    # Condition keys are case-insensitive in IAM.
    actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    if base == "Null":
        return (actual is None) == (str(expected).lower() == "true")
    compare = OPERATORS.get(base)
    if compare is None:
        raise ValueError(
            f"test/helpers/motoServer.py does not evaluate the condition operator {operator}; "
            "add it to OPERATORS before using it in a bucket policy under test"
        )
    if actual is None:
        return if_exists
    wanted = _values(expected)
    if base in NEGATED:
        return all(compare(actual, w) for w in wanted)
    return any(compare(actual, w) for w in wanted)


def statement_applies(statement: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, block in (statement.get("Condition") or {}).items():
        for key, expected in block.items():
            if not condition_met(operator, key, expected, context):
                return False
    return True


def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    """moto's FakeBucket.get_permission, with each statement's conditions evaluated honestly."""
    if self.policy is None:
        return PermissionResult.NEUTRAL
    document = json.loads(self.policy.decode())
    statements = document["Statement"]
    if not isinstance(statements, list):
        statements = [statements]
    context = request_context()
    permitted = False
    for raw in statements:
        # moto's own matching of action, principal and resource, without its condition check.
        unconditional = {k: v for k, v in raw.items() if k != "Condition"}
        result = IAMPolicyStatement(unconditional).is_action_permitted(action, resource)
        if result == PermissionResult.NEUTRAL or not statement_applies(raw, context):
            continue
        if result == PermissionResult.DENIED:
            return PermissionResult.DENIED
        permitted = True
    return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL


FakeBucket.get_permission = get_permission  # type: ignore[method-assign]

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
