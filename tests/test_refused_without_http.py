"""Every documented rule, broken, is refused locally: the client sends zero HTTP requests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest
from rule_cases import CASES, RuleCase, build

from seedance_nb import errors
from seedance_nb.client import AsyncSeedance


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_refused_with_zero_http_requests(case: RuleCase, media: Mapping[str, Path]) -> None:
    sent: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"id": "cgt-should-never-exist"})

    transport = httpx.MockTransport(server)
    with pytest.raises((errors.ValidationError, errors.ConfigError)) as info:
        request = build(case, media)
        client = AsyncSeedance(
            case.provider, base_url="https://api.test/api/v3", api_key="k", transport=transport
        )
        await client.create(request)
    assert sent == []
    if isinstance(info.value, errors.ValidationError):
        fields = [problem.field for problem in info.value.problems]
        assert any(f == case.field or f.startswith(case.field) for f in fields), fields
        assert "Fix:" in str(info.value)
