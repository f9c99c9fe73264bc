"""The local validator and the simulator agree on accept or refuse, for random requests.

The two sides are written independently (the simulator imports nothing from the package), so an
agreement is evidence. The property:

* a request the validator **accepts** is accepted by the simulator (otherwise a user pays a round
  trip for a refusal the package should have caught, or the package is wrong about the API);
* a request the validator **refuses** is refused by the simulator, except where every problem the
  validator names is one of the deliberate, documented differences in ``STRICTER_LOCALLY``.

``STRICTER_LOCALLY`` (excuses.py) is exact: a difference is excused only for the dialect, model,
field and rule listed, each with where it is documented. Anything else fails the test.

Random requests can miss a combination for ever (none drew ark + 2.0 fast + 1080p), so every
catalog row is also tried with each value of its capability fields, one field at a time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from seedance_nb import catalog
from seedance_nb.materials import Material
from seedance_nb.requests import ImageRequest, VideoRequest
from seedance_nb.simulator import ManualClock, Simulator, SimulatorConfig
from seedance_nb.validation import check

from .excuses import STRICTER_LOCALLY, Excuse, excuse_for, model_of
from .requests_strategy import Case, Verdict, cases, simulator_verdict

_sim: Simulator | None = None


def judge(case: Case) -> Verdict:
    global _sim
    if _sim is None:
        _sim = Simulator(SimulatorConfig(clock=ManualClock()))
    sim = _sim

    async def ask() -> Verdict:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sim.app),
            base_url="http://sim.test",
            headers={"Authorization": "Bearer sk-test"},
        ) as http:
            return await simulator_verdict(http, case)

    return asyncio.run(ask())


@pytest.fixture(autouse=True, scope="module")
def _fresh_simulator():
    global _sim
    _sim = None
    yield
    _sim = None


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(cases())
def test_validator_and_simulator_agree(case: Case):
    assert disagreement(case) is None


def disagreement(case: Case) -> str | None:
    """Why the validator and the simulator disagree on ``case`` beyond the excuses, or None."""
    problems = check(case.request, case.provider)
    verdict = judge(case)
    if not problems:
        if verdict.accepted:
            return None
        return f"{case}: accepted locally, refused by the simulator: {verdict.detail}"
    if not verdict.accepted:
        return None
    unexcused = [str(p) for p in problems if excuse_for(case, p) is None]
    if not unexcused:
        return None
    return f"{case}: refused locally, accepted by the simulator: {unexcused}"


# One field at a time, over values chosen from the documents' ranges and one step past them
# (not from the catalog, so a row that wrongly grows a value is still tried with it).
ROW_VALUES: dict[str, dict[str, list[Any]]] = {
    "video": {
        "resolution": ["480p", "720p", "1080p", "2k"],
        "ratio": ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"],
        "duration": [-1, 1, 2, 3, 4, 5, 10, 11, 12, 13, 15, 16],
        "frames": [29, 57, 289],
        "service_tier": ["default", "flex"],
        "priority": [0],
        "generate_audio": [True],
        "camera_fixed": [True],
        "draft": [True],
        "return_last_frame": [True],
        "tools": [["web_search"]],
        "route_mode": ["official", "mix"],
        "asset_delivery": ["mirror", "direct"],
    },
    "image": {
        "size": ["1K", "2K", "3K", "4K", "2048x2048"],
        "resolution": ["1k", "2k", "4k"],
        "ratio": ["1:1", "16:9", "21:9"],
        "n": [1, 4, 5, 15, 16],
        "guidance_scale": [5.5],
        "output_format": ["png", "jpeg"],
        "seed": [7],
    },
}
ROWS = [(provider, spec.short) for provider in catalog.PROVIDERS
        for spec in catalog.models_for(provider)]  # fmt: skip


@pytest.mark.parametrize(("provider", "model"), ROWS, ids=[f"{p}-{m}" for p, m in ROWS])
def test_every_catalog_row_agrees_field_by_field(provider: str, model: str):
    spec = catalog.resolve(model, provider)
    options = catalog.capabilities(spec, provider).options
    make = VideoRequest if spec.kind == "video" else ImageRequest
    tried, found = 0, []
    for field, values in ROW_VALUES[spec.kind].items():
        if field not in options:  # the wire cannot carry it: refused locally by construction
            continue
        for value in values:
            case = Case(provider, make(prompt="a red fox", model=model, **{field: value}))
            tried += 1
            if (why := disagreement(case)) is not None:
                found.append(why)
    assert tried >= 3  # the row was really tried
    assert found == []


def _witnesses() -> dict[Excuse, Case]:
    """One request per excuse that shows the difference: refused locally for that reason
    alone, accepted by the simulator."""

    def video(provider: str, **fields) -> Case:
        return Case(provider, VideoRequest(prompt="a red fox", **fields))

    def image(provider: str, **fields) -> Case:
        return Case(provider, ImageRequest(prompt="a red fox", **fields))

    url = "https://cdn.example.com/in/photo0.png"
    keys = list(STRICTER_LOCALLY)
    cases = [
        image("ark", model="seedream-4.0", size="2048x2048", ratio="16:9"),
        image("ark", model="seedream-4.0", n=2, max_images=1, sequential="auto"),
        image("ark", model="seedream-4.5", max_images=3),
        video("ark", model="seedance-2.0", service_tier="default"),
        image("ark", model="seedream-4.5", guidance_scale=5.5),
        image("ark", model="seedream-4.5", output_format="png"),
        video("ark", model="seedance-1.5-pro", resolution="1080p"),
        video("maxapi", model="seedance-2.0-fast", resolution="1080p"),
        image("maxapi", model="seedream-5.0", resolution="1k"),
        image("maxapi", model="seedream-4.5", size="1K"),
        image("ark", model="seedream-5.0", size="4K"),
        video("ark", model="seedance-1.5-pro", draft=True),
        video("ark", model="seedance-1.5-pro", duration=-1),
        video("ark", model="seedance-1.0-pro", priority=0),
        video("ark", model="seedance-1.0-pro", generate_audio=True),
        video("ark", model="seedance-2.0", tools=["web_search"]),
        video(
            "maxapi", model="seedance-2.0", materials=[Material.audio(url.replace("png", "mp3"))]
        ),
        video(
            "maxapi",
            model="seedance-2.0",
            materials=[Material.image(url)]
            + [Material.audio(url.replace(".png", f"{i}.mp3")) for i in range(4)],
        ),
        video(
            "maxapi",
            model="seedance-2.0",
            materials=[Material.video(url.replace(".png", f"{i}.mp4")) for i in range(4)],
        ),
        image("maxapi", model="seedream-4.0", images=[url], n=15),
    ]
    return dict(zip(keys, cases, strict=True))


@pytest.mark.parametrize("key", list(STRICTER_LOCALLY), ids=lambda k: f"{k[2]}: {k[3]}")
def test_each_excuse_is_a_real_and_exact_difference(key: Excuse):
    """The table is no blanket: for each entry a request on one of its models is refused
    locally for exactly that reason, and the simulator accepts it."""
    case = _witnesses()[key]
    assert case.provider in key[0] and model_of(case) in key[1]
    problems = check(case.request, case.provider)
    assert problems and all(excuse_for(case, p) == key for p in problems), [
        str(p) for p in problems
    ]
    assert judge(case).accepted


def test_an_excuse_covers_only_its_models():
    """The 1080p excuse for 1.5 pro does not cover the same refusal on another model."""
    case = Case("ark", VideoRequest(prompt="a red fox", model="seedance-2.0-fast",
                                    resolution="1080p"))  # fmt: skip
    [problem] = check(case.request, case.provider)
    assert "does not offer 1080p" in problem.rule
    assert excuse_for(case, problem) is None
