// TaskCard view: renders the traits of seedance_nb.notebook.TaskCard; Python owns the state.
// User actions go back as one named event each: {event: "cancel"}, {event: "media", index}.

const PROMPT_SHORT = 160;

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "testid") node.dataset.testid = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

export function formatSeconds(total) {
  const s = Math.max(0, Math.floor(total));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

function render({ model, el }) {
  const root = h("div", { class: "seedance-card", testid: "seedance-task-card" });
  const title = h("span", { class: "seedance-title", testid: "title" });
  const status = h("span", { class: "seedance-badge", testid: "status" });
  const elapsed = h("span", { class: "seedance-muted", testid: "elapsed" });
  const head = h("div", { class: "seedance-head" }, title, status, elapsed);

  const prompt = h("div", { class: "seedance-prompt", testid: "prompt" });
  const options = h("div", { class: "seedance-muted", testid: "options" });
  const bar = h("progress", { class: "seedance-progress", testid: "progress", max: "1" });
  const cost = h("span", { class: "seedance-muted", testid: "cost" });
  const taskId = h("span", { class: "seedance-muted seedance-id", testid: "task-id" });
  const detail = h("span", { class: "seedance-muted", testid: "detail" });
  const meta = h("div", { class: "seedance-meta" }, cost, taskId, detail);

  const cancel = h("button", { class: "seedance-button", testid: "cancel", type: "button" }, "Cancel");
  const reason = h("span", { class: "seedance-muted", testid: "cancel-reason" });
  const notice = h("span", { class: "seedance-notice", testid: "notice" });
  const actions = h("div", { class: "seedance-actions" }, cancel, reason, notice);

  const error = h("div", { class: "seedance-error", testid: "error" });
  const media = h("div", { class: "seedance-media", testid: "media" });
  root.append(head, prompt, options, bar, meta, actions, error, media);
  el.append(root);

  let expanded = false;
  let syncedAt = performance.now();
  const blobUrls = new Map(); // "index:name" -> object URL (revoked on cleanup)
  const keyOf = (item) => `${item.index}:${item.name}`;

  function showPrompt() {
    const text = model.get("prompt");
    prompt.textContent = "";
    if (text.length <= PROMPT_SHORT || expanded) {
      prompt.append(text);
    } else {
      prompt.append(text.slice(0, PROMPT_SHORT - 1) + "… ");
      const more = h("button", { class: "seedance-link", type: "button" }, "more");
      more.addEventListener("click", () => {
        expanded = true;
        showPrompt();
      });
      prompt.append(more);
    }
  }

  function showElapsed() {
    let seconds = model.get("elapsed");
    if (model.get("running")) seconds += (performance.now() - syncedAt) / 1000;
    elapsed.textContent = formatSeconds(seconds);
  }

  function showState() {
    const word = model.get("status");
    const raw = model.get("raw_status");
    const phase = model.get("phase");
    root.dataset.status = word;
    status.dataset.status = word;
    let label = word;
    if (word === "unknown" && raw) label = `unknown (${raw})`;
    if (phase === "downloading") label = `${word} · saving result`;
    status.textContent = label;
    title.textContent = [model.get("model"), model.get("mode")].filter(Boolean).join(" · ");
    options.textContent = model.get("options");
    options.hidden = !model.get("options");
    bar.value = model.get("progress");
    bar.hidden = !model.get("running") && word !== "succeeded";
    cost.textContent = model.get("cost");
    const id = model.get("task_id");
    taskId.textContent = id ? `task ${id}` : "";
    const canCancel = model.get("can_cancel");
    cancel.disabled = !canCancel;
    cancel.hidden = !model.get("running");
    cancel.title = canCancel ? "Cancel this task" : model.get("cancel_reason");
    reason.textContent = canCancel || !model.get("running") ? "" : model.get("cancel_reason");
    notice.textContent = model.get("notice");
    detail.textContent = model.get("detail");
    const code = model.get("error_code");
    const message = model.get("error_message");
    error.hidden = !(code || message);
    error.textContent = code ? `${code}: ${message}` : message;
    syncedAt = performance.now();
    showElapsed();
  }

  function mediaElement(item, src) {
    if (item.kind === "video") {
      const video = h("video", { controls: "", preload: "metadata", playsinline: "", testid: "video" });
      video.src = src;
      return video;
    }
    const img = h("img", {
      testid: item.kind === "last_frame" ? "last-frame" : "image",
      alt: item.kind === "last_frame" ? "last frame" : "result image",
      class: item.kind === "last_frame" ? "seedance-last-frame" : "",
    });
    img.src = src;
    return img;
  }

  function showMedia() {
    media.textContent = "";
    for (const item of model.get("media")) {
      const slot = h("div", { class: "seedance-slot", "data-index": String(item.index) });
      media.append(slot);
      const known = item.url || blobUrls.get(keyOf(item));
      if (known) {
        slot.append(mediaElement(item, known));
      } else {
        slot.append(h("span", { class: "seedance-muted" }, `loading ${item.name}…`));
        model.send({ event: "media", index: item.index });
      }
    }
  }

  function onMessage(msg, buffers) {
    if (!msg || msg.event !== "media") return;
    const item = model.get("media").find((m) => m.index === msg.index);
    const slot = media.querySelector(`[data-index="${msg.index}"]`);
    if (!item || !slot) return;
    slot.textContent = "";
    if (msg.error || !buffers || !buffers.length) {
      slot.append(h("span", { class: "seedance-error" }, msg.error || "no data"));
      return;
    }
    const blob = new Blob([buffers[0]], { type: msg.mime });
    const url = URL.createObjectURL(blob);
    blobUrls.set(keyOf(item), url);
    slot.append(mediaElement(item, url));
  }

  cancel.addEventListener("click", () => {
    cancel.disabled = true;
    model.send({ event: "cancel" });
  });

  showPrompt();
  showState();
  showMedia();
  model.on("change:prompt", showPrompt);
  const stateTraits = [
    "status", "raw_status", "phase", "running", "progress", "elapsed", "can_cancel",
    "cancel_reason", "cost", "error_code", "error_message", "notice", "detail", "task_id", "model",
    "mode", "options",
  ];
  for (const name of stateTraits) model.on(`change:${name}`, showState);
  model.on("change:media", showMedia);
  model.on("msg:custom", onMessage);
  const timer = setInterval(() => model.get("running") && showElapsed(), 1000);

  // The task's static output (its last known state, for when the kernel is gone) sits in the
  // same output area: hidden while this live card is on the page (style.css, .seedance-live).
  const markLive = (tries) => {
    const area = el.closest(".jp-OutputArea, .output_area, .output");
    if (area) area.classList.add("seedance-live");
    else if (tries > 0) setTimeout(() => markLive(tries - 1), 100);
  };
  markLive(50);

  return () => {
    clearInterval(timer);
    for (const url of blobUrls.values()) URL.revokeObjectURL(url);
  };
}

export default { render };
