// Search page (search.html): runs Pagefind in the browser. Progressive enhancement only: without
// JavaScript the page keeps its plain message and links, so nothing here is needed to read.
// No inline script or style (the page's Content-Security-Policy forbids both): results are built
// with DOM calls, and the excerpt's HTML from Pagefind is reduced to text and <mark> elements.
//
// The state of a search (query, filters, order) lives in the address: ?q=...&topic=...&sort=...
// A change made with the controls adds a history entry (Back returns to the previous search),
// typing replaces the current one, and opening or reloading an address restores its search; the
// topic and source pages link here pre-filtered (?topic=Name, ?source=Name).
//
// Each story's entry in the index has Pagefind filters (topic, source, year, kind), a sort key
// (published, in seconds) and meta (source, date, datetime, summary): see
// plugins/topicfeed/site_search/documents.py.

const PAGE_SIZE = 20;
const FILTERS = ["topic", "source", "year", "kind"];
const NEWEST_FIRST = { published: "desc" };
const DEBOUNCE_MS = 250;

const form = document.getElementById("search-form");
if (form) {
  start(form);
}

function readState(href) {
  const params = new URL(href).searchParams;
  const state = { q: (params.get("q") || "").trim(), sort: params.get("sort") === "relevance" ? "relevance" : "" };
  for (const name of FILTERS) state[name] = params.get(name) || "";
  return state;
}

function stateUrl(state) {
  const url = new URL(location.href);
  url.search = "";
  for (const name of ["q", ...FILTERS, "sort"]) {
    if (state[name]) url.searchParams.set(name, state[name]);
  }
  return url;
}

function filtersOf(state, except) {
  const filters = {};
  for (const name of FILTERS) {
    if (state[name] && name !== except) filters[name] = state[name];
  }
  return filters;
}

