"""Standard Webhooks signing: the specification's reference vector, and its own library agrees."""

import base64
import datetime

import pytest
from standardwebhooks.webhooks import Webhook as ReferenceVerifier
from standardwebhooks.webhooks import WebhookVerificationError

from apps.alerts.webhooks import SECRET_PREFIX, generate_secret, sign


def test_sign_reproduces_the_reference_test_vector():
    # The vector of the specification's reference libraries (libraries/*/tests in
    # standard-webhooks/standard-webhooks): secret, id, timestamp and body give this signature.
    signature = sign(
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body=b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_reference_library_signs_the_same_as_we_do():
    secret = generate_secret()
    when = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
    ours = sign(secret=secret, msg_id="msg_1", timestamp=int(when.timestamp()), body=b'{"a":1}')
    theirs = ReferenceVerifier(secret).sign(msg_id="msg_1", timestamp=when, data='{"a":1}')
    assert ours == theirs


def test_generated_secret_is_prefixed_and_long_enough():
    secret = generate_secret()
    assert secret.startswith(SECRET_PREFIX)
    assert len(base64.b64decode(secret.removeprefix(SECRET_PREFIX))) >= 24


def test_a_tampered_body_fails_the_reference_verifier():
    secret = generate_secret()
    now = datetime.datetime.now(tz=datetime.UTC)
    header = sign(secret=secret, msg_id="msg_2", timestamp=int(now.timestamp()), body=b'{"a":1}')
    verifier = ReferenceVerifier(secret)
    headers = {"webhook-id": "msg_2", "webhook-timestamp": str(int(now.timestamp()))}
    with pytest.raises(WebhookVerificationError):
        verifier.verify('{"a":2}', {**headers, "webhook-signature": header})
