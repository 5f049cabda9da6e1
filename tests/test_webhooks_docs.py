"""docs/webhooks.md's verification snippet works as printed, and every webhook setting is documented."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import time_machine

from relais.webhooks import signing

ROOT = Path(__file__).resolve().parent.parent
WEBHOOKS_DOC = (ROOT / "docs" / "webhooks.md").read_text()
OPERATIONS_DOC = (ROOT / "docs" / "operations.md").read_text()


def readme_verify() -> Any:
    section = WEBHOOKS_DOC
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "docs/webhooks.md has a Python snippet"
    assert len(code.group(1).strip().splitlines()) <= 20
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), "docs/webhooks.md", "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["verify"]


def test_the_readme_snippet_verifies_the_spec_vector() -> None:
    verify = readme_verify()
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    with time_machine.travel(1614265330 + 60, tick=False):
        assert verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, b'{"test": 2432232314}')
        assert not verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, b'{"test": 2432232315}')
    assert not verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, b'{"test": 2432232314}')  # stale


def test_the_readme_snippet_accepts_either_secret_during_a_rotation() -> None:
    verify = readme_verify()
    old, new, stranger = signing.new_secret(), signing.new_secret(), signing.new_secret()
    body = b'{"type":"report.created","timestamp":"2026-11-25T21:59:00Z","data":{"version":1}}'
    headers = signing.headers(secrets=[new, old], msg_id="msg_1", timestamp=int(time.time()), body=body)
    assert verify(old, headers, body)
    assert verify(new, headers, body)
    assert not verify(stranger, headers, body)


def test_every_webhook_setting_is_in_the_operations_doc_and_env_example() -> None:
    settings_py = (ROOT / "relais" / "settings.py").read_text()
    names = set(re.findall(r'os\.environ\.get\("((?:RELAIS_WEBHOOK|RELAIS_TASKS)_[A-Z_]+)"', settings_py))
    assert len(names) == 9
    example = (ROOT / ".env.example").read_text()
    for name in names:
        assert f"| `{name}` |" in OPERATIONS_DOC, name
        assert f"\n{name}=" in example, name
