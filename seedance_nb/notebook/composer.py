"""``Composer``: a form that builds, checks, prices and submits a request (JS in ``js/composer.js``).

It offers only the controls the chosen model supports on the chosen dialect (from the catalog),
checks the request as you type (``validation.check``) and shows the estimated cost. Submit sends
the request and opens a :class:`TaskCard` below the form; a refused request is shown, not sent.

User actions are one named event each: ``submit``, ``attach_path`` (a path typed in),
``attach_file`` (a dropped file, its bytes in the message buffer), ``remove`` and ``role``.

One click, one paid task: the view disables Submit from the click until the kernel answers, and
a ``submit`` event carries the ``ticket`` the view was showing. The ticket changes once a submit is
handled (sent or refused), so a repeated event for the same click is dropped, not sent again.

Changing the model keeps every value the new model accepts; one it does not is set back to the
default with a line in ``notices`` (field, old value, why). Seeds, and values between a video and
an image model, are remembered per model (``composer_options.carry``).

>>> Composer(prompt="a paper boat on a stream", model="seedance-2.0-fast")
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets
import traitlets as t

from .. import errors
from . import assets, commands, composer_form, composer_options, display, facts

_MAX_DROP_BYTES = 64 * 1024 * 1024


class Composer(anywidget.AnyWidget):
    """Prompt, model, supported options, materials with roles, live checks, cost and Submit."""

    _esm = assets.path("composer.js")
    _css = assets.path("style.css")

    prompt = t.Unicode("").tag(sync=True)
    provider = t.Unicode("ark").tag(sync=True)
    providers = t.List(t.Unicode()).tag(sync=True)
    model = t.Unicode("seedance-2.0").tag(sync=True)
    models = t.List(t.Dict()).tag(sync=True)
    form = t.Dict().tag(sync=True)  # what the chosen model offers (composer_form.controls)
    options = t.Dict().tag(sync=True)
    attachments = t.List(t.Dict()).tag(sync=True)
    problems = t.List(t.Dict()).tag(sync=True)
    estimate = t.Unicode("").tag(sync=True)
    prices = t.Dict().tag(sync=True)  # {option: {value: "≈ ¥5.01"}} where a price is known
    message = t.Unicode("").tag(sync=True)  # the outcome of the last Submit
    refused = t.Bool(False).tag(sync=True)
    submitted = t.Int(0).tag(sync=True)
    notices = t.List(t.Unicode()).tag(sync=True)  # values a model change could not keep
    ticket = t.Unicode("").tag(sync=True)  # the key the next Submit click must carry

    def __init__(
        self,
        prompt: str = "",
        model: str = "seedance-2.0",
        *,
        provider: str | None = None,
        options: dict[str, Any] | None = None,
        materials: list[Any] | None = None,
        manager: Any = None,
        **kwargs: Any,
    ) -> None:
        from .. import catalog

        self._manager = manager
        self._materials: list[Any] = []
        self._labels: list[str | None] = []
        self._attempted = False
        self._resolved: Any = None
        self._memory: dict[str, dict[str, Any]] = {}  # each model's options when last left
        self.tasks: list[Any] = []
        self.cards = ipywidgets.VBox()
        super().__init__(**kwargs)
        chosen = commands.provider_of(manager, provider)
        with self.hold_trait_notifications():
            self.providers = list(catalog.PROVIDERS)
            self.provider = chosen
            self.models = composer_form.model_choices(chosen)
            self.model = model
            self.prompt = prompt
            self.options = dict(options or {})
            self.ticket = secrets.token_hex(8)
        for item in materials or []:
            self.add_material(item)
        self._refresh_form(tell=True)
        self.observe(self._on_provider, names=["provider"])
        self.observe(self._on_model, names=["model"])
        self.observe(self._on_input, names=["prompt", "options"])
        self.on_msg(self._on_message)
        self._box = ipywidgets.VBox([self, self.cards])

    @classmethod
    def from_request(cls, request: Any, **kwargs: Any) -> Composer:
        """A Composer filled in from an earlier request (what Fork opens)."""
        options = {k: getattr(request, k, None) for k in composer_form.VIDEO_OPTIONS}
        if getattr(request, "kind", "video") == "image":
            options = {k: getattr(request, k, None) for k in composer_form.IMAGE_OPTIONS}
        items = list(getattr(request, "materials", None) or getattr(request, "images", None) or [])
        return cls(
            request.prompt,
            request.model,
            options={k: v for k, v in options.items() if v is not None},
            materials=items,
            **kwargs,
        )

    @property
    def manager(self) -> Any:
        if self._manager is None:
            from ..lifecycle import get_manager

            return get_manager()
        return self._manager

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # The form and the cards of what it submitted, one under the other.
        return self._box._repr_mimebundle_(**kwargs)

    # -- materials -------------------------------------------------------------------------------
    def add_material(self, source: Any, role: str | None = None, label: str | None = None) -> None:
        """Attach an image, video or audio (URL, path, bytes, PIL image or Material)."""
        from ..materials import Material

        material = Material.of(source, role=role if role not in (None, "auto") else None)  # type: ignore[arg-type]
        self._materials.append(material)
        self._labels.append(label)
        self._sync_attachments()

    def _sync_attachments(self) -> None:
        self.attachments = [
            {**composer_form.describe(m, label), "index": i}
            for i, (m, label) in enumerate(zip(self._materials, self._labels, strict=True))
        ]
        self._revalidate()

    # -- state -----------------------------------------------------------------------------------
    def request(self) -> Any:
        """The request the form describes now (raises ``errors.ValidationError`` if malformed)."""
        return composer_form.build_request(self.model, self.prompt, self.options, self._materials)

    def _settings(self) -> Any:
        # Resolved once per provider: it reads the environment (and maybe a keyring).
        if self._resolved is None or self._resolved.provider != self.provider:
            self._resolved = commands.settings_for(self._manager, self.provider, local=True)
        return self._resolved

    def _refresh_form(self, *, tell: bool = False, previous: str | None = None) -> None:
        """Controls of the chosen model; values it does not take are reset, with a notice."""
        try:
            form = composer_form.controls(self.model, self.provider)
        except (errors.ValidationError, errors.ConfigError) as exc:
            self.form = {"options": [], "roles": ["auto"], "error": str(exc)}
            self._revalidate()
            return
        with self.hold_trait_notifications():
            self.form = form
            if previous is not None:
                kept, notices = composer_options.carry(
                    self.options, previous, self.model, self._memory, form
                )
            else:
                kept, notices = composer_options.admit(self.options, form, self.model)
            self.options = kept
            if tell or previous is not None or notices:
                self.notices = notices
        self._revalidate()

    def _on_provider(self, _change: Any) -> None:
        self.models = composer_form.model_choices(self.provider)
        if self.model not in {m["name"] for m in self.models} and self.models:
            self.model = self.models[0]["name"]  # _on_model refreshes the form
        else:
            self._refresh_form(tell=True)

    def _on_model(self, change: Any) -> None:
        old = str(change.get("old") or "")
        if old:
            self._memory[old] = dict(self.options)
        self._refresh_form(previous=old or None)

    def _on_input(self, _change: Any) -> None:
        self.message = ""
        self.refused = False
        self._revalidate()

    def _revalidate(self) -> None:
        """Live checks and cost; an empty prompt is only flagged once Submit was tried."""
        from .. import cost

        try:
            request = self.request()
        except errors.ValidationError as exc:
            found, request = list(exc.problems), None
        else:
            found = commands.check(request, self._settings())
        if not self._attempted and not self.prompt.strip():
            found = [p for p in found if getattr(p, "field", "") != "prompt"]
        self.problems = [{"field": p.field, "rule": p.rule, "fix": p.fix} for p in found]
        if request is None:
            self.estimate = ""
            return
        volcengine = self._settings().volcengine
        self.prices = composer_options.choice_prices(request, self.form, self.provider, volcengine)
        est = cost.estimate(request, self.provider, volcengine=volcengine)
        money = facts.money(est.amount, est.currency)
        tokens = f"{est.tokens:,} tokens" if est.tokens is not None else ""
        price = (
            f"price: {est.price_basis}"
            if est.price_basis
            else "no price known: add one to prices.toml"
        )
        self.estimate = " · ".join(b for b in (f"≈ {money}" if money else "", tokens, price) if b)

    # -- actions ---------------------------------------------------------------------------------
    def submit(self) -> Any:
        """Check and send the request; returns the task, or None when it was refused."""
        self._attempted = True
        self._revalidate()
        if self.problems:
            self.refused = True
            self.message = f"not sent: {len(self.problems)} problem(s) to fix first"
            return None
        try:
            task = self.manager.submit(self.request(), provider=self.provider)
        except (errors.ValidationError, errors.BudgetExceeded, errors.ConfigError) as exc:
            self.refused = True
            self.message = f"not sent: {exc}"
            return None
        self.tasks.append(task)
        self.cards.children = (display.card_for(task), *self.cards.children)
        self.refused = False
        self.submitted += 1
        self.message = f"submitted: {self.model}"
        return task

    def _submit_click(self, key: Any) -> None:
        """A Submit click: sent once for the ticket it carries; a repeat of it is dropped."""
        if not key or key != self.ticket:
            return  # a second event for a click already handled (or from a stale view)
        try:
            self.submit()
        finally:
            self.ticket = secrets.token_hex(8)  # the view enables Submit again

    def _on_message(self, _widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        event = content.get("event")
        try:
            if event == "submit":
                self._submit_click(content.get("key"))
            elif event == "attach_path":
                self._attach_path(str(content.get("path", "")), content.get("role"))
            elif event == "attach_file":
                self._attach_bytes(content, buffers)
            elif event == "remove":
                self._remove(content.get("index"))
            elif event == "role":
                self._set_role(content.get("index"), content.get("role"))
        except (ValueError, errors.SeedanceError) as exc:
            self.refused = True
            self.message = str(exc)

    def _attach_path(self, text: str, role: Any) -> None:
        text = text.strip()
        if not text:
            return
        if not text.lower().startswith(("http://", "https://")):
            path = Path(text).expanduser()
            if not path.is_file():
                raise ValueError(f"no file at {text!r} (paths are relative to the notebook)")
            self.add_material(path, role)
        else:
            self.add_material(text, role)

    def _attach_bytes(self, content: dict[str, Any], buffers: Any) -> None:
        if not buffers:
            raise ValueError("the dropped file arrived empty")
        data = bytes(buffers[0])
        if len(data) > _MAX_DROP_BYTES:
            raise ValueError("the dropped file is larger than 64 MB; give its path instead")
        self.add_material(data, content.get("role"), label=str(content.get("name") or "") or None)

    def _remove(self, index: Any) -> None:
        if isinstance(index, int) and 0 <= index < len(self._materials):
            del self._materials[index]
            del self._labels[index]
            self._sync_attachments()

    def _set_role(self, index: Any, role: Any) -> None:
        if isinstance(index, int) and 0 <= index < len(self._materials):
            self._materials[index] = self._materials[index].with_role(
                None if role in (None, "auto") else role
            )
            self._sync_attachments()
