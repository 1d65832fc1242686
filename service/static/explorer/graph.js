// Draws dependency paths as a left-to-right graph (country → mine → refinery → … → product) in SVG.
// dagre (vendored) computes the layers and positions; the drawing is plain SVG so every node is a
// focusable link with a label, readable by screen readers and testable like any other element.
import { el, percent, tail } from "./api.js";

const SVG = "http://www.w3.org/2000/svg";

/** The kind a node is drawn as: its colour key and the name the legend gives it. */
export function kindOf(entity) {
  switch (entity.__typename) {
    case "Country":
      return { key: "country", name: "Country" };
    case "Firm":
      return { key: "firm", name: "Firm" };
    case "Facility": {
      // Facility types are a code list (ft:mine, ft:separation-plant, ft:metal-plant, …): grouped by stage.
      const type = tail(entity.facilityType)
        .toLowerCase()
        .replace(/-(plant|fab)$/, "");
      if (type === "mine") return { key: "mine", name: "Mine" };
      if (["refinery", "separation", "polysilicon"].includes(type)) return { key: "refinery", name: "Refinery" };
      if (["metal", "alloy"].includes(type)) return { key: "metal", name: "Metal/alloy maker" };
      if (type === "assembly") return { key: "assembly", name: "Assembly plant" };
      return { key: "maker", name: "Component maker" };
    }
    case "Material":
      return { key: "material", name: "Material" };
    case "Product":
      return entity.stage === "ASSEMBLY"
        ? { key: "product", name: "End product" }
        : { key: "component", name: "Component" };
    default:
      return { key: "other", name: entity.__typename || "Entity" };
  }
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) node.append(child);
  return node;
}

function wrap(text, width = 20, maxLines = 3) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && (line + " " + word).length > width) {
      lines.push(line);
      line = word;
    } else line = line ? line + " " + word : word;
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    lines.length = maxLines;
    lines[maxLines - 1] = lines[maxLines - 1].slice(0, width - 1) + "…";
  }
  return lines;
}

/** The label of the link from ``step`` to the one before it: its kind, then its share and supplied item. */
export function edgeLabel(step) {
  const share = step.share !== null && step.share !== undefined ? percent(step.share) : "";
  const detail = [share, step.item ? step.item.label : ""].filter(Boolean).join(" · ");
  return [step.via || "", detail].filter(Boolean);
}

/** The point halfway along a polyline (where a link's label goes). */
function midpoint(points) {
  const lengths = points.slice(1).map((p, n) => Math.hypot(p.x - points[n].x, p.y - points[n].y));
  let left = lengths.reduce((a, b) => a + b, 0) / 2;
  for (let n = 0; n < lengths.length; n++) {
    if (left <= lengths[n] && lengths[n] > 0) {
      const t = left / lengths[n];
      return {
        x: points[n].x + t * (points[n + 1].x - points[n].x),
        y: points[n].y + t * (points[n + 1].y - points[n].y),
      };
    }
    left -= lengths[n];
  }
  return points[points.length - 1];
}

/**
 * Merges ``paths`` (each a list of steps from a product down to a country) into one graph and draws it.
 * ``controls`` maps an item IRI to the export controls in force that cover it; such nodes and links are
 * marked, and activating the mark calls ``onControls(item, controls)``. Activating a node calls ``onOpen(entity)``.
 */
