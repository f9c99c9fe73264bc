// Composer view: a form over the traits of seedance_nb.notebook.Composer; Python owns the state
// (what the model offers, the checks, the estimate). The prompt is sent after a short pause in
// typing; every other action is one named event: submit, attach_path, attach_file, remove, role.
// Submit is disabled from the click until the kernel hands out a new ticket (one click, one task).

const DEBOUNCE_MS = 300;
const LABELS = {
  resolution: "Resolution",
  ratio: "Ratio",
  duration: "Duration (s)",
  seed: "Seed",
  generate_audio: "Audio",
  return_last_frame: "Return last frame",
  size: "Size",
  n: "Images",
};

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

// `pairs` are [value, label]; the first option is the blank one (the model's default).
function select(pairs, current, { testid, blank = "default" } = {}) {
  const node = h("select", { testid });
  node.append(h("option", { value: "" }, blank));
  for (const [value, label] of pairs) {
    const option = h("option", { value: String(value) }, String(label));
    option.dataset.label = String(label);
    if (String(value) === String(current ?? "")) option.selected = true;
    node.append(option);
  }
  return node;
}

const same = (values) => values.map((v) => [v, v]);

function render({ model, el }) {
  const root = h("div", { class: "seedance-composer", testid: "seedance-composer" });
  const prompt = h("textarea", {
    testid: "prompt",
    placeholder: "Describe the shot. Refer to attached materials as @1, @2, …",
  });
  const refs = h("div", { class: "seedance-row", testid: "refs" });
  const pickers = h("div", { class: "seedance-row" });
  const controls = h("div", { class: "seedance-row", testid: "controls" });
  const attachments = h("div", { class: "seedance-attachments", testid: "attachments" });
  const notices = h("ul", { class: "seedance-notice", testid: "notices" });
  const dropText = h("span", {}, "Drop images, videos or audio here, or give a path:");
  const drop = h("div", { class: "seedance-drop", testid: "drop" }, dropText);
  const pathInput = h("input", { type: "text", testid: "path", placeholder: "path or URL", size: "36" });
  const roleInput = h("select", { testid: "path-role" });
  const attach = h("button", { class: "seedance-button", type: "button", testid: "attach" }, "Attach");
  drop.append(h("span", { class: "seedance-attach", testid: "attach-row" }, pathInput, roleInput, attach));
  const problems = h("ul", { class: "seedance-problems", testid: "problems" });
  const estimate = h("span", { class: "seedance-muted", testid: "estimate" });
  const submit = h("button", { class: "seedance-button seedance-primary", type: "button", testid: "submit" }, "Submit");
  const message = h("span", { testid: "message" });
  const footer = h("div", { class: "seedance-row" }, submit, estimate, message);
  root.append(prompt, refs, pickers, controls, notices, attachments, drop, problems, footer);
  el.append(root);

  // -- prompt (debounced) -------------------------------------------------------------------
  let timer = null;
  prompt.value = model.get("prompt");
  const sendPrompt = () => {
    clearTimeout(timer);
    timer = null;
    if (model.get("prompt") !== prompt.value) {
      model.set("prompt", prompt.value);
      model.save_changes();
    }
  };
  prompt.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(sendPrompt, DEBOUNCE_MS);
  });
  model.on("change:prompt", () => {
    if (timer === null && prompt.value !== model.get("prompt")) prompt.value = model.get("prompt");
  });

  function insertAtCaret(text) {
    const start = prompt.selectionStart ?? prompt.value.length;
    const end = prompt.selectionEnd ?? start;
    const before = prompt.value.slice(0, start);
    const spaced = before && !/\s$/.test(before) ? ` ${text}` : text;
    prompt.value = before + spaced + prompt.value.slice(end);
    prompt.focus();
    prompt.selectionStart = prompt.selectionEnd = start + spaced.length;
    sendPrompt();
  }

  // -- provider and model -------------------------------------------------------------------
  function showPickers() {
    pickers.textContent = "";
    const provider = select(same(model.get("providers")), model.get("provider"), { testid: "provider", blank: "provider" });
    provider.firstChild.remove();
    provider.addEventListener("change", () => {
      model.set("provider", provider.value);
      model.save_changes();
    });
    const modelPicker = h("select", { testid: "model" });
    for (const item of model.get("models")) {
      const option = h("option", { value: item.name }, `${item.name} (${item.kind})`);
      option.title = item.title;
      if (item.name === model.get("model")) option.selected = true;
      modelPicker.append(option);
    }
    modelPicker.addEventListener("change", () => {
      model.set("model", modelPicker.value);
      model.save_changes();
    });
    pickers.append(h("label", {}, "Provider ", provider), h("label", {}, "Model ", modelPicker));
  }

  // -- options the model offers -------------------------------------------------------------
  function setOption(name, value) {
    const options = { ...model.get("options") };
    if (value === "" || value === null || value === undefined) delete options[name];
    else options[name] = value;
    model.set("options", options);
    model.save_changes();
  }

  function control(name, form, options) {
    const current = options[name];
    const listed = (form.choices ?? {})[name];
    let input;
    if (listed) input = select(listed, current, { blank: (form.blank ?? {})[name] ?? "default" });
    else if (name === "generate_audio" || name === "return_last_frame") {
      input = h("input", { type: "checkbox" });
      input.checked = Boolean(current);
      input.addEventListener("change", () => setOption(name, input.checked ? true : null));
    } else {
      const [low, high] = name === "n" && form.n_range?.length ? form.n_range : [-1, undefined];
      input = h("input", { type: "number", min: String(low), step: "1", style: "width:7em" });
      if (high !== undefined) input.max = String(high);
      input.placeholder = name === "n" ? "1" : "random";
      input.value = current ?? "";
    }
    input.dataset.testid = `option-${name}`;
    if (input.type !== "checkbox") {
      input.addEventListener("change", () => {
        const raw = input.value;
        const numeric = ["duration", "seed", "n"].includes(name);
        setOption(name, raw === "" ? null : numeric ? Number(raw) : raw);
      });
    }
    // ModelArk images: a size, or a ratio with a resolution, not both.
    if (form.kind === "image" && form.options.includes("size")) {
      const bySize = name === "size" ? false : ["ratio", "resolution"].includes(name) && options.size != null;
      const byRatio = name === "size" && (options.ratio != null || options.resolution != null);
      if (bySize || byRatio) {
        input.disabled = true;
        input.title = bySize ? "a size is chosen: clear it to pick a ratio and resolution" : "a ratio or resolution is chosen: clear them to pick a size";
      }
    }
    return h("label", {}, `${LABELS[name] ?? name} `, input);
  }

  // What each choice would cost, where a price is known; option texts change in place.
  function showPrices() {
    const prices = model.get("prices") ?? {};
    for (const node of controls.querySelectorAll("select[data-testid^=option-]")) {
      const name = node.dataset.testid.slice("option-".length);
      for (const option of node.options) {
        if (!option.dataset.label) continue;
        const price = (prices[name] ?? {})[option.value];
        option.textContent = price ? `${option.dataset.label} · ${price}` : option.dataset.label;
      }
    }
  }

  function showNotices() {
    notices.textContent = "";
    for (const text of model.get("notices")) notices.append(h("li", { testid: "notice" }, text));
  }

  function showControls() {
    controls.textContent = "";
    const form = model.get("form");
    const options = model.get("options");
    if (form.error) controls.append(h("span", { class: "seedance-error" }, form.error));
    for (const name of form.options ?? []) controls.append(control(name, form, options));
    roleInput.textContent = "";
    for (const role of form.roles ?? ["auto"]) roleInput.append(h("option", { value: role }, role));
    showPrices();
    drop.hidden = !form.accepts_materials;
    dropText.textContent = form.kind === "image"
      ? "Drop reference images here, or give a path or URL:"
      : "Drop images, videos or audio here, or give a path or URL:";
  }

  // -- attachments and the @N buttons -------------------------------------------------------
  function showAttachments() {
    attachments.textContent = "";
    refs.textContent = "";
    const roles = model.get("form").roles ?? ["auto"];
    for (const item of model.get("attachments")) {
      const tag = `@${item.index + 1}`;
      const box = h("div", { class: "seedance-attachment", testid: "attachment" });
      if (item.thumb) box.append(h("img", { src: item.thumb, alt: item.name }));
      box.append(h("div", {}, h("b", {}, tag), ` ${item.kind}`));
      box.append(h("div", { class: "seedance-muted", title: item.name }, item.name.slice(0, 28)));
      const role = select(same(roles.filter((r) => r !== "auto")), item.role === "auto" ? "" : item.role, { blank: "auto" });
      role.addEventListener("change", () => model.send({ event: "role", index: item.index, role: role.value || "auto" }));
      const remove = h("button", { class: "seedance-link", type: "button" }, "remove");
      remove.addEventListener("click", () => model.send({ event: "remove", index: item.index }));
      box.append(role, remove);
      attachments.append(box);
      const chip = h("button", { class: "seedance-button", type: "button", testid: "ref", title: `insert ${tag} (${item.name})` }, tag);
      chip.addEventListener("click", () => insertAtCaret(tag));
      refs.append(chip);
    }
    if (model.get("attachments").length) refs.prepend(h("span", { class: "seedance-muted" }, "Insert: "));
  }

  attach.addEventListener("click", () => {
    if (!pathInput.value.trim()) return;
    model.send({ event: "attach_path", path: pathInput.value, role: roleInput.value });
    pathInput.value = "";
  });
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("seedance-over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("seedance-over"));
  drop.addEventListener("drop", async (event) => {
    event.preventDefault();
    drop.classList.remove("seedance-over");
    for (const file of event.dataTransfer?.files ?? []) {
      const buffer = await file.arrayBuffer();
      model.send({ event: "attach_file", name: file.name, role: roleInput.value }, undefined, [buffer]);
    }
  });

  // -- checks, estimate, submit -------------------------------------------------------------
  function showChecks() {
    problems.textContent = "";
    for (const p of model.get("problems")) {
      problems.append(h("li", { testid: "problem" }, `${p.field}: ${p.rule}. Fix: ${p.fix}`));
    }
    estimate.textContent = model.get("estimate");
    message.textContent = model.get("message");
    message.className = model.get("refused") ? "seedance-error" : "seedance-ok";
    message.dataset.refused = String(model.get("refused"));
  }

  // One click, one task: disabled from the click until the kernel hands out the next ticket.
  const ready = () => {
    submit.disabled = false;
    submit.dataset.busy = "false";
  };
  submit.addEventListener("click", () => {
    if (submit.disabled) return;
    submit.disabled = true;
    submit.dataset.busy = "true";
    sendPrompt(); // the latest text goes before the submit event
    model.send({ event: "submit", key: model.get("ticket") });
  });
  model.on("change:ticket", ready);

  showPickers();
  showControls();
  showAttachments();
  showChecks();
  showNotices();
  ready();
  model.on("change:notices", showNotices);
  model.on("change:prices", showPrices);
  model.on("change:providers", showPickers);
  model.on("change:provider", showPickers);
  model.on("change:models", showPickers);
  model.on("change:model", showPickers);
  model.on("change:form", () => {
    showControls();
    showAttachments();
  });
  model.on("change:options", showControls);
  model.on("change:attachments", showAttachments);
  for (const name of ["problems", "estimate", "message", "refused"]) model.on(`change:${name}`, showChecks);

  return () => clearTimeout(timer);
}

export default { render };
