"""The model catalog: names per dialect, capabilities per dialect, pixel tables."""

from __future__ import annotations

import pytest

from seedance_nb import catalog, errors
from seedance_nb.catalog_sizes import VIDEO_SIZES, parse_wxh
from seedance_nb.modes import Mode

SHORTS = [
    "seedance-2.0",
    "seedance-2.0-fast",
    "seedance-1.5-pro",
    "seedance-1.0-pro",
    "seedance-1.0-pro-fast",
    "seedream-4.0",
    "seedream-4.5",
    "seedream-5.0",
]


def test_catalog_lists_every_model_video_first() -> None:
    assert [s.short for s in catalog.models_for()] == SHORTS
    assert catalog.models() == catalog.models_for()


@pytest.mark.parametrize(
    ("provider", "shorts"),
    [
        ("ark", SHORTS),
        ("maxapi", [s for s in SHORTS if "1.0" not in s]),
        ("maxapi-openai", ["seedance-2.0-fast"]),
    ],
)
def test_models_per_dialect(provider: str, shorts: list[str]) -> None:
    assert [s.short for s in catalog.models_for(provider)] == shorts


@pytest.mark.parametrize(
    ("name", "provider", "short"),
    [
        ("seedance-2.0", "ark", "seedance-2.0"),
        ("dreamina-seedance-2-0-260128", "ark", "seedance-2.0"),
        ("doubao-seedance-2-0-260128", "ark", "seedance-2.0"),
        ("DOUBAO-SEEDANCE-1-5-PRO-251215", "ark", "seedance-1.5-pro"),
        ("seedance-2.0-fast", "maxapi", "seedance-2.0-fast"),
        ("model/seedance-2.0-fast-beta", "maxapi-openai", "seedance-2.0-fast"),
        ("seedance-2.0-fast", "maxapi-openai", "seedance-2.0-fast"),
        ("seedream-4", "maxapi", "seedream-4.0"),
        ("seedream-5-lite", "maxapi", "seedream-5.0"),
        ("seedream-5-0-260128", "ark", "seedream-5.0"),
    ],
)
def test_resolve_short_names_and_wire_ids(name: str, provider: str, short: str) -> None:
    assert catalog.resolve(name, provider).short == short


def test_resolve_unknown_names_close_matches() -> None:
    with pytest.raises(errors.ValidationError) as info:
        catalog.resolve("seedance-2", "ark")
    problem = info.value.problems[0]
    assert problem.field == "model"
    assert "seedance-2.0" in problem.fix and "seedance models" in problem.fix


def test_resolve_refuses_a_model_the_dialect_lacks() -> None:
    with pytest.raises(errors.ValidationError) as info:
        catalog.resolve("seedance-1.0-pro", "maxapi")
    assert "provider 'ark'" in info.value.problems[0].fix


def test_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(errors.ConfigError):
        catalog.resolve("seedance-2.0", "openai")


@pytest.mark.parametrize(
    ("short", "provider", "volcengine", "wire"),
    [
        ("seedance-2.0", "ark", False, "dreamina-seedance-2-0-260128"),
        ("seedance-2.0", "ark", True, "doubao-seedance-2-0-260128"),
        ("seedance-1.0-pro-fast", "ark", True, "doubao-seedance-1-0-pro-fast-251015"),
        ("seedance-2.0", "maxapi", True, "seedance-2.0"),
        ("seedance-2.0-fast", "maxapi-openai", False, "model/seedance-2.0-fast-beta"),
        ("seedream-4.5", "ark", False, "seedream-4-5-251128"),
        ("seedream-5.0", "maxapi", False, "seedream-5-lite"),
    ],
)
def test_wire_id(short: str, provider: str, volcengine: bool, wire: str) -> None:
    spec = catalog.resolve(short, provider)
    assert catalog.wire_id(spec, provider, volcengine=volcengine) == wire


def test_every_ark_model_has_byteplus_then_volcengine_id() -> None:
    for spec in catalog.models_for("ark"):
        first, second = spec.ids["ark"]
        assert not first.startswith("doubao-") and second == "doubao-" + first.removeprefix(
            "dreamina-"
        )


