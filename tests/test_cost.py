"""Cost estimates: token formulas (FACTS §6), prices, and the assumptions they state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from seedance_nb import cost
from seedance_nb.cost import Estimate, PriceTable, estimate
from seedance_nb.materials import Material
from seedance_nb.requests import ImageRequest, VideoRequest

IMG, VID = "https://example.com/a.jpg", "https://example.com/m.mp4"


@pytest.fixture(autouse=True)
def _restore_prices() -> Iterator[None]:
    yield
    cost.set_default_prices(None)


def test_observed_720p_5s_usage_is_reproduced() -> None:
    request = VideoRequest(prompt="x", resolution="720p", ratio="16:9", duration=5)
    result = estimate(request, volcengine=True)
    assert result.tokens == 108_900  # FACTS §1.3 example usage
    assert result.currency == "CNY"
    assert result.amount == pytest.approx(108_900 / 1e6 * 46)
    assert any("stale" in a for a in result.assumptions)


def test_frames_count_directly() -> None:
    request = VideoRequest(model="seedance-1.0-pro", prompt="x", ratio="16:9", frames=57)
    assert estimate(request).tokens == 1920 * 1088 * 57 // 1024


def test_auto_duration_and_adaptive_ratio_are_assumed() -> None:
    result = estimate(VideoRequest(prompt="x", duration=-1))
    assert result.tokens == pytest.approx(1280 * 720 * (24 * 15 + 1) / 1024, abs=1)
    assert any("16:9" in a for a in result.assumptions)
    assert any("longest, 15 s" in a for a in result.assumptions)


def test_input_video_seconds_are_billed(media: dict[str, Path]) -> None:
    base = VideoRequest(prompt="x", resolution="480p", ratio="1:1", duration=5)
    measured = base.with_changes(materials=[Material.video(media["video_8s"])])
    frames = 24 * 5 + 1 + 24 * 8
    result = estimate(measured, volcengine=True)
    assert result.tokens == 640 * 640 * frames // 1024
    assert result.amount == pytest.approx(result.tokens / 1e6 * 28)  # with-video-input price
    remote = estimate(base.with_changes(materials=[VID]))
    assert remote.tokens == 640 * 640 * (121 + 360) // 1024
    assert any("assumed 15 s" in a for a in remote.assumptions)


def test_flex_and_silent_prices() -> None:
    request = VideoRequest(model="seedance-1.5-pro", prompt="x", ratio="16:9", duration=5)
    online = estimate(request)
    assert online.currency == "USD" and online.amount == pytest.approx(0.10890 * 2.4)
    flex = estimate(request.with_changes(service_tier="flex"))
    assert flex.amount == pytest.approx(online.amount / 2)
    silent = estimate(request.with_changes(generate_audio=False))
    assert silent.amount == pytest.approx(0.10890 * 1.2)


def test_per_generation_route_price() -> None:
    request = VideoRequest(model="seedance-2.0-fast", prompt="x", duration=10)
    result = estimate(request, "maxapi-openai")
    assert (result.amount, result.currency) == (0.45, "USD")
    assert any("priced as mix" in a for a in result.assumptions)
    other_route = estimate(request.with_changes(route_mode="official"), "maxapi-openai")
    assert other_route.amount is None and other_route.tokens is not None


def test_unknown_price_then_user_price() -> None:
    request = VideoRequest(prompt="x", ratio="16:9")
    unknown = estimate(request, "maxapi")
    assert unknown.amount is None and unknown.currency is None
    assert any(
        "no maxapi price known for seedance-2.0: add one to" in a for a in unknown.assumptions
    )
    table = PriceTable.default().with_price("maxapi", "seedance-2.0", per_generation=1.25)
    assert estimate(request, "maxapi", table).amount == 1.25
    cost.set_default_prices(table)
    assert estimate(request, "maxapi").amount == 1.25
    assert cost.default_prices() is table


def test_images() -> None:
    assert estimate(ImageRequest(prompt="x")).tokens == 2048 * 2048 // 256
    three = estimate(ImageRequest(prompt="x", ratio="16:9", resolution="2k", n=3), "maxapi")
    assert three.tokens == 2848 * 1600 // 256 * 3
    group = estimate(ImageRequest(prompt="x", images=[IMG] * 5, sequential="auto"))
    assert group.tokens == 16_384 * 10
    assert any("most the model may make, 10" in a for a in group.assumptions)
    table = PriceTable().with_price("ark", "seedream-4.5", per_image=0.04)
    assert estimate(ImageRequest(prompt="x", n=2), "ark", table).amount == pytest.approx(0.08)


def test_unknown_model_is_an_empty_estimate() -> None:
    result = estimate(VideoRequest(model="seedance-9", prompt="x"))
    assert (result.tokens, result.amount) == (None, None)
    assert "unknown model" in result.assumptions[0]


def test_estimate_text() -> None:
    assert str(Estimate(1234, 0.5, "USD")) == "1,234 tokens ≈ 0.5 USD"
    assert str(Estimate(None, None, None)) == "? tokens"


def test_the_price_follows_the_region_and_names_its_source() -> None:
    request = VideoRequest(prompt="x", resolution="720p", ratio="16:9", duration=5)
    byteplus = estimate(request)  # ModelArk's default host is BytePlus: USD, never yuan
    assert byteplus.currency is None and byteplus.amount is None
    assert any('region = "byteplus", model = "seedance-2.0"' in a for a in byteplus.assumptions)
    volcengine = estimate(request, volcengine=True)
    assert volcengine.currency == "CNY"
    assert volcengine.price_basis == (
        "volcengine price, crazyrouter.com via FACTS §6 (secondary, may be stale), "
        "gathered 2026, undated sources"
    )
    usd = estimate(request.with_changes(model="seedance-1.0-pro"))
    assert usd.currency == "USD" and usd.price_basis.startswith("byteplus price")


def test_prices_from_the_users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from seedance_nb import errors

    monkeypatch.setenv("SEEDANCE_CONFIG_DIR", str(tmp_path))
    (tmp_path / "prices.toml").write_text(
        '[[price]]\nregion = "byteplus"\nmodel = "seedance-2.0"\ncurrency = "USD"\n'
        'per_million_tokens = 10.0\ndate = "2026-11-01"\n'
    )
    request = VideoRequest(prompt="x", resolution="720p", ratio="16:9", duration=5)
    result = estimate(request)
    assert result.currency == "USD" and result.amount == pytest.approx(1.089)
    assert result.price_basis == "byteplus price, your prices.toml, 2026-11-01"
    assert estimate(request, volcengine=True).currency == "CNY"  # the other region is untouched
    (tmp_path / "prices.toml").write_text('[[price]]\nregion = "mars"\nmodel = "x"\n')
    with pytest.raises(errors.ConfigError, match=r"prices.toml, price #1 needs region"):
        estimate(request)


def test_the_region_follows_the_configured_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    request = VideoRequest(prompt="x", resolution="720p", ratio="16:9", duration=5)
    monkeypatch.setenv("SEEDANCE_BASE_URL", "https://ark.cn-beijing.volces.com/api/v3")
    monkeypatch.delenv("ARK_API_KEY", raising=False)
    assert estimate(request).currency == "CNY"  # no key needed for a local estimate
    monkeypatch.setenv("SEEDANCE_BASE_URL", "byteplus")
    assert estimate(request).currency is None
