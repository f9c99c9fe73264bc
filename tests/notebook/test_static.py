"""The static face of a task: HTML, poster, embedding policy and provenance metadata."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from notebook_fakes import FakeTask

from seedance_nb.materials import Material
from seedance_nb.notebook import facts, preview, static
from seedance_nb.requests import ImageRequest, VideoRequest
from seedance_nb.status import Status


def _video_task(tmp_path: Path, media: dict[str, Path], name: str = "video_1s") -> FakeTask:
    request = VideoRequest(
        model="seedance-2.0",
        prompt="A red fox trots through <fresh> snow",
        resolution="720p",
        duration=5,
        seed=11,
        tags=["fox"],
        materials=[Material.image(media["png"], role="first_frame")],
    )
    out = tmp_path / "seedance-media"
    out.mkdir(exist_ok=True)
    video = shutil.copy(media[name], out / "cgt-1.mp4")
    frame = shutil.copy(media["png_small"], out / "cgt-1-last.png")
    return FakeTask(request).succeed(Path(video), Path(frame))


def test_provenance_has_what_made_the_result(tmp_path: Path, media: dict[str, Path]) -> None:
    task = _video_task(tmp_path, media)
    info = facts.provenance(task, base=tmp_path)
    assert info["prompt"] == "A red fox trots through <fresh> snow"
    assert info["model"] == "seedance-2.0"
    assert info["provider"] == "ark"
    assert info["mode"] == "first_frame"
    assert info["options"] == {"resolution": "720p", "duration": 5, "seed": 11}
    assert info["seed"] == 11
    assert info["task_id"] == task.id
    assert info["cost"] == 0.76 and info["currency"] == "USD" and info["tokens"] == 108_900
    assert info["files"] == ["seedance-media/cgt-1.mp4", "seedance-media/cgt-1-last.png"]
    assert info["tags"] == ["fox"]
    assert info["materials"] == ["image first_frame frame.png"]
    json.dumps(info)  # must be JSON-able for the notebook file


def test_large_video_is_referenced_by_relative_path(tmp_path: Path, media: dict[str, Path]) -> None:
    task = _video_task(tmp_path, media, "video_8s")
    html = static.html_for(task, base=tmp_path, embed_limit=100)
    assert 'src="seedance-media/cgt-1.mp4"' in html
    assert "<video controls" in html
    assert 'poster="data:image/jpeg;base64,' in html  # poster always embedded
    assert "&lt;fresh&gt;" in html and "<fresh>" not in html  # the prompt is escaped
    assert "seed" in html and task.id in html  # provenance is visible too


def test_small_files_and_embed_option_use_data_urls(tmp_path: Path, media: dict[str, Path]) -> None:
    task = _video_task(tmp_path, media)
    small = static.html_for(task, base=tmp_path)  # a 1 s 32x32 video is far below the limit
    assert 'src="data:video/mp4;base64,' in small
    forced = static.html_for(task, base=tmp_path, embed=True, embed_limit=1)
    assert 'src="data:video/mp4;base64,' in forced


def test_poster_is_a_small_jpeg_of_the_first_frame(media: dict[str, Path]) -> None:
    jpeg = static.poster_jpeg(media["video_2s"])
    assert jpeg is not None and jpeg.startswith(b"\xff\xd8\xff")
    assert static.poster_jpeg(media["video_broken"]) is None
    assert static.poster_jpeg(media["missing"]) is None


def test_running_and_failed_tasks(tmp_path: Path) -> None:
    task = FakeTask(VideoRequest(prompt="a wave"))
    task.advance(id="cgt-9", status=Status.RUNNING, phase="polling")
    html = static.html_for(task, base=tmp_path)
    assert "<b>running</b>" in html and "seedance-pending" in html
    assert "%seedance show cgt-9" in html  # the one line that brings it up to date
    task.advance(status=Status.FAILED, phase="done", error_code="OutputVideoSensitiveContentDetected",
                 error_message="the output was refused by moderation")  # fmt: skip
    html = static.html_for(task, base=tmp_path)
    assert "OutputVideoSensitiveContentDetected" in html and "refused by moderation" in html
    assert "cgt-9" in static.plain_text(task)


def test_preview_is_a_few_frames_of_motion_without_a_video_codec(
    tmp_path: Path, media: dict[str, Path]
) -> None:
    from PIL import Image

    webp = preview.preview_webp(media["video_2s"])
    assert webp is not None and webp[:4] == b"RIFF" and webp[8:12] == b"WEBP"
    with Image.open(io.BytesIO(webp)) as image:
        assert image.n_frames == preview.PREVIEW_FRAMES
        assert max(image.size) <= preview.PREVIEW_SIDE
    assert preview.preview_webp(media["png"]) is None  # an image has no motion
    assert preview.preview_webp(media["video_broken"]) is None
    # Inside the <video>: what shows where the player is stripped (GitHub's sanitiser).
    task = _video_task(tmp_path, media, "video_8s")
    html = static.html_for(task, base=tmp_path, embed_limit=100)
    assert '<img class="seedance-preview" src="data:image/webp;base64,' in html


def test_text_faces_name_files_relative_to_the_notebook(
    tmp_path: Path, media: dict[str, Path]
) -> None:
    task = _video_task(tmp_path, media)
    plain, markdown = static.plain_text(task, tmp_path), static.markdown(task, tmp_path)
    assert "seedance-media/cgt-1.mp4" in plain and str(tmp_path) not in plain
    assert "[video](seedance-media/cgt-1.mp4)" in markdown and str(tmp_path) not in markdown
    assert "$0.76" in markdown


def test_image_results(tmp_path: Path, media: dict[str, Path]) -> None:
    task = FakeTask(ImageRequest(model="seedream-4.5", prompt="a poster"))
    image = Path(shutil.copy(media["png"], tmp_path / "img.png"))
    task.succeed(image)
    html = static.html_for(task, base=tmp_path, embed_limit=10)
    assert '<img src="img.png" alt="result image"' in html
    assert [m.kind for m in facts.media(task)] == ["image"]
