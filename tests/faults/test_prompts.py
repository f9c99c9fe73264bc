"""Prompts with NUL or other control characters are refused locally, naming the position;
nothing is sent."""

from __future__ import annotations

import httpx
import pytest

from seedance_nb.errors import ValidationError
from seedance_nb.requests import ImageRequest, VideoRequest
from seedance_nb.validation import validate

from .conftest import MakeManager
from .wire import PROVIDERS, Recorder, small_request

BAD = ["\x00", "\x1b", "\x07", "\x7f", "\x85", "\ud800"]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("char", BAD)
def test_control_character_in_a_video_prompt_is_refused_with_its_position(provider, char):
    prompt = "a red fox" + char + " in snow"
    request = small_request(provider, prompt)
    with pytest.raises(ValidationError) as caught:
        validate(request, provider)
    text = str(caught.value)
    assert "position 10" in text and f"U+{ord(char):04X}" in text and "Fix" in text


@pytest.mark.parametrize("char", BAD[:3])
def test_control_character_in_an_image_prompt_is_refused(char):
    with pytest.raises(ValidationError, match="position 1"):
        validate(ImageRequest(model="seedream-4.5", prompt=char + "a lighthouse"), "ark")


def test_tabs_and_line_breaks_are_fine():
    validate(VideoRequest(prompt="shot 1:\ta fox\r\nshot 2:\ta cat\n", resolution="480p",
                          duration=4), "ark")  # fmt: skip


async def test_nothing_is_sent_for_a_prompt_with_nul(make_manager: MakeManager, sim):
    wire = Recorder(httpx.ASGITransport(app=sim.app))
    manager = make_manager(wire)
    with pytest.raises(ValidationError, match="U\\+0000"):
        manager.submit(small_request("ark", "a fox\x00 in snow"), provider="ark")
    assert wire.log == [] and sim.tasks_created() == 0
    assert manager.history.frame().empty
