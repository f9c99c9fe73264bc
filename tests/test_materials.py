"""Materials: kind inference, local/remote, measuring, and never leaking content into text."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from PIL import Image

from seedance_nb.materials import Material, infer_kind


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("https://example.com/a.JPG", "image"),
        ("https://example.com/a.webp?sig=abc#x", "image"),
        ("https://example.com/clip.mov", "video"),
        ("https://example.com/clip.m4v", "video"),
        ("https://example.com/song.wav", "audio"),
        ("data:image/png;base64,iVBORw0KGgo=", "image"),
        ("data:audio/mpeg;base64,SUQz", "audio"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "image"),
        (b"\xff\xd8\xff\xe0", "image"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio"),
        (b"ID3\x04", "audio"),
        (b"\x00\x00\x00\x18ftypisom", "video"),
        (b"\x00\x00\x00\x18ftypM4A ", "audio"),
    ],
)
def test_kind_is_inferred(source: str | bytes, kind: str) -> None:
    assert Material.of(source).kind == kind


def test_pil_image_and_local_files(media: dict[str, Path]) -> None:
    assert Material.of(Image.new("RGB", (4, 4))).kind == "image"
    assert Material.of(media["video_2s"]).kind == "video"
    assert Material.of(str(media["audio_6s_mp3"])).kind == "audio"
    renamed = media["png"].with_name("no-extension")
    renamed.write_bytes(media["png"].read_bytes())
    assert Material.of(renamed).kind == "image"  # from the file's signature


def test_unknown_kind_says_how_to_fix() -> None:
    with pytest.raises(ValueError, match=r"Material\.image"):
        infer_kind("https://example.com/download?id=3")
    with pytest.raises(ValueError, match="<3 bytes>"):
        infer_kind(b"abc")


def test_constructors_and_roles() -> None:
    item = Material.video("https://example.com/x", role="reference_video")
    assert (item.kind, item.role) == ("video", "reference_video")
    assert item.with_role(None).role is None
    assert Material.of(item) is item
    assert Material.of(item, role="reference_video") == item


def test_remote_versus_local(media: dict[str, Path]) -> None:
    remote = Material.image("https://example.com/a.png")
    assert not remote.is_local and remote.url_or_none == "https://example.com/a.png"
    assert remote.byte_size() is None and remote.pixel_size() is None
    assert remote.duration_seconds() is None
    local = Material.image(media["png"])
    assert local.is_local and local.url_or_none is None and local.path == media["png"]
    data = Material.image("data:image/png;base64,iVBORw0KGgo=")
    assert data.is_local and data.url_or_none is None and data.path is None


def test_local_image_facts(media: dict[str, Path]) -> None:
    jpeg = Material.image(media["jpeg"])
    assert jpeg.pixel_size() == (800, 600)
    assert jpeg.image_format() == "jpeg"
    assert jpeg.byte_size() == media["jpeg"].stat().st_size
    assert jpeg.mime() == "image/jpeg"
    pil = Material.image(Image.new("RGB", (30, 20)))
    assert pil.pixel_size() == (30, 20) and pil.image_format() == "png"
    assert pil.byte_size() == len(pil.read_bytes())


def test_durations_are_measured_and_cached(media: dict[str, Path]) -> None:
    video = Material.video(media["video_8s"])
    assert video.duration_seconds() == pytest.approx(8.0, abs=0.1)
    assert video._cache["duration"] == video.duration_seconds()
    assert video.with_role("reference_video")._cache["duration"] == video.duration_seconds()
    assert Material.audio(media["audio_6s"]).duration_seconds() == pytest.approx(6.0, abs=0.1)
    assert Material.audio(media["audio_6s_mp3"]).duration_seconds() == pytest.approx(6.0, abs=0.2)
    from_bytes = Material.video(media["video_2s"].read_bytes())
    assert from_bytes.duration_seconds() == pytest.approx(2.0, abs=0.1)
    assert Material.video(media["video_broken"]).duration_seconds() is None
    assert Material.image(media["png"]).duration_seconds() is None


def test_data_url_is_lowercase_mime_base64(media: dict[str, Path]) -> None:
    raw = media["png"].read_bytes()
    url = Material.image(media["png"]).to_data_url()
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == raw
    jpeg_url = Material.image(media["jpeg"].read_bytes()).to_data_url()
    assert jpeg_url.startswith("data:image/jpeg;base64,")
    given = "data:image/webp;base64,UklGRg=="
    assert Material.image(given).to_data_url() == given
    assert Material.image(given).byte_size() == 4


def test_remote_content_is_not_read() -> None:
    with pytest.raises(ValueError, match="remote"):
        Material.image("https://example.com/a.png").to_data_url()


def test_missing_file(media: dict[str, Path]) -> None:
    missing = Material.image(media["missing"])
    assert not missing.exists()
    assert missing.byte_size() is None and missing.pixel_size() is None


def test_text_forms_never_contain_content(media: dict[str, Path]) -> None:
    raw = media["png"].read_bytes()
    data_url = "data:image/png;base64," + base64.b64encode(raw).decode()
    for item in (
        Material.image(raw),
        Material.image(data_url),
        Material.image(Image.new("RGB", (64, 48))),
        Material.image(media["png"], role="first_frame"),
    ):
        for text in (repr(item), item.summary(), str(item.to_record())):
            assert "base64" not in text and len(text) < 200, text
    assert (
        Material.image(media["png"], role="first_frame").summary() == "image first_frame frame.png"
    )
    assert Material.image(data_url).summary() == "image <data URL image/png>"
    long_url = "https://example.com/" + "a" * 200 + ".png"
    assert len(Material.image(long_url).summary()) < 100
