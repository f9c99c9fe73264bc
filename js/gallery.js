// Gallery view: a grid over the traits of seedance_nb.notebook.Gallery; Python reads the history.
// Filters are traits; Re-run, Fork, Refresh and Play are one named event each. Re-run and Fork
// carry the kernel's ticket and stay disabled from the click until a new ticket arrives, so a
// double click sends one create. Clicking a thumbnail plays the result in its place.

const DEBOUNCE_MS = 300;

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

function choice(values, current, blank, testid) {
  const node = h("select", { testid });
  node.append(h("option", { value: "" }, blank));
  for (const value of values) {
    const option = h("option", { value }, value);
    if (value === current) option.selected = true;
    node.append(option);
  }
  return node;
}

function render({ model, el }) {
  const root = h("div", { class: "seedance-gallery", testid: "seedance-gallery" });
  const text = h("input", { type: "search", placeholder: "words in the prompt", testid: "filter-text" });
  const filters = h("div", { class: "seedance-row" });
  const grid = h("div", { class: "seedance-grid", testid: "grid" });
  const message = h("div", { class: "seedance-muted", testid: "message" });
  root.append(filters, message, grid);
  el.append(root);

  let timer = null;
  let pending = false; // a Re-run or Fork click the kernel has not answered yet
  const blobUrls = new Map(); // uid -> object URL of a result being played
  text.value = model.get("text");
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      model.set("text", text.value);
      model.save_changes();
    }, DEBOUNCE_MS);
  });

  function setTrait(name, value) {
    model.set(name, value);
    model.save_changes();
  }

  function showFilters() {
    filters.textContent = "";
    const modelPick = choice(model.get("models"), model.get("model_name"), "any model", "filter-model");
    modelPick.addEventListener("change", () => setTrait("model_name", modelPick.value));
    const tagPick = choice(model.get("tags"), model.get("tag"), "any tag", "filter-tag");
    tagPick.addEventListener("change", () => setTrait("tag", tagPick.value));
    const refresh = h("button", { class: "seedance-button", type: "button", testid: "refresh" }, "Refresh");
    refresh.addEventListener("click", () => model.send({ event: "refresh" }));
    filters.append(text, modelPick, tagPick, refresh);
  }

  function act(event, uid) {
    if (pending) return;
    pending = true;
    for (const button of grid.querySelectorAll("[data-action]")) button.disabled = true;
    model.send({ event, uid, key: model.get("ticket") });
  }

  function button(label, testid, event, uid) {
    const node = h("button", { class: "seedance-button", type: "button", testid, "data-action": event }, label);
    node.disabled = pending;
    node.addEventListener("click", () => act(event, uid));
    return node;
  }

  function player(item, url) {
    if (item.kind === "image") return h("img", { src: url, alt: item.prompt.slice(0, 60), testid: "full" });
    const video = h("video", { controls: "", autoplay: "", muted: "", loop: "", playsinline: "", testid: "player" });
    video.muted = true; // headless and notebook autoplay rules allow muted playback
    video.src = url;
    video.play().catch(() => {}); // the controls still let the user start it
    return video;
  }

  function cell(item) {
    const box = h("div", { class: "seedance-cell", testid: "cell", "data-uid": String(item.uid) });
    const media = h("div", { class: "seedance-thumb", testid: "thumb" });
    if (blobUrls.has(item.uid)) media.append(player(item, blobUrls.get(item.uid)));
    else if (item.thumb) {
      const img = h("img", { src: item.thumb, alt: item.prompt.slice(0, 60) });
      if (item.playable) {
        media.classList.add("seedance-playable");
        media.title = item.kind === "image" ? "Click to see it full size" : "Click to play";
        media.addEventListener("click", () => {
          media.classList.remove("seedance-playable");
          media.title = "";
          media.textContent = "";
          media.append(h("span", { class: "seedance-muted" }, "loading…"));
          model.send({ event: "play", uid: item.uid });
        }, { once: true });
      }
      media.append(img);
    } else media.append(h("div", { class: "seedance-muted" }, item.error || "no saved result"));
    box.append(media);
    const head = h("div", {}, h("b", {}, item.model), " ");
    const badge = h("span", { class: "seedance-badge" }, item.status);
    badge.dataset.status = item.status;
    head.append(badge);
    box.append(head);
    box.append(h("div", { class: "seedance-cell-prompt", title: item.prompt }, item.prompt));
    const diff = Object.entries(item.diff)
      .filter(([name]) => name !== "model")
      .map(([name, value]) => `${name}=${value ?? "default"}`);
    if (diff.length) box.append(h("div", { class: "seedance-diff", testid: "diff" }, diff.join(" · ")));
    if (item.tags.length) box.append(h("div", { class: "seedance-muted" }, item.tags.map((t) => `#${t}`).join(" ")));
    const rerun = button("Re-run", "rerun", "rerun", item.uid);
    const fork = button("Fork", "fork", "fork", item.uid);
    box.append(h("div", { class: "seedance-row seedance-cell-actions" }, rerun, fork, h("span", { class: "seedance-muted" }, item.when)));
    return box;
  }

  function onMessage(msg, buffers) {
    if (!msg || msg.event !== "play") return;
    const item = model.get("items").find((i) => i.uid === msg.uid);
    const slot = grid.querySelector(`[data-uid="${msg.uid}"] [data-testid=thumb]`);
    if (!item || !slot) return;
    slot.textContent = "";
    if (msg.error || !buffers || !buffers.length) {
      slot.append(h("span", { class: "seedance-error" }, msg.error || "no data"));
      return;
    }
    const url = URL.createObjectURL(new Blob([buffers[0]], { type: msg.mime }));
    blobUrls.set(item.uid, url);
    slot.append(player(item, url));
  }

  function showItems() {
    grid.textContent = "";
    const items = model.get("items");
    if (!items.length) grid.append(h("div", { class: "seedance-muted" }, "nothing in the history matches"));
    for (const item of items) grid.append(cell(item));
  }

  showFilters();
  showItems();
  message.textContent = model.get("message");
  for (const name of ["models", "tags", "model_name", "tag"]) model.on(`change:${name}`, showFilters);
  model.on("change:items", showItems);
  model.on("change:ticket", () => {
    pending = false;
    for (const button of grid.querySelectorAll("[data-action]")) button.disabled = false;
  });
  model.on("msg:custom", onMessage);
  model.on("change:message", () => (message.textContent = model.get("message")));
  // The grid's static copy (for when the kernel is gone) sits in the same output area: hidden
  // while this live grid is on the page (style.css, .seedance-live).
  const markLive = (tries) => {
    const area = el.closest(".jp-OutputArea, .output_area, .output");
    if (area) area.classList.add("seedance-live");
    else if (tries > 0) setTimeout(() => markLive(tries - 1), 100);
  };
  markLive(50);

  return () => {
    clearTimeout(timer);
    for (const url of blobUrls.values()) URL.revokeObjectURL(url);
  };
}

export default { render };