def test_capabilities_differ_per_dialect() -> None:
    pro15 = catalog.resolve("seedance-1.5-pro", "ark")
    assert catalog.capabilities(pro15, "ark").durations == tuple(range(4, 13))
    assert catalog.capabilities(pro15, "maxapi").durations == (5, 10)
    fast = catalog.resolve("seedance-2.0-fast", "ark")
    openai = catalog.capabilities(fast, "maxapi-openai")
    assert openai.resolutions == ("720p", "480p")
    assert (openai.min_duration, openai.max_duration, openai.auto_duration) == (4, 15, False)
    assert "adaptive" not in openai.ratios and "21:9" in openai.ratios
    maxapi = catalog.capabilities(catalog.resolve("seedance-2.0", "ark"), "maxapi")
    assert maxapi.ratios == ("16:9", "4:3", "1:1", "3:4", "9:16")
    assert "seed" not in maxapi.options and "fallback" in maxapi.options
    with pytest.raises(errors.ValidationError):
        catalog.capabilities(pro15, "maxapi-openai")


def test_capability_flags_follow_the_documents() -> None:
    def caps(short: str) -> catalog.Capabilities:
        return catalog.capabilities(catalog.resolve(short, "ark"), "ark")

    assert caps("seedance-2.0").auto_duration and not caps("seedance-1.5-pro").auto_duration
    assert caps("seedance-1.0-pro").frames and not caps("seedance-2.0").frames
    assert caps("seedance-1.5-pro").draft and not caps("seedance-2.0").draft
    assert caps("seedance-2.0").priority and not caps("seedance-2.0-fast").priority
    assert (
        caps("seedance-2.0").service_tiers == ()
        and "flex" in caps("seedance-1.0-pro").service_tiers
    )
    assert not caps("seedance-1.0-pro-fast").last_frame and caps("seedance-1.0-pro").last_frame
    assert caps("seedance-2.0").reference_images and not caps("seedance-1.5-pro").reference_images
    assert caps("seedance-1.0-pro").default_resolution == "1080p"
    assert caps("seedance-2.0").default_ratio == "adaptive"
    assert Mode.MULTIMODAL in caps("seedance-2.0-fast").modes
    assert {caps(s).fps for s in SHORTS if s.startswith("seedance")} == {24}
    assert caps("seedream-4.5").size_tiers == ("2K", "4K")
    assert caps("seedream-5.0").output_formats == ("png", "jpeg")


def test_video_size_uses_the_right_seed_004_family() -> None:
    two = catalog.resolve("seedance-2.0", "ark")
    one = catalog.resolve("seedance-1.0-pro", "ark")
    assert catalog.video_size(two, "720p", "4:3") == (1112, 834)
    assert catalog.video_size(one, "720p", "4:3") == (1120, 832)
    assert catalog.video_size(two, "1080p", "21:9") == (2206, 946)
    assert catalog.video_size(two, "720p", "adaptive") is None
    assert catalog.video_size(one, None, None) == (1920, 1088)


def test_video_tables_are_complete() -> None:
    for family in VIDEO_SIZES.values():
        assert all(len(row) == 6 for row in family.values())
        for row in family.values():
            for ratio, (width, height) in row.items():
                num, den = (int(x) for x in ratio.split(":"))
                assert abs(width / height - num / den) < 0.04


def test_image_size() -> None:
    s40 = catalog.resolve("seedream-4.0", "ark")
    s50 = catalog.resolve("seedream-5.0", "ark")
    assert catalog.image_size(s40) == (2048, 2048)
    assert catalog.image_size(s40, size="3000x1000") == (3000, 1000)
    assert catalog.image_size(s40, size="4K") == (4096, 4096)
    assert catalog.image_size(s50, ratio="16:9", resolution="3k") == (4096, 2304)
    assert catalog.image_size(s40, ratio="9:16") == (1440, 2560)
    with pytest.raises(ValueError):
        catalog.image_size(s40, resolution="3K")


def test_parse_wxh() -> None:
    assert parse_wxh("2048x2048") == (2048, 2048)
    assert parse_wxh("1024 × 768") == (1024, 768)
    assert parse_wxh("2K") is None
