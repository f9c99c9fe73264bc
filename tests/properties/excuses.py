"""Where the local validator is deliberately stricter than the simulator, and why.

Each excuse names the dialects, the models (catalog short names), the field and words of the rule
it covers, with where the difference is documented. It excuses nothing else: the same words on
another model or dialect are a disagreement (a 1080p excuse meant for 1.5 pro must not cover 2.0
fast).
"""

from __future__ import annotations

from seedance_nb import catalog
from seedance_nb.problems import Problem

from .requests_strategy import Case

SEEDREAM = ("seedream-4.0", "seedream-4.5", "seedream-5.0")
SEEDANCE_2 = ("seedance-2.0", "seedance-2.0-fast")
SEEDANCE_10 = ("seedance-1.0-pro", "seedance-1.0-pro-fast")

# (dialects, models, field, words of the rule) -> where it is documented.
Excuse = tuple[tuple[str, ...], tuple[str, ...], str, str]

STRICTER_LOCALLY: dict[Excuse, str] = {
    # Local-only by construction: the wire has no place for the combination.
    (("ark", "maxapi"), SEEDREAM, "size", "cannot be combined with ratio or resolution"):
        "the ark adapter sends size alone (ratio/resolution only choose a size when size is "
        "unset); the maxapi wire has no size. validation_image.py",
    (("ark",), SEEDREAM, "n", "disagree"):
        "the wire carries only max_images; n and max_images that say different counts are "
        "refused locally rather than one silently winning. validation_image.py",
    (("ark",), SEEDREAM, "max_images", "only applies with sequential='auto'"):
        "the ark adapter leaves max_images out unless sequential is 'auto'; refused locally to "
        "avoid a silent no-op. validation_image.py",
    # Stricter readings where the sources disagree (the catalog takes the stricter one).
    (("ark",), SEEDANCE_2, "service_tier", "runs online only and does not take service_tier"):
        "seed 004: the 2.0 series does not support configuring service_tier at all "
        "(catalog_models.py); FACTS §1.2 and the simulator refuse only flex on 2.0",
    (("ark",), SEEDREAM, "guidance_scale", "does not take guidance_scale"):
        "guidance_scale belongs to Seedream 3.0 / SeedEdit 3.0 (FACTS §3, validation_image.py); "
        "the simulator accepts the field on every Seedream model",
    (("ark",), ("seedream-4.0", "seedream-4.5"), "output_format", "does not offer output_format"):
        "FACTS §3: output_format is a Seedream 5.0 parameter; the simulator accepts it on all",
    (("ark",), ("seedance-1.5-pro",), "resolution", "does not offer 1080p"):
        "FACTS §1.9: 1080p on 1.5 pro is disputed; the catalog takes 480p/720p "
        "(catalog_models.py); the simulator follows seed 004's table",
    (("maxapi",), ("seedance-2.0-fast", "seedance-1.5-pro"), "resolution",
     "does not offer 1080p on maxapi"):
        "2.0 fast has no 1080p on any dialect (seed 004) and 1.5 pro's is disputed (FACTS §1.9); "
        "FACTS §7 lists 480p-1080p for the task API without per-model detail, which the "
        "simulator follows",
    (("maxapi",), ("seedream-4.5", "seedream-5.0"), "resolution",
     "on maxapi does not offer resolution"):
        "a Seedream model gets on maxapi only the size tiers it has on ModelArk "
        "(catalog_models.py); FACTS §7 lists 1k/2k/4k for every model",
    (("maxapi",), ("seedream-4.5", "seedream-5.0"), "size", "does not offer size"):
        "the same rule as for resolution: a size tier is the task API's resolution (the adapter "
        "sends 2K as 2k), and a model gets only the tiers it has on ModelArk",
    (("ark",), ("seedream-5.0",), "size", "does not offer size 4K"):
        "5.0's tiers are not in the documents: mirrors list 2K/3K, some add 4K; the catalog "
        "takes 2K/3K (catalog_models.py), the simulator accepts all three (simulator/tables.py)",
    (("ark",), ("seedance-1.5-pro",), "resolution", "draft videos are 480p only"):
        "seed 004: a draft is made in 480p and any other resolution is an error; the catalog's "
        "default is 720p, so the validator asks for 480p to be set (validation_video.py) while "
        "the simulator takes an unset resolution on a draft as 480p",
    (("ark",), ("seedance-1.5-pro",), "duration", "not -1"):
        "seed 004 allows -1 on 1.5 pro but FACTS marks it unconfirmed: stricter "
        "(catalog_models.py)",
    (("ark",), ("seedance-2.0-fast", "seedance-1.5-pro", *SEEDANCE_10), "priority",
     "does not take priority (only Seedance 2.0)"):
        "priority is a 2.0 option (seed 004: 'Only supported by Seedance 2.0'); the simulator "
        "accepts priority 0 on any model",
    (("ark",), SEEDANCE_10, "generate_audio", "makes silent video"):
        "1.0 models have no audio (seed 004); the simulator ignores generate_audio there",
    (("ark",), (*SEEDANCE_2, "seedream-5.0"), "tools", "not available on BytePlus"):
        "seed 004: overseas nodes do not support web_search; the simulator serves both hosts "
        "alike",
    (("maxapi",), SEEDANCE_2, "materials", "audio cannot be the only material"):
        "ModelArk's rule (FACTS §1.2) applied to the task API too; its documents are silent",
    (("maxapi",), SEEDANCE_2, "materials", "at most 3 audio clips"):
        "ModelArk's limit (FACTS §1.2: <= 3 reference audios) applied to the task API, which "
        "forwards to it; seed 000 only caps their total length",
    (("maxapi",), SEEDANCE_2, "materials", "at most 3 videos"):
        "ModelArk's limit (FACTS §1.2: <= 3 reference videos) applied to the task API, which "
        "forwards to it; seed 000 only caps their total length",
    (("maxapi",), ("seedream-4.0", "seedream-4.5"), "n", "generated images exceed 15"):
        "ModelArk's 'references + outputs <= 15' (FACTS §3) applied to the task API's n too",
}  # fmt: skip


def model_of(case: Case) -> str:
    """The catalog short name of the case's model on its dialect."""
    return catalog.resolve(case.request.model, case.provider).short


def excuse_for(case: Case, problem: Problem) -> Excuse | None:
    """The excuse that covers ``problem`` for this dialect and model, if any."""
    model = model_of(case)
    for key in STRICTER_LOCALLY:
        dialects, models, field, words = key
        ours = case.provider in dialects and model in models
        if ours and problem.field == field and words in problem.rule:
            return key
    return None
