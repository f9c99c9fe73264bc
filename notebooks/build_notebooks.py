"""Write the example notebooks from the cell sources below: clean, without outputs, stable ids.

    python notebooks/build_notebooks.py          # rewrites notebooks/*.ipynb

Edit the cells here rather than the .ipynb files, so the notebooks stay free of outputs and
their diffs stay readable. Every notebook runs top to bottom on the built-in simulator.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def md(text: str) -> tuple[str, str]:
    return "markdown", text


def code(text: str) -> tuple[str, str]:
    return "code", text


QUICKSTART = [
    md(
        """# Seedance in a notebook: quickstart

Make a video from a prompt, keep working while it renders, and find the result, with its
provenance, in the saved notebook.

With no API key configured, everything here runs against the built-in **simulator**, which
returns real (synthetic) MP4 files, so this notebook runs top to bottom as it is. To use the
real API, set `ARK_API_KEY` (ModelArk) or `MAXAPI_KEY` before starting Jupyter."""
    ),
    code("%load_ext seedance_nb"),
    md("Where requests go, and where the key comes from (the key itself is never shown):"),
    code("%seedance config"),
    md(
        """## 1. A video from a prompt

Options go on the `%%seedance` line, the prompt in the cell body (`%%seedance?` lists every
option). The cell returns at once with a live card: status, elapsed time, a progress estimate
and a Cancel button. `-o fox` also keeps the task in the variable `fox`."""
    ),
    code(
        """%%seedance -m seedance-2.0 --resolution 480p --ratio 16:9 --duration 4 -o fox
A red fox trots through fresh snow at dawn, slow dolly shot"""
    ),
    md("The kernel stays free while the task runs, so this cell runs right away:"),
    code("fox.status, f\"{fox.progress:.0%}\", fox.progress_note"),
    md(
        """`await fox` waits for the task without blocking the kernel (in a script: `fox.wait()`).
Once it is done, the card above turns into the video with its prompt, model, options, seed, task
id and cost. That is what the saved notebook shows on GitHub, nbviewer or in VS Code, with no
kernel running."""
    ),
    code(
        """await fox
fox.status, [path.name for path in fox.files]"""
    ),
    md(
        """## 2. The same from Python

A request is checked once, when it is made; `mode` says how the inputs will be used, and
`estimate` what the task will cost, before anything is sent."""
    ),
    code(
        """import seedance_nb as sd

request = sd.VideoRequest(
    model="seedance-2.0-fast",
    prompt="A paper boat drifts down a rain-soaked street, low angle",
    resolution="480p",
    ratio="16:9",
    duration=4,
    seed=7,
)
print("mode:", request.mode.value)
print("estimate:", sd.estimate(request))"""
    ),
    md(
        """Every documented rule is checked locally, so nothing is spent on a request the API would
refuse. The fast model stops at 720p, for instance; each problem names the field, the rule
and the fix:"""
    ),
    code("sd.check(request.with_changes(resolution=\"1080p\"), \"ark\")"),
    code(
        """boat = sd.submit(request)   # returns at once; polling runs on the kernel's event loop
boat"""
    ),
    code(
        """await boat
boat.status, boat.cost, boat.currency"""
    ),
    md(
        """## 3. Everything is in the history

Every request is written to `.seedance/history.sqlite3` beside this notebook before it is
sent, so a restarted kernel loses nothing (`%seedance resume` picks up unfinished tasks).
`sd.history()` returns it as a pandas DataFrame."""
    ),
    code(
        """sd.history()[["id", "model", "mode", "status", "prompt", "tokens", "cost", "currency"]]"""
    ),
    md(
        """Next:

- `prompt_iteration.ipynb`: variations side by side in the Gallery, then refine one;
- `multimodal_references.ipynb`: an image, a video and an audio clip as references (`@1`, `@2`, `@3`);
- `storyboard.ipynb`: chain shots, the last frame of one becoming the first frame of the next;
- `batch_and_history.ipynb`: many requests at once, and what they cost over time.

Prefer a form? `sd.Composer()` builds, checks, prices and submits a request."""
    ),
]


PROMPT_ITERATION = [
    md(
        """# Prompt iteration: variations, the Gallery, and refining a favourite

Try several prompts and seeds side by side, compare them in the Gallery, then refine the one
you like. Runs on the built-in simulator when no API key is set."""
    ),
    code(
        """%load_ext seedance_nb
import seedance_nb as sd"""
    ),
    md(
        """## One prompt, with a variable in it

