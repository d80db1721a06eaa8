// Search page (search.html): runs Pagefind in the browser. Progressive enhancement only: without
// JavaScript the page keeps its plain message and links, so nothing here is needed to read.
// No inline script or style (the page's Content-Security-Policy forbids both): results are built
// with DOM calls, and the excerpt's HTML from Pagefind is reduced to text and <mark> elements.

const MAX_RESULTS = 20;

const form = document.getElementById("search-form");
if (form) {
  start(form);
}

function start(form) {
  const input = form.querySelector("input[type=search]");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const fallback = document.getElementById("search-fallback");
  // The bundle URL comes from SITEURL; Pagefind derives the results' base URL from where
  // pagefind.js was loaded, so a site under a sub-path gets sub-path result links.
  const bundle = new URL(form.dataset.searchBundle, document.baseURI);
  const loading = import(new URL("pagefind.js", bundle).href).then(async (pagefind) => {
    await pagefind.init();
    return pagefind;
  });
  form.hidden = false;
  fallback.hidden = true;

  const unavailable = (error) => {
    console.warn("Search index not loaded:", error);
    status.textContent = "Search is unavailable right now.";
    fallback.hidden = false;
    return null;
  };

  const run = async (query, debounce) => {
    const pagefind = await loading.catch(unavailable);
    if (!pagefind) return;
    query = query.trim();
    const url = new URL(location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    let search, shown;
    try {
      search = debounce ? await pagefind.debouncedSearch(query, {}, 250) : await pagefind.search(query);
      if (search === null) return; // a newer query replaced this one
      shown = await Promise.all(search.results.slice(0, MAX_RESULTS).map((result) => result.data()));
    } catch (error) {
      unavailable(error);
      return;
    }
    const found = search.results.length;
    if (input.value.trim() !== query) return; // typed on while the results loaded
    list.replaceChildren(...shown.map(resultItem));
    status.textContent = describe(found, shown.length, query);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(input.value, false);
  });
  input.addEventListener("input", () => run(input.value, true));

  const initial = new URL(location.href).searchParams.get("q");
  if (initial) {
    input.value = initial;
    run(initial, false);
  }
}

function describe(found, shown, query) {
  if (found === 0) return `No stories found for “${query}”.`;
  const stories = found === 1 ? "1 story" : `${found} stories`;
  return shown < found ? `${stories} found for “${query}”; the first ${shown} are shown.` : `${stories} found for “${query}”.`;
}

function resultItem(data) {
  const item = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  excerpt.append(...excerptNodes(data.excerpt));
  item.append(heading, excerpt);
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