function start(form) {
  const input = form.querySelector("input[type=search]");
  const sortSelect = form.querySelector("#search-sort");
  const selects = Object.fromEntries(FILTERS.map((name) => [name, form.querySelector(`select[data-filter=${name}]`)]));
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const more = document.getElementById("search-more");
  const fallback = document.getElementById("search-fallback");
  // The index is split into bundles by runs of months (site_search/shards.py), listed newest
  // first in shards.json. One copy of Pagefind's script runs one instance per bundle; they share
  // its web worker. The bundle URL comes from SITEURL, and Pagefind derives the results' base URL
  // from each bundle's path, so a site under a sub-path gets sub-path result links.
  const root = new URL(form.dataset.searchBundle, document.baseURI);
  const opening = openIndex(root);
  form.hidden = false;
  fallback.hidden = true;

  let generation = 0; // a newer search makes the results of an older one stale
  let pending = []; // results found and not shown yet ("Show more")
  let pendingQuery = ""; // the words they were found for
  let wanted = 0; // how many results the reader wants on the page (grows with "Show more")
  let filling = Promise.resolve(); // one fill at a time, so results keep their order

  const unavailable = (error) => {
    console.warn("Search index not loaded:", error);
    status.textContent = "Search is unavailable right now.";
    fallback.hidden = false;
    fallback.classList.add("failed"); // site.css hides the message while scripting is on
    return null;
  };

  const controlsState = () => {
    const state = { q: input.value.trim(), sort: sortSelect.value };
    for (const name of FILTERS) state[name] = selects[name].value;
    return state;
  };

  const showState = (state) => {
    input.value = state.q;
    sortSelect.value = state.sort;
    for (const name of FILTERS) {
      ensureOption(selects[name], state[name]);
      selects[name].value = state[name];
    }
  };

  const showCounts = (counts) => {
    for (const name of FILTERS) fillOptions(selects[name], counts[name] || {});
  };

  // Shows found results until `wanted` are on the page. Results arrive bundle by bundle and the
  // reader may ask for more meanwhile: fills run one after another, each taking from `pending`.
  const fill = (run, query) => {
    const task = async () => {
      while (run === generation && list.children.length < wanted && pending.length > 0) {
        const batch = pending.splice(0, wanted - list.children.length);
        const shown = await Promise.all(batch.map((result) => result.data()));
        if (run !== generation) return;
        list.append(...shown.map((data) => resultItem(data, query)));
      }
      if (run === generation) more.hidden = pending.length === 0;
    };
    filling = filling.then(task).catch(unavailable);
    return filling;
  };

  const run = async (state, { debounce = false } = {}) => {
    const current = ++generation;
    const index = await opening.catch(unavailable);
    if (!index || current !== generation) return;
    const filters = filtersOf(state);
    try {
      if (!state.q && Object.keys(filters).length === 0) {
        list.replaceChildren();
        pending = [];
        more.hidden = true;
        status.textContent = "";
        const totals = await index.totals();
        if (current === generation) showCounts(totals);
        return;
      }
      if (debounce) {
        await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS));
        if (current !== generation) return; // the reader typed on
      }
      // Newest first unless the reader asked for the best match (which needs words to match).
      const options = { filters, sort: state.sort === "relevance" && state.q ? undefined : NEWEST_FIRST };
      // Newest first, each bundle's results follow the previous bundle's: the first page shows
      // as soon as the newest bundles have answered. Best match waits for every bundle's scores.
      let started = false;
      const show = (results) => {
        if (current !== generation) return;
        if (!started) {
          started = true;
          list.replaceChildren();
          pending = [];
          pendingQuery = state.q;
          wanted = PAGE_SIZE;
        }
        pending.push(...results);
        fill(current, state.q);
      };
      // Filter counts come with results only from bundles whose filters are loaded: loading them
      // waits until the first page is shown, and the search then runs again for its counts.
      const counted = index.counted();
      let search = await searchAll(index, state.q || null, options, options.sort ? show : null);
      if (current !== generation) return; // a newer search replaced this one
      if (!options.sort) show(search.results);
      await fill(current, state.q);
      if (current !== generation) return;
      if (!counted) {
        await index.totals();
        search = await searchAll(index, state.q || null, options);
        if (current !== generation) return;
      }
      // Counts per value: for a filter in use, the results if that value replaced it.
      const counts = { ...search.filters };
      await Promise.all(
        FILTERS.filter((name) => state[name]).map(async (name) => {
          const other = await searchAll(index, state.q || null, { filters: filtersOf(state, name) });
          counts[name] = other.filters[name];
        })
      );
      if (current !== generation) return;
      showCounts(counts);
      status.textContent = describe(search.results.length, state);
    } catch (error) {
      unavailable(error);
    }
  };

  const change = (push) => {
    const state = controlsState();
    const url = stateUrl(state);
    if (url.href !== location.href) {
      if (push) history.pushState(null, "", url);
      else history.replaceState(null, "", url);
    }
    return state;
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(change(true));
  });
  input.addEventListener("input", () => run(change(false), { debounce: Boolean(input.value.trim()) }));
  for (const select of [sortSelect, ...Object.values(selects)]) {
    select.addEventListener("change", () => run(change(true)));
  }
  more.addEventListener("click", () => {
    wanted += PAGE_SIZE;
    fill(generation, pendingQuery);
  });
  window.addEventListener("popstate", () => {
    const state = readState(location.href);
    showState(state);
    run(state);
  });

  const initial = readState(location.href);
  showState(initial);
  run(initial);
}

// The search index: `bundle(i)` is the i-th bundle's Pagefind instance (0 the newest), started
// when first asked for, so a search reads the newest bundle before the others are loaded;
// `totals()` loads every bundle's filters and adds up their counts (those of the whole index),
// after which every search also returns counts (`counted()`). Loading filters is left out of
// `bundle(i)` because it costs as much as a search, before the first results could show.
async function openIndex(root) {
  const response = await fetch(new URL("shards.json", root));
  if (!response.ok) throw new Error(`shards.json: HTTP ${response.status}`);
  const listing = await response.json();
  if (!listing.shards || listing.shards.length === 0) throw new Error("shards.json lists no bundle");
  const paths = listing.shards.map((shard) => new URL(shard.path, root).href);
  const pagefind = await import(new URL("pagefind.js", paths[0]).href);
  const started = [];
  const filtered = [];
  let complete = false;
  const bundle = (i) =>
    (started[i] ||= oneAtATime(async () => {
      const instance = pagefind.createInstance({ basePath: paths[i] });
      await instance.init();
      return instance;
    }));
  const countsOf = (i) => (filtered[i] ||= bundle(i).then((instance) => oneAtATime(() => instance.filters())));
  const totals = async () => {
    const counts = [];
    for (let i = 0; i < paths.length; i++) counts.push(await countsOf(i));
    complete = true;
    return mergeCounts(counts);
  };
  bundle(0).catch(() => {}); // start now; a search that needs it reports a failure
  return { size: paths.length, bundle, totals, counted: () => complete };
}

