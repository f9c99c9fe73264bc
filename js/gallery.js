// Gallery view: a grid over the traits of seedance_nb.notebook.Gallery; Python reads the history.
// Filters are traits; Re-run, Fork and Refresh are one named event each.

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

  function cell(item) {
    const box = h("div", { class: "seedance-cell", testid: "cell", "data-uid": String(item.uid) });
    if (item.thumb) box.append(h("img", { src: item.thumb, alt: item.prompt.slice(0, 60) }));
    else box.append(h("div", { class: "seedance-muted" }, item.error || "no saved result"));
    const head = h("div", {}, h("b", {}, item.model), " ");
    const badge = h("span", { class: "seedance-badge" }, item.status);
    badge.dataset.status = item.status;
    head.append(badge);
    box.append(head);
    const prompt = item.prompt.length > 140 ? item.prompt.slice(0, 139) + "…" : item.prompt;
    box.append(h("div", { title: item.prompt }, prompt));
    const diff = Object.entries(item.diff)
      .filter(([name]) => name !== "model")
      .map(([name, value]) => `${name}=${value ?? "default"}`);
    if (diff.length) box.append(h("div", { class: "seedance-diff", testid: "diff" }, diff.join(" · ")));
    if (item.tags.length) box.append(h("div", { class: "seedance-muted" }, item.tags.map((t) => `#${t}`).join(" ")));
    const rerun = h("button", { class: "seedance-button", type: "button", testid: "rerun" }, "Re-run");
    rerun.addEventListener("click", () => model.send({ event: "rerun", uid: item.uid }));
    const fork = h("button", { class: "seedance-button", type: "button", testid: "fork" }, "Fork");
    fork.addEventListener("click", () => model.send({ event: "fork", uid: item.uid }));
    box.append(h("div", { class: "seedance-row" }, rerun, fork, h("span", { class: "seedance-muted" }, item.when)));
    return box;
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
  model.on("change:message", () => (message.textContent = model.get("message")));
  // The grid's static copy (for when the kernel is gone) sits in the same output area: hidden
  // while this live grid is on the page (style.css, .seedance-live).
  const markLive = (tries) => {
    const area = el.closest(".jp-OutputArea, .output_area, .output");
    if (area) area.classList.add("seedance-live");
    else if (tries > 0) setTimeout(() => markLive(tries - 1), 100);
  };
  markLive(50);

  return () => clearTimeout(timer);
}

export default { render };
