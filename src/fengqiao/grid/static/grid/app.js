/* The grid worker's field app: visits, hazard checks, field reports, publicity logs and patrols
   (with the route the phone records while the patrol runs) kept on the phone (IndexedDB) and
   sent when the signal returns — each exactly once.

   Exactly once: a form's draft gets a UUID when it is opened and keeps it in IndexedDB, so a
   reload or a second tab shows the same draft with the same UUID. Saving moves the draft to the
   outbox under that UUID (a second save of the same draft overwrites the same entry). The
   outbox is sent under a Web Lock, so only one tab sends at a time; the server is idempotent on
   the UUID (a unique constraint), answering a repeat with the first record. A record leaves the
   outbox only after the server's answer; one the server refuses stays, marked, for the worker.
   A patrol's route lives in its own store ("tracks", keyed by the draft's UUID): each point is
   appended in one IndexedDB transaction (read and write together, so two tabs never lose each
   other's points), and only the tab holding the Web Lock "fq-grid-patrol" watches the position
   — another tab takes over when that one closes.
   No inline script: the CSP allows scripts from the platform only. */
(function () {
  "use strict";

  const body = document.body;
  const msg = (key) => body.dataset["msg" + key.charAt(0).toUpperCase() + key.slice(1)] || key;
  const DB_NAME = "fq-grid-" + (body.dataset.user || "0");
  const ENDPOINT = { visit: body.dataset.syncVisit, check: body.dataset.syncCheck, report: body.dataset.syncReport,
                     publicity: body.dataset.syncPublicity, patrol: body.dataset.syncPatrol };
  const MAX_POINTS = 2000;  // what the server takes for one route
  const MIN_STEP_M = 5;  // a point closer than this to the last one is noise
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("fq-grid") : null;
  let db = null;
  let boot = null;
  let syncing = false;
  const place = { latitude: "", longitude: "" };

  // ------------------------------------------------------------------------ IndexedDB

  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 2);
      req.onupgradeneeded = () => {
        const d = req.result;
        const stores = { drafts: "form", outbox: "uuid", sent: "uuid", meta: "key", tracks: "uuid" };
        Object.entries(stores).forEach(([name, keyPath]) => {
          if (!d.objectStoreNames.contains(name)) d.createObjectStore(name, { keyPath });
        });
      };
      req.onblocked = () => flash(msg("reload"));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function write(store, fn) {
    return new Promise((resolve, reject) => {
      const t = db.transaction(store, "readwrite");
      fn(t.objectStore(store));
      t.oncomplete = () => resolve();
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const get = (store, key) => req(db.transaction(store).objectStore(store).get(key));
  const all = (store) => req(db.transaction(store).objectStore(store).getAll());
  const put = (store, value) => write(store, (s) => { s.put(value); });
  const del = (store, key) => write(store, (s) => { s.delete(key); });

  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ------------------------------------------------------------------------------ UI

  function flash(text) {
    const el = document.querySelector("[data-flash]");
    el.textContent = text;
  }

  function showNet() {
    const el = document.querySelector("[data-net]");
    el.textContent = navigator.onLine ? msg("online") : msg("offline");
    el.classList.toggle("off", !navigator.onLine);
  }

  function option(value, label) {
    const o = document.createElement("option");
    o.value = value; o.textContent = label;
    return o;
  }

  function fillSelects() {
    document.querySelectorAll("[data-subjects]").forEach((select) => {
      const kinds = select.dataset.subjects.split(" ");
      select.replaceChildren(option("", "—"));
      const prefix = { households: "h", firms: "f", rooms: "r" };
      kinds.forEach((kind) => (boot[kind] || []).forEach((s) => select.append(option(`${prefix[kind]}:${s.id}`, s.label))));
    });
    const checklists = document.querySelector("[data-checklists]");
    checklists.replaceChildren(...boot.checklists.map((c) => option(String(c.id), c.name)));
    document.querySelectorAll("[data-grids]").forEach((select) => select.replaceChildren(
      ...boot.grids.map((g) => option(String(g.id), g.name))));
    document.querySelectorAll("[data-teams]").forEach((select) => select.replaceChildren(
      option("", "—"), ...(boot.teams || []).map((t) => option(String(t.id), `${t.name} · ${t.region}`))));
    const categories = document.querySelector("[data-categories]");
    boot.categories.forEach((c) => categories.append(option(c.code, c.name)));
  }

  function renderItems(form, answers) {
    const box = form.querySelector("[data-items]");
    const checklist = boot.checklists.find((c) => String(c.id) === form.elements.checklist.value) || boot.checklists[0];
    box.replaceChildren();
    if (!checklist) return;
    checklist.items.forEach((item) => {
      const row = document.createElement("fieldset");
      row.className = "ga-item";
      const legend = document.createElement("legend");
      legend.textContent = item.text;
      row.append(legend);
      [["1", msg("pass")], ["0", msg("fail")]].forEach(([value, label]) => {
        const l = document.createElement("label");
        const input = document.createElement("input");
        input.type = "radio"; input.name = `item-${item.id}`; input.value = value;
        input.dataset.item = String(item.id);
        if (answers && answers[item.id] && String(answers[item.id].passed ? "1" : "0") === value) input.checked = true;
        l.append(input, " ", label);
        row.append(l);
      });
      const note = document.createElement("input");
      note.name = `note-${item.id}`; note.placeholder = msg("note"); note.maxLength = 500;
      note.dataset.note = String(item.id);
      if (answers && answers[item.id]) note.value = answers[item.id].note || "";
      row.append(note);
      box.append(row);
    });
  }

  // ---------------------------------------------------------------------------- drafts

  function fieldsOf(form) {
    const out = {};
    Array.from(form.elements).forEach((el) => {
      if (!el.name || el.type === "file" || el.name.startsWith("item-") || el.name.startsWith("note-")) return;
      out[el.name] = el.value;
    });
    if (form.dataset.form === "check") {
      const answers = {};
      form.querySelectorAll("input[data-item]").forEach((r) => {
        if (r.checked) answers[r.dataset.item] = { passed: r.value === "1", note: "" };
      });
      form.querySelectorAll("input[data-note]").forEach((n) => {
        if (answers[n.dataset.note]) answers[n.dataset.note].note = n.value;
      });
      out.results = answers;
    }
    return out;
  }

  async function draftOf(name) {
    let draft = await get("drafts", name);
    if (!draft) {
      draft = { form: name, uuid: newUuid(), fields: {}, photos: [], opened: new Date().toISOString() };
      await put("drafts", draft);
    }
    return draft;
  }

  async function restore(form) {
    const draft = await draftOf(form.dataset.form);
    form.dataset.uuid = draft.uuid;
    Object.entries(draft.fields || {}).forEach(([k, v]) => {
      if (form.elements[k] && typeof v === "string") form.elements[k].value = v;
    });
    if (form.dataset.form === "check") renderItems(form, (draft.fields || {}).results);
    form.querySelectorAll("[data-today]").forEach((el) => { if (!el.value) el.value = today(); });
    showPhotos(form, draft.photos || []);
    if (form.dataset.form === "patrol") await showTrack(form);
  }

  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }

  async function remember(form) {
    const draft = await draftOf(form.dataset.form);
    if (draft.uuid !== form.dataset.uuid) return restore(form);  // saved in another tab meanwhile
    draft.fields = fieldsOf(form);
    await put("drafts", draft);
  }

  function showPhotos(form, photos) {
    const el = form.querySelector("[data-photo-count]");
    if (el) el.textContent = photos.length ? `📷 ${photos.length}` : "";
  }

  async function addPhotos(form, files) {
    const draft = await draftOf(form.dataset.form);
    const kept = await Promise.all(Array.from(files).slice(0, 6).map(async (f) => ({
      name: f.name || "photo.jpg", type: f.type, blob: new Blob([await f.arrayBuffer()], { type: f.type }),
    })));
    draft.photos = (draft.photos || []).concat(kept).slice(0, 6);
    draft.fields = fieldsOf(form);
    await put("drafts", draft);
    showPhotos(form, draft.photos);
  }

  function check(form, fields) {
    const name = form.dataset.form;
    if ((name === "visit" || name === "check") && !fields.subject) return msg("choose");
    if (name === "check") {
      const checklist = boot.checklists.find((c) => String(c.id) === fields.checklist);
      if (!checklist || checklist.items.some((i) => !fields.results[i.id])) return msg("answer");
    }
    if (name === "report" && !(fields.description || "").trim()) return msg("describe");
    if (name === "publicity" && !(fields.theme || "").trim()) return msg("theme");
    if (name === "patrol" && !fields.team) return msg("team");
    return "";
  }

  async function save(form) {
    // The record is the draft this form shows (its UUID), whatever another tab did meanwhile:
    // two tabs saving one draft write one outbox entry; a draft sent already is not sent again.
    const name = form.dataset.form;
    const uuid = form.dataset.uuid;
    const fields = fieldsOf(form);
    const problem = check(form, fields);
    if (problem) { flash(problem); return; }
    const draft = await get("drafts", name);
    const photos = draft && draft.uuid === uuid ? draft.photos || [] : ((await get("outbox", uuid)) || {}).photos || [];
    let track = null;
    if (name === "patrol") {
      track = await endTrack(uuid);
      if (!track) {
        // Saved in another tab meanwhile: the outbox holds it (or it was sent).
        if (!(await get("outbox", uuid)) && !(await get("sent", uuid))) { flash(msg("notStarted")); return; }
      }
    }
    if (await get("sent", uuid)) {
      flash(msg("already"));
    } else if (name === "patrol" && !track) {
      flash(msg("saved"));  // the other tab's save of this patrol stands
    } else {
      const record = { uuid, kind: name, fields, photos, place: { ...place },
                       at: new Date().toISOString(), state: "waiting", error: "" };
      if (track) { record.route = track.points; record.started = track.started; record.ended = track.ended; }
      await put("outbox", record);
      flash(msg("saved"));
    }
    if (track) await del("tracks", uuid);
    if (draft && draft.uuid === uuid) await del("drafts", name);
    form.reset();
    await restore(form);
    if (name === "patrol") checkWatch();
    changed();
    sync();
  }

  // ------------------------------------------------------------------------------ send

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function formData(record) {
    const data = new FormData();
    const f = record.fields;
    data.append("uuid", record.uuid);
    data.append("offline", "1");
    if (record.place.latitude) { data.append("latitude", record.place.latitude); data.append("longitude", record.place.longitude); }
    if (record.kind === "visit" || record.kind === "check") {
      const [prefix, id] = (f.subject || ":").split(":");
      data.append({ h: "household", f: "firm", r: "room" }[prefix] || "household", id);
    }
    if (record.kind === "publicity") {
      ["grid", "day", "theme", "firms_visited", "households_visited", "leaflets", "online_pushes", "sessions", "note"]
        .forEach((k) => data.append(k, f[k] || ""));
      return data;
    }
    if (record.kind === "patrol") {
      data.append("team", f.team); data.append("members_count", f.members_count || "1");
      data.append("findings", f.findings || ""); data.append("started_at", record.started);
      data.append("ended_at", record.ended); data.append("route", JSON.stringify(record.route || []));
      return data;
    }
    if (record.kind === "visit") {
      data.append("visited_at", record.at); data.append("notes", f.notes || ""); data.append("demand", f.demand || "");
    } else if (record.kind === "check") {
      data.append("checked_at", record.at); data.append("checklist", f.checklist); data.append("notes", f.notes || "");
      data.append("results", JSON.stringify(f.results));
    } else {
      data.append("grid", f.grid); data.append("category", f.category || ""); data.append("description", f.description || "");
      data.append("address", f.address || "");
    }
    (record.photos || []).forEach((p) => data.append("photos", p.blob, p.name));
    return data;
  }

  async function sendOne(record) {
    let response;
    try {
      response = await fetch(ENDPOINT[record.kind], { method: "POST", body: formData(record), credentials: "same-origin",
                                                      headers: { "X-CSRFToken": csrf() } });
    } catch (e) {
      return "network";  // no signal: try again later
    }
    if (response.status === 200 || response.status === 201) {
      const answer = await response.json();
      await put("sent", { uuid: record.uuid, kind: record.kind, at: record.at, answer, label: labelOf(record) });
      await del("outbox", record.uuid);
      return "sent";
    }
    if (response.status >= 500 || response.status === 429 || response.status === 401 || response.status === 0) {
      if (response.status === 401) { record.error = msg("signin"); await put("outbox", record); }
      return "later";
    }
    let message = String(response.status);
    try { message = (await response.json()).message || message; } catch (e) { /* not JSON */ }
    record.state = "refused"; record.error = message;
    await put("outbox", record);
    return "refused";
  }

  async function sendAll() {
    const records = (await all("outbox")).filter((r) => r.state !== "refused").sort((a, b) => a.at.localeCompare(b.at));
    for (const record of records) {
      const current = await get("outbox", record.uuid);  // another tab may have sent it meanwhile
      if (!current || current.state === "refused") continue;
      const outcome = await sendOne(current);
      changed();
      if (outcome === "network" || outcome === "later") break;
    }
  }

  async function sync() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      if (navigator.locks && navigator.locks.request) {
        await navigator.locks.request("fq-grid-sync", sendAll);
      } else {
        await sendAll();
      }
    } finally {
      syncing = false;
    }
  }

  // --------------------------------------------------------------------------- outbox

  function labelOf(record) {
    const f = record.fields;
    let whom = "";
    if (f.subject) {
      const [prefix, id] = f.subject.split(":");
      const list = boot && boot[{ h: "households", f: "firms", r: "rooms" }[prefix]];
      const hit = list && list.find((s) => String(s.id) === id);
      whom = hit ? hit.label : "";
    }
    if (record.kind === "patrol") {
      const team = boot && (boot.teams || []).find((t) => String(t.id) === f.team);
      whom = `${team ? team.name : ""} · ${(record.route || []).length} ${msg("points")}`;
    }
    if (record.kind === "publicity") whom = f.theme || "";
    return `${msg(record.kind)} · ${whom || (f.description || "").slice(0, 20)}`;
  }

  async function renderOutbox() {
    const waiting = await all("outbox");
    const sent = (await all("sent")).sort((a, b) => b.at.localeCompare(a.at)).slice(0, 30);
    document.querySelectorAll("[data-waiting-count]").forEach((el) => { el.textContent = String(waiting.length); });
    const list = document.querySelector("[data-outbox]");
    list.replaceChildren(...waiting.map((r) => {
      const li = document.createElement("li");
      li.dataset.state = r.state;
      li.textContent = `${r.at.slice(5, 16).replace("T", " ")} ${labelOf(r)} — ${r.state === "refused" ? msg("refused") + ": " + r.error : msg("waiting")}${(r.photos || []).length ? " 📷" + r.photos.length : ""}`;
      return li;
    }));
    document.querySelector("[data-sent]").replaceChildren(...sent.map((r) => {
      const li = document.createElement("li");
      const codes = (r.answer && r.answer.events || []).join(" ");
      li.textContent = `${r.at.slice(5, 16).replace("T", " ")} ${r.label} — ${msg("sent")} ${codes}`;
      return li;
    }));
  }

  function changed() {
    renderOutbox();
    if (channel) channel.postMessage("changed");
  }

  // -------------------------------------------------------------------------- patrols

  function metres(a, b) {
    const kx = 111320 * Math.cos(((a[0] + b[0]) / 2) * Math.PI / 180);
    return Math.hypot((b[1] - a[1]) * kx, (b[0] - a[0]) * 110540);
  }

  function lengthOf(points) {
    let m = 0;
    for (let i = 1; i < points.length; i += 1) m += metres(points[i - 1], points[i]);
    return Math.round(m);
  }

  // Read and write the track in one transaction: two tabs appending never lose a point.
  function updateTrack(uuid, fn) {
    return new Promise((resolve, reject) => {
      const t = db.transaction("tracks", "readwrite");
      const store = t.objectStore("tracks");
      let out = null;
      const r = store.get(uuid);
      r.onsuccess = () => {
        out = fn(r.result || null);
        if (out) store.put(out);
      };
      t.oncomplete = () => resolve(out);
      t.onerror = () => reject(t.error);
    });
  }

  const patrolForm = () => document.querySelector("form[data-form=patrol]");

  async function showTrack(form) {
    const el = form.querySelector("[data-track]");
    const track = await get("tracks", form.dataset.uuid);
    if (!track) { el.textContent = ""; return; }
    const since = new Date(track.started).toTimeString().slice(0, 5);
    const state = track.ended ? msg("ended") : msg("running");
    el.textContent = `${state} ${since} · ${track.points.length} ${msg("points")} · ${lengthOf(track.points)} m`;
    el.dataset.points = String(track.points.length);
    el.dataset.running = track.ended ? "0" : "1";
  }

  async function startTrack() {
    const form = patrolForm();
    const uuid = form.dataset.uuid;
    await remember(form);
    await updateTrack(uuid, (t) => t || { uuid, started: new Date().toISOString(), ended: null, points: [] });
    await showTrack(form);
    changed();
    watch();
  }

  async function endTrack(uuid) {
    const track = await updateTrack(uuid, (t) => {
      if (!t) return null;
      if (!t.ended) t.ended = new Date().toISOString();
      return t;
    });
    return track || null;
  }

  async function addPoint(pos) {
    const form = patrolForm();
    const p = [Number(pos.coords.latitude.toFixed(6)), Number(pos.coords.longitude.toFixed(6))];
    await updateTrack(form.dataset.uuid, (t) => {
      if (!t || t.ended || t.points.length >= MAX_POINTS) return null;
      const last = t.points[t.points.length - 1];
      if (last && metres(last, p) < MIN_STEP_M) return null;
      t.points.push(p);
      return t;
    });
    await showTrack(form);
    if (channel) channel.postMessage("changed");
  }

  let watching = false;
  let stopWatching = null;

  // Watch the position while this phone's patrol runs; one tab at a time (a Web Lock).
  function watch() {
    if (watching || !navigator.geolocation) return;
    watching = true;
    const run = () => new Promise((resolve) => {
      const form = patrolForm();
      get("tracks", form.dataset.uuid).then((track) => {
        if (!track || track.ended) { resolve(); return; }
        const id = navigator.geolocation.watchPosition((pos) => { addPoint(pos); }, () => {},
                                                       { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 });
        stopWatching = () => { navigator.geolocation.clearWatch(id); stopWatching = null; resolve(); };
      });
    });
    const done = () => { watching = false; };
    if (navigator.locks && navigator.locks.request) {
      navigator.locks.request("fq-grid-patrol", run).then(done, done);
    } else {
      run().then(done, done);
    }
  }

  async function checkWatch() {
    const form = patrolForm();
    const track = await get("tracks", form.dataset.uuid);
    if (track && !track.ended) watch();
    else if (stopWatching) stopWatching();
  }

  // --------------------------------------------------------------------------- start

  async function loadBootstrap() {
    try {
      const response = await fetch(body.dataset.bootstrap, { credentials: "same-origin" });
      if (response.ok) {
        boot = await response.json();
        await put("meta", { key: "bootstrap", value: boot });
        return;
      }
    } catch (e) { /* no signal: what the phone kept */ }
    const kept = await get("meta", "bootstrap");
    boot = kept ? kept.value : { grids: [], households: [], firms: [], rooms: [], checklists: [], categories: [] };
  }

  function locate() {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition((pos) => {
      place.latitude = pos.coords.latitude.toFixed(6);
      place.longitude = pos.coords.longitude.toFixed(6);
      document.querySelectorAll("[data-place]").forEach((el) => { el.textContent = msg("located"); });
    }, () => {
      document.querySelectorAll("[data-place]").forEach((el) => { el.textContent = msg("noLocation"); });
    }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }

  function tabs() {
    document.querySelectorAll("[data-tab]").forEach((button) => button.addEventListener("click", () => {
      document.querySelectorAll("[data-tab]").forEach((b) => b.setAttribute("aria-selected", String(b === button)));
      document.querySelectorAll(".ga-panel").forEach((p) => { p.hidden = p.dataset.form !== button.dataset.tab; });
    }));
  }

  async function start() {
    showNet();
    tabs();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(() => {});
    }
    db = await openDb();
    await loadBootstrap();
    fillSelects();
    const forms = document.querySelectorAll("form[data-form]");
    for (const form of forms) {
      await restore(form);
      form.addEventListener("input", (e) => { if (e.target.type !== "file") remember(form); });
      form.addEventListener("change", (e) => {
        if (e.target.type === "file") { addPhotos(form, e.target.files); return; }
        if (e.target.name === "checklist") renderItems(form, {});
        remember(form);
      });
      form.addEventListener("submit", (e) => { e.preventDefault(); save(form); });
    }
    document.querySelector("[data-sync-now]").addEventListener("click", () => sync());
    document.querySelector("[data-patrol-start]").addEventListener("click", () => startTrack());
    document.querySelector("[data-patrol-end]").addEventListener("click", async () => {
      const form = patrolForm();
      await endTrack(form.dataset.uuid);
      await showTrack(form);
      checkWatch();
      changed();
    });
    window.addEventListener("online", () => { showNet(); sync(); });
    window.addEventListener("offline", showNet);
    if (channel) {
      channel.onmessage = async () => {
        renderOutbox();
        const form = patrolForm();
        const draft = await get("drafts", "patrol");
        if (!draft || draft.uuid !== form.dataset.uuid) await restore(form);  // saved in another tab
        await showTrack(form);
        checkWatch();
      };
    }
    checkWatch();
    setInterval(sync, 15000);
    locate();
    await renderOutbox();
    body.dataset.ready = "1";
    sync();
  }

  start();
})();