// One search over every bundle, newest bundle first; `each` sees each bundle's results as they
// come. Bundles hold disjoint runs of months, so newest-first results of each, one bundle after
// the other, are newest first overall; best-match order compares Pagefind's scores across
// bundles (as its own mergeIndex does).
async function searchAll(index, term, options, each = null) {
  const found = [];
  for (let i = 0; i < index.size; i++) {
    const bundle = await index.bundle(i);
    const search = await oneAtATime(() => bundle.search(term, options));
    found.push(search);
    if (each) each(search.results);
  }
  return merged(found, options);
}

// Everything that reaches Pagefind's worker (starting a bundle, searching one) runs one step at a
// time, in the order asked: Pagefind 1.5's shared worker fails ("unreachable", "memory access out
// of bounds") when several instances load at once.
let queue = Promise.resolve();
function oneAtATime(task) {
  const next = queue.then(task, task);
  queue = next.catch(() => {});
  return next;
}

function merged(found, options) {
  const results = found.flatMap((search) => search.results);
  if (!options.sort) results.sort((a, b) => b.score - a.score);
  return { results, filters: mergeCounts(found.map((search) => search.filters)) };
}

// {filter: {value: count}} of several bundles, added up.
function mergeCounts(parts) {
  const merged = {};
  for (const part of parts) {
    for (const [name, values] of Object.entries(part || {})) {
      merged[name] = merged[name] || {};
      for (const [value, count] of Object.entries(values)) {
        merged[name][value] = (merged[name][value] || 0) + count;
      }
    }
  }
  return merged;
}

// A <select> of filter values: keeps its first option ("All ..."), then every value with its
// count, the reader's choice kept even when no story has it any more.
function fillOptions(select, counts) {
  const chosen = select.value;
  const values = Object.keys(counts);
  if (chosen && !values.includes(chosen)) values.push(chosen);
  const numeric = values.every((v) => /^\d+$/.test(v));
  values.sort(numeric ? (a, b) => Number(b) - Number(a) : (a, b) => a.localeCompare(b));
  const options = values.map((value) => {
    const option = document.createElement("option");
    option.value = value;
    const count = counts[value] || 0;
    option.textContent = `${value} (${count})`;
    return option;
  });
  select.replaceChildren(select.options[0], ...options);
  select.value = chosen;
}

function ensureOption(select, value) {
  if (!value || [...select.options].some((option) => option.value === value)) return;
  const option = document.createElement("option");
  option.value = value;
  option.textContent = value;
  select.append(option);
}

function describe(found, state) {
  const stories = found === 1 ? "1 story" : `${found} stories`;
  const parts = [];
  if (state.q) parts.push(`for “${state.q}”`);
  const narrowed = FILTERS.filter((name) => state[name]).map((name) => state[name]);
  if (narrowed.length) parts.push(`in ${narrowed.join(", ")}`);
  const order = state.sort === "relevance" && state.q ? "best match first" : "newest first";
  if (found === 0) return `No stories found ${parts.join(" ")}.`;
  const shown = found > PAGE_SIZE ? ` The first ${PAGE_SIZE} are shown.` : "";
  return `${stories} found ${parts.join(" ")}, ${order}.${shown}`;
}

function resultItem(data, query) {
  const item = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "meta";
  const kind = (data.filters && data.filters.kind) || [];
  if (kind.includes("Video")) {
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = "Video";
    meta.append(badge, " ");
  }
  if (data.meta.source) {
    const source = document.createElement("span");
    source.className = "provider";
    source.textContent = data.meta.source;
    meta.append(source, " · ");
  }
  if (data.meta.date) {
    const time = document.createElement("time");
    if (data.meta.datetime) time.dateTime = data.meta.datetime;
    time.textContent = data.meta.date;
    meta.append(time);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  // With words, Pagefind's excerpt shows them in context; without (filters only), the story's own.
  if (query) excerpt.append(...excerptNodes(data.excerpt));
  else excerpt.textContent = data.meta.summary || "";
  item.append(heading, meta, excerpt);
  return item;
}

// Pagefind's excerpt is escaped page text with <mark> around the matches. It is parsed in an
// inert document (nothing in it runs or loads) and rebuilt from text nodes and <mark> only.
function excerptNodes(html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  return [...parsed.body.childNodes].map((node) => {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      return mark;
    }
    return document.createTextNode(node.textContent);
  });
}