export function drawPaths(paths, { controls = new Map(), onOpen, onControls }) {
  const g = new dagre.graphlib.Graph();
  // Labels are not laid out as dagre nodes (that doubles the columns): the gap between ranks holds them.
  g.setGraph({ rankdir: "LR", nodesep: 34, ranksep: 120, edgesep: 16, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const entities = new Map();
  for (const path of paths) {
    const steps = path.steps;
    for (const step of steps) {
      if (entities.has(step.entity.id)) continue;
      entities.set(step.entity.id, step.entity);
      const lines = wrap(step.entity.label);
      const width = Math.max(...lines.map((l) => l.length), 12) * 7 + 18;
      g.setNode(step.entity.id, { width, height: lines.length * 15 + 26, lines, entity: step.entity });
    }
    // Downstream is to the right: the link runs from step i (the supplier) to step i-1 (who relies on it).
    for (let i = steps.length - 1; i > 0; i--) {
      const from = steps[i].entity.id,
        to = steps[i - 1].entity.id;
      if (g.hasEdge(from, to)) continue;
      g.setEdge(from, to, { label: edgeLabel(steps[i]), step: steps[i] });
    }
  }
  dagre.layout(g);
  const { width, height } = g.graph();
  const root = svg("svg", {
    class: "paths",
    width: Math.ceil(width),
    height: Math.ceil(height),
    viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
    // Shrinks to fit a wide screen, but never below 60% (then the frame scrolls), so labels stay readable.
    style: `min-width: ${Math.ceil(width * 0.6)}px`,
    role: "group",
    "aria-label": "Dependency paths, suppliers on the left, dependent products on the right",
  });
  root.append(
    svg(
      "defs",
      {},
      svg(
        "marker",
        {
          id: "arrow",
          viewBox: "0 0 10 10",
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: "auto-start-reverse",
        },
        svg("path", { d: "M0 0 10 5 0 10z", class: "arrowhead" }),
      ),
    ),
  );

  for (const e of g.edges()) {
    const edge = g.edge(e);
    const points = edge.points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`);
    const item = edge.step.item;
    const covered = item && controls.get(item.id)?.length;
    const group = svg("g", { class: "edge" + (covered ? " controlled" : ""), "data-from": e.v, "data-to": e.w });
    group.append(svg("polyline", { points: points.join(" "), "marker-end": "url(#arrow)" }));
    if (edge.label.length) {
      const lines = edge.label.map((line) => (line.length > 19 ? line.slice(0, 18) + "…" : line));
      if (covered) lines[0] = "⚠ " + lines[0];
      const mid = midpoint(edge.points);
      const width = Math.max(...lines.map((l) => l.length)) * 6 + 8,
        height = lines.length * 13 + 3;
      const back = svg("rect", {
        x: mid.x - width / 2,
        y: mid.y - height / 2,
        width,
        height,
        rx: 3,
        class: "edge-label",
      });
      const text = svg("text", { x: mid.x, y: mid.y - height / 2 + 11, "text-anchor": "middle" });
      lines.forEach((line, n) => {
        const span = svg("tspan", { x: mid.x, dy: n ? 13 : 0 });
        span.textContent = line;
        text.append(span);
      });
      const title = svg("title");
      title.textContent = edge.label.join(" · ");
      group.append(back, text, title);
      if (covered) markable(text, item, controls.get(item.id), onControls);
    }
    root.append(group);
  }

  for (const id of g.nodes()) {
    const node = g.node(id);
    const entity = node.entity;
    const kind = kindOf(entity);
    const covered = controls.get(id)?.length;
    const x = node.x - node.width / 2,
      y = node.y - node.height / 2;
    const group = svg("g", {
      class: `node kind-${kind.key}` + (covered ? " controlled" : ""),
      tabindex: 0,
      role: "link",
      "data-id": id,
      "data-kind": kind.key,
      "aria-label": `${kind.name}: ${entity.label}` + (covered ? " (export control in force)" : ""),
    });
    group.append(svg("rect", { x, y, width: node.width, height: node.height, rx: 6 }));
    const caption = svg("text", { x: x + 8, y: y + 13, class: "caption" });
    caption.textContent = kind.name;
    group.append(caption);
    node.lines.forEach((line, n) => {
      const text = svg("text", { x: x + 8, y: y + 29 + n * 15, class: "name" });
      text.textContent = line;
      group.append(text);
    });
    const title = svg("title");
    title.textContent = entity.label;
    group.append(title);
    const open = () => onOpen(entity);
    group.addEventListener("click", open);
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        open();
      }
    });
    root.append(group);
    if (covered) {
      const badge = svg("text", { x: x + node.width - 16, y: y + 14, class: "badge" });
      badge.textContent = "⚠";
      root.append(badge);
      markable(badge, entity, controls.get(id), onControls);
    }
  }
  return el("div", { class: "graph-scroll" }, root);
}

function markable(target, item, list, onControls) {
  target.classList.add("control-mark");
  target.setAttribute("tabindex", "0");
  target.setAttribute("role", "button");
  target.setAttribute("aria-label", `Export controls in force on ${item.label}`);
  const show = (event) => {
    event.stopPropagation();
    onControls(item, list);
  };
  target.addEventListener("click", show);
  target.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      show(event);
    }
  });
}

/** The legend of the kinds present in a drawn graph. */
export function legend(paths) {
  const seen = new Map();
  for (const path of paths)
    for (const step of path.steps) {
      const kind = kindOf(step.entity);
      seen.set(kind.key, kind.name);
    }
  return el(
    "ul",
    { class: "legend", "aria-label": "Node colours" },
    [...seen].map(([key, name]) =>
      el("li", {}, el("span", { class: `swatch kind-${key}`, "aria-hidden": "true" }), name),
    ),
    el(
      "li",
      {},
      el("span", { class: "swatch controlled", "aria-hidden": "true" }, "⚠"),
      "export control in force today",
    ),
  );
}