`{{name}}` puts a notebook variable into a `%%seedance` prompt (single braces stay as they
are). `--dry-run` checks the request and estimates its cost without sending anything."""
    ),
    code(
        """camera = "slow aerial orbit"
place = "a lighthouse on a cliff at dusk\""""
    ),
    code(
        """%%seedance -m seedance-2.0-fast --resolution 480p --ratio 16:9 --duration 4 --dry-run
{{place}}, waves crashing below, {{camera}}"""
    ),
    md(
        """## A grid of variations

`sd.grid` makes one task per prompt × seed (× any option listed in `vary`). All the requests are
checked before the first one is sent, and they queue locally within the API's limits. The group
is tagged, so the history and the Gallery can find it again."""
    ),
    code(
        """prompts = [
    f"{place}, waves crashing below, {camera}",
    f"{place}, waves crashing below, handheld close-up of the turning lamp",
]
group = sd.grid(
    prompts,
    seeds=[1, 2],
    model="seedance-2.0-fast",
    resolution="480p",
    ratio="16:9",
    duration=4,
)
group"""
    ),
    code(
        """await group
group.counts()"""
    ),
    md(
        """## Compare them in the Gallery

Each cell shows the result and only the options that differ between the cells shown. **Re-run**
sends the same request again; **Fork** opens a Composer filled in from it, to change and send."""
    ),
    code("sd.Gallery(tag=group.tag)"),
    md(
        """## Refine the favourite

`rerun` sends a task's request again with some changes and records the original as its parent,
so the history keeps the lineage."""
    ),
    code(
        """favourite = group[1]
refined = sd.rerun(
    favourite,
    prompt=favourite.prompt + ", the beam sweeps across the lens",
    duration=5,
)
refined"""
    ),
    code(
        """await refined
refined.parent_id == favourite.id"""
    ),
    md("The history holds every variation, with its seed and lineage:"),
    code(
        """import json

runs = sd.history(text="lighthouse")
runs.assign(seed=runs.params.map(lambda p: json.loads(p).get("seed")))[
    ["id", "parent_id", "seed", "status", "prompt"]
]"""
    ),
]


MULTIMODAL = [
    md(
        """# Multimodal references: an image, a video and an audio clip

Seedance 2.0 takes up to 9 images, 3 videos and 3 audio clips as references. The prompt refers
to them as `@1`, `@2`, … in the order they are given.

This notebook draws its own reference media (Pillow, PyAV and `wave`), so it runs offline on
the built-in simulator. ModelArk takes images inline but videos and audio only as URLs: against
the real API, upload those and pass their `https://` URLs; the simulator accepts local files."""
    ),
    code(
        """%load_ext seedance_nb
import seedance_nb as sd
from pathlib import Path

refs = Path("refs")
refs.mkdir(exist_ok=True)"""
    ),
    md("## Make the references\n\nA character on a plain background (an image):"),
    code(
        """from PIL import Image, ImageDraw

image = Image.new("RGB", (640, 640), (236, 226, 208))
draw = ImageDraw.Draw(image)
draw.ellipse((260, 90, 380, 210), fill=(40, 40, 60))              # head
draw.rounded_rectangle((250, 220, 390, 430), 30, fill=(200, 60, 60))  # body
draw.line((250, 250, 170, 330), fill=(40, 40, 60), width=18)        # arms
draw.line((390, 250, 470, 170), fill=(40, 40, 60), width=18)
draw.line((290, 430, 270, 560), fill=(40, 40, 60), width=22)        # legs
draw.line((350, 430, 380, 560), fill=(40, 40, 60), width=22)
image.save(refs / "dancer.png")
image.resize((160, 160))"""
    ),
    md("A 3-second clip of a swinging bar, for the movement (a video):"),
    code(
        """import av
import numpy as np

fps, seconds, width, height = 24, 3, 480, 270
with av.open(str(refs / "moves.mp4"), "w") as container:
    stream = container.add_stream("libx264", rate=fps)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    for i in range(fps * seconds):
        frame = np.full((height, width, 3), (30, 30, 50), np.uint8)
        x = int((width - 60) * (0.5 + 0.5 * np.sin(2 * np.pi * i / fps)))
        frame[60:210, x : x + 60] = (250, 200, 80)
        container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
    container.mux(stream.encode(None))"""
    ),
    md("A 3-second beat at 120 bpm (an audio clip):"),
    code(
        """import wave

rate = 22_050
t = np.arange(rate * 3) / rate
beat = np.sin(2 * np.pi * 110 * t) * np.exp(-12 * (t % 0.5))   # a thump every half second
with wave.open(str(refs / "beat.wav"), "wb") as out:
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(rate)
    out.writeframes((beat * 0.6 * 32767).astype("<i2").tobytes())"""
    ),
    md(
        """## The request

Any video or audio among the materials makes the request *multimodal*. Local files are
measured before sending: image sides and aspect ratio, video and audio durations."""
    ),
    code(
        """request = sd.VideoRequest(
    model="seedance-2.0",
    prompt="The character in @1 dances with the moves of @2, on the beat of @3, stage lights",
    materials=[
        sd.Material.image(refs / "dancer.png"),
        sd.Material.video(refs / "moves.mp4"),
        sd.Material.audio(refs / "beat.wav"),
    ],
    resolution="480p",
    ratio="16:9",
    duration=4,
)
request.mode, [m.summary() for m in request.materials]"""
    ),
    md(
        """Audio alone is not enough, and on the real API a local audio file must be uploaded first;
the check says so before anything is sent:"""
    ),
    code(
        """alone = request.with_changes(prompt="Dance to @1", materials=[sd.Material.audio(refs / "beat.wav")])
sd.check(alone, "ark")"""
    ),
    code(
        """dance = sd.submit(request)
dance"""
    ),
    code(
        """await dance
[path.name for path in dance.files]"""
    ),
    md(
        """## The same with the magic

`-i`, `--video` and `--audio-ref` take a URL, a path, or the name of a notebook variable: here a
PIL image. They are numbered in that order: images, then videos, then audio."""
    ),
    code("portrait = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)"),
    code(
        """%%seedance -m seedance-2.0 --resolution 480p --ratio 1:1 --duration 4 -i portrait --video refs/moves.mp4 --audio-ref refs/beat.wav -o mirrored
@1 repeats the moves of @2 in a mirror hall, cutting on every beat of @3"""
    ),
    code(
        """await mirrored
mirrored.mode, mirrored.status"""
    ),
]


