"""Every JSON request body in the five seed documents, transcribed as written.

Seed 001's body has trailing commas (not valid JSON); it is transcribed without them. Long prompts
are kept whole because the ``@N`` and prompt rules read them.
"""

from __future__ import annotations

from typing import Any

SEED_000: list[dict[str, Any]] = [
    {
        "model": "seedance-2.0",
        "callBackUrl": "https://example.com/webhook",
        "input": {
            "prompt": "Blow out candles",
            "mediaUrls": ["https://example.com/photo.jpg"],
            "ratio": "16:9",
            "resolution": "1080p",
            "duration": 5,
            "fallback": True,
        },
    },
    {
        "model": "seedance-2.0",
        "input": {"prompt": "Blow out candles", "mediaUrls": ["https://example.com/dog.webp"]},
    },
    {
        "model": "seedance-2.0",
        "input": {
            "prompt": "Transform",
            "mediaUrls": ["https://example.com/3d-cartoon.jpg", "https://example.com/dog.webp"],
        },
    },
    {
        "model": "seedance-2.0",
        "input": {
            "prompt": "@1 and @2 are chatting, @3 is watching",
            "mediaUrls": [
                "https://example.com/person-a.jpg",
                "https://example.com/person-b.jpg",
                "https://example.com/person-c.jpg",
            ],
        },
    },
    {
        "model": "seedance-2.0",
        "input": {
            "prompt": "@1 dances to the rhythm of @2",
            "mediaUrls": ["https://example.com/dancer.jpg", "https://example.com/music.mp3"],
            "ratio": "16:9",
            "duration": 8,
        },
    },
    {
        "model": "seedance-2.0",
        "input": {
            "prompt": "@1 performs the action shown in @2",
            "mediaUrls": [
                "https://example.com/character.jpg",
                "https://example.com/reference-motion.mp4",
            ],
        },
    },
    {
        "model": "seedance-2.0",
        "input": {
            "prompt": "@1 and @2 dance together to @3",
            "mediaUrls": [
                "https://example.com/person-a.jpg",
                "https://example.com/person-b.jpg",
                "https://example.com/bgm.mp3",
            ],
            "duration": 10,
        },
    },
]
# Modes seed 000 says each example selects.
SEED_000_MODES = [
    "first_frame",
    "first_frame",
    "first_last_frame",
    "multi_reference",
    "multimodal",
    "multimodal",
    "multimodal",
]

SEED_001 = {
    "model": "doubao-seedance-2-0-260128",
    "content": [
        {
            "type": "text",
            "text": "Cute pet birthday scene, puppy wearing a party hat in a cozy home setting, "
            "mini birthday cake, warm lighting, wagging tail and licking cream, soft and "
            "heartwarming style, dynamic short video, HD 60fps, soft filter",
        },
        {
            "type": "image_url",
            "image_url": {"url": "https://docs.test.maxtoken.io/dog.png"},
            "role": "reference_image",
        },
        {
            "type": "image_url",
            "image_url": {"url": "https://docs.test.maxtoken.io/happy.png"},
            "role": "reference_image",
        },
    ],
    "generate_audio": True,
    "resolution": "720p",
    "ratio": "16:9",
    "duration": 5,
    "camera_fixed": False,
    "watermark": True,
}

SEED_002 = {
    "model": "seedream-4.5",
    "callBackUrl": "https://example.com/webhook",
    "input": {
        "prompt": "Transform to watercolor style",
        "imageUrls": ["https://example.com/photo.jpg"],
        "ratio": "16:9",
        "resolution": "2k",
    },
}

SEED_003 = {
    "model": "model/seedance-2.0-fast-beta",
    "prompt": "a calm ocean wave at sunrise, slow camera pan",
    "ratio": "16:9",
    "duration": 5,
    "mode": "text_to_video",
    "resolution": "720p",
}

_TEA = (
    "Use the first-person perspective composition of Video 1 throughout, and use Audio 1 as the "
    'background music throughout. First-person perspective fruit tea advertisement, Seedance brand "'
    'Ping Ping An An" apple fruit tea limited edition; the first frame is Image 1, your hand picks '
    "a dewy Aksu red apple, crisp apple collision sound; 2-4 seconds: quick cut, your hand drops "
    "apple pieces into a shaker cup, adds ice and tea base, shakes vigorously, ice collision and "
    'shaking sounds sync with upbeat drums, background voice: "Fresh-cut, fresh-shake"; 4-6 '
    "seconds: first-person close-up of the finished product, layered fruit tea is poured into a "
    "transparent cup, your hand gently squeezes the cream foam to spread on top, sticks a pink-red "
    "label on the cup body, the camera zooms in to show the layered texture of cream foam and "
    "fruit tea; 6-8 seconds: first-person holding up the cup, you hold the fruit tea from Image 2 "
    "in front of the camera (simulating the perspective of handing it to the viewer), the cup "
    'label is clearly visible, background voice "Take a sip of freshness", the last frame freezes '
    "on Image 2. Background voice is uniformly female voice."
)
_ARK_DOCS = "https://ark-project.tos-cn-beijing.volces.com"

SEED_004 = {
    "model": "dreamina-seedance-2-0-260128",
    "content": [
        {"type": "text", "text": _TEA},
        {
            "type": "image_url",
            "image_url": {"url": f"{_ARK_DOCS}/doc_image/r2v_tea_pic1.jpg"},
            "role": "reference_image",
        },
        {
            "type": "image_url",
            "image_url": {"url": f"{_ARK_DOCS}/doc_image/r2v_tea_pic2.jpg"},
            "role": "reference_image",
        },
        {
            "type": "video_url",
            "video_url": {"url": f"{_ARK_DOCS}/doc_video/r2v_tea_video1.mp4"},
            "role": "reference_video",
        },
        {
            "type": "audio_url",
            "audio_url": {"url": f"{_ARK_DOCS}/doc_audio/r2v_tea_audio1.mp3"},
            "role": "reference_audio",
        },
    ],
    "generate_audio": True,
    "ratio": "16:9",
    "duration": 11,
    "watermark": False,
}