STORYBOARD = [
    md(
        """# Storyboard: chaining shots

Ask each shot for its last frame (`--last-frame`, or `return_last_frame=True`) and start the
next shot from it (its `first_frame`), so the cuts join up. Runs on the built-in simulator when
no API key is set."""
    ),
    code(
        """%load_ext seedance_nb
import seedance_nb as sd"""
    ),
    md("## Shot 1"),
    code(
        """%%seedance -m seedance-2.0-fast --resolution 480p --ratio 16:9 --duration 4 --last-frame --tag storyboard -o shot1
A paper boat is folded on a wooden table by the window, top-down view"""
    ),
    code(
        """await shot1
[path.name for path in shot1.files]"""
    ),
    md(
        """## Shot 2 starts where shot 1 ended

`--first-frame shot1` takes the last frame the finished task `shot1` saved."""
    ),
    code(
        """%%seedance -m seedance-2.0-fast --resolution 480p --ratio 16:9 --duration 4 --last-frame --tag storyboard --first-frame shot1 -o shot2
The paper boat is set down on a puddle outside and starts to drift"""
    ),
    code(
        """await shot2
shot2.mode, [path.name for path in shot2.files]"""
    ),
    md(
        """## Shot 3, from Python

The same chain with the Python API: the last frame is one of the task's saved files."""
    ),
    code(
        """from pathlib import Path


def last_frame(task):
    \"\"\"The last frame a finished task saved (it was asked for with return_last_frame).\"\"\"
    return next(Path(d["path"]) for d in task.downloads if d["kind"] == "last_frame")


shot3 = sd.submit(
    sd.VideoRequest(
        model="seedance-2.0-fast",
        prompt="The boat sails down a rain gutter into a sunlit street, tracking shot",
        materials=[sd.Material.image(last_frame(shot2), role="first_frame")],
        resolution="480p",
        ratio="16:9",
        duration=4,
        return_last_frame=True,
        tags=["storyboard"],
    )
)
shot3"""
    ),
    code(
        """await shot3
shot3.mode, shot3.status"""
    ),
    md(
        """## The cuts

Each row: a shot's first frame and its last frame. Each first frame is the previous shot's
last frame."""
    ),
    code(
        """import av
from PIL import Image


def first_frame(video):
    with av.open(str(video)) as container:
        return next(container.decode(video=0)).to_image()


shots = [shot1, shot2, shot3]
side = 240
sheet = Image.new("RGB", (2 * side + 30, len(shots) * (side * 9 // 16 + 10)), "white")
for row, shot in enumerate(shots):
    video = next(path for path in shot.files if path.suffix == ".mp4")
    for column, frame in enumerate([first_frame(video), Image.open(last_frame(shot))]):
        frame = frame.convert("RGB").resize((side, side * 9 // 16))
        sheet.paste(frame, (column * (side + 30), row * (side * 9 // 16 + 10)))
sheet"""
    ),
    md("The whole storyboard, from the history:"),
    code(
        """sd.history(tag="storyboard")[["id", "mode", "status", "prompt"]]"""
    ),
]


BATCH_AND_HISTORY = [
    md(
        """# Batches and the history

Submit many requests at once, then look at what was made and what it cost, with pandas. The
history lives in `.seedance/history.sqlite3` beside this notebook (set `SEEDANCE_HOME` to move
it). Runs on the built-in simulator when no API key is set."""
    ),
    code(
        """%load_ext seedance_nb
import seedance_nb as sd"""
    ),
    md(
        """## A batch

`submit_many` checks every request first (none is sent if one would be refused), then submits
them all; they wait their turn locally within the API's limits. The group is tagged."""
    ),
    code(
        """requests = [
    sd.VideoRequest(model="seedance-2.0-fast", prompt="Koi fish circle in a pond, top-down",
                    resolution="480p", ratio="1:1", duration=4),
    sd.VideoRequest(model="seedance-2.0-fast", prompt="Steam rises from a cup of tea, macro",
                    resolution="480p", ratio="9:16", duration=5),
    sd.VideoRequest(model="seedance-2.0", prompt="A hot-air balloon drifts over hills at sunrise",
                    resolution="480p", ratio="16:9", duration=4, generate_audio=False),
    sd.ImageRequest(model="seedream-4.5", prompt="A koi pond poster, ink-wash style", size="2K"),
]
batch = sd.submit_many(requests, tags=["batch-demo"])
batch"""
    ),
    code(
        """await batch
batch.counts()"""
    ),
    md(
        """## The history as a DataFrame

One row per request, with stable, documented columns (`docs/lifecycle.md`): ids, model, mode,
prompt, options (`params`, JSON), lineage, tags, status, times, estimated and actual tokens and
cost, result files and their hashes, errors. `sd.history()` filters by `status`, `model`,
`since`, `text` and `tag`."""
    ),
    code(
        """df = sd.history(tag="batch-demo")
df[["id", "kind", "model", "status", "submitted_at", "finished_at", "tokens", "cost", "currency"]]"""
    ),
    code(
        """df.assign(seconds=(df.finished_at - df.submitted_at).dt.total_seconds()).groupby("model")[
    ["seconds", "tokens", "cost"]
].agg(["count", "mean", "sum"])"""
    ),
    md("Estimated against actual, per task:"),
    code(
        """df[["model", "estimated_tokens", "tokens", "estimated_cost", "cost"]]"""
    ),
    md(
        """## Usage over time

Cumulative usage, in the order the tasks finished: tokens always (the provider's own count), and
money where the region publishes a price (ModelArk on BytePlus has none for Seedance 2.0, so the
simulator's `cost` stays empty for it). With matplotlib installed this draws a line; without it,
a table with bars."""
    ),
    code(
        """import importlib.util

usage = (
    sd.history(status="succeeded")
    .sort_values("finished_at")
    .assign(total_tokens=lambda d: d.tokens.fillna(0).cumsum(),
            total_cost=lambda d: d.cost.fillna(0).cumsum())
    [["finished_at", "model", "tokens", "total_tokens", "cost", "total_cost", "currency"]]
)
if importlib.util.find_spec("matplotlib"):
    usage.plot(x="finished_at", y="total_tokens", drawstyle="steps-post", legend=False,
               ylabel="tokens (cumulative)", title="Usage over time")
else:
    display(usage.style.bar(subset=["total_tokens"], color="#8fb3e0"))"""
    ),
    md(
        """The same table from the shell: `seedance history --csv` (or `--json`), in the folder of
this notebook."""
    ),
]


NOTEBOOKS = {
    "quickstart": QUICKSTART,
    "prompt_iteration": PROMPT_ITERATION,
    "multimodal_references": MULTIMODAL,
    "storyboard": STORYBOARD,
    "batch_and_history": BATCH_AND_HISTORY,
}


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python", "pygments_lexer": "ipython3"},
        }
    )
    for index, (kind, source) in enumerate(cells):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source.strip("\n"), id=f"{name.replace('_', '-')}-{index:02d}"))
    nbformat.validate(nb)
    return nb


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        path = HERE / f"{name}.ipynb"
        nbformat.write(build(name, cells), path)
        print(path.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
