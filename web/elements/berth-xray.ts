/**
 * `<berth-xray>`: what the engine holds, drawn for a learner and kept live.
 * The selected container's layer stack (image layers under its writable
 * layer, with what `docker diff` would list), its namespaces, and the images
 * and containers of this playground. Click a container to select it.
 */
import { css, html, LitElement, nothing } from "lit";

import { humanSize } from "../../src/cli/docker/format.ts";
import { pageEngine } from "../engine/client.ts";
import type { XrayContainer, XrayImage, XrayLayer, XraySnapshot } from "../engine/xray.ts";

const POLL_MS = 1500;
const CHANGES_SHOWN = 12;

export class BerthXray extends LitElement {
  static override properties = {
    playground: { type: Number },
    snapshot: { state: true },
    selected: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      font: 13px/1.4 system-ui, sans-serif;
      color: var(--berth-xray-text, #1f2937);
      background: var(--berth-xray-background, #f8fafc);
      border-radius: 8px;
      padding: 10px 12px;
      box-sizing: border-box;
    }
    @media (prefers-color-scheme: dark) {
      :host {
        color: var(--berth-xray-text, #e5e7eb);
        background: var(--berth-xray-background, #111827);
      }
    }
    h3 {
      font-size: 11px;
      letter-spacing: 0.08em;
      text-transform: uppercase;
      margin: 12px 0 6px;
      opacity: 0.7;
    }
    h3:first-child {
      margin-top: 0;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .containers button {
      all: unset;
      cursor: pointer;
      display: flex;
      gap: 8px;
      align-items: center;
      width: 100%;
      padding: 3px 6px;
      border-radius: 6px;
      box-sizing: border-box;
    }
    .containers button:hover,
    .containers button:focus-visible {
      background: rgba(56, 189, 248, 0.15);
    }
    .containers button[aria-pressed="true"] {
      background: rgba(56, 189, 248, 0.28);
    }
    .status {
      font-size: 11px;
      padding: 0 6px;
      border-radius: 999px;
      background: #9ca3af;
      color: white;
    }
    .status.running {
      background: #16a34a;
    }
    .status.exited {
      background: #6b7280;
    }
    .status.created {
      background: #2563eb;
    }
    code,
    .mono {
      font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace;
      font-size: 12px;
    }
    .stack {
      display: flex;
      flex-direction: column;
      gap: 3px;
    }
    .layer {
      border-radius: 5px;
      padding: 4px 8px;
      background: rgba(99, 102, 241, 0.16);
      border-left: 4px solid #6366f1;
      display: grid;
      grid-template-columns: 1fr auto;
      gap: 2px 8px;
    }
    .layer.writable {
      background: rgba(245, 158, 11, 0.16);
      border-left-color: #f59e0b;
    }
    .layer .by {
      grid-column: 1 / -1;
      opacity: 0.75;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .change-A {
      color: #16a34a;
    }
    .change-C {
      color: #d97706;
    }
    .change-D {
      color: #dc2626;
    }
    dl {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 2px 10px;
      margin: 0;
    }
    dt {
      opacity: 0.7;
    }
    dd {
      margin: 0;
    }
    table {
      border-collapse: collapse;
      width: 100%;
    }
    th {
      text-align: left;
      font-weight: 600;
      opacity: 0.7;
    }
    th,
    td {
      padding: 1px 8px 1px 0;
    }
    .dim {
      opacity: 0.65;
    }
    .empty {
      opacity: 0.65;
      font-style: italic;
    }
  `;

  declare playground: number | undefined;
  declare snapshot: XraySnapshot | undefined;
  declare selected: string | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #inFlight = false;

  /** Takes a fresh snapshot now (after a command ends, say). */
  async refresh(): Promise<void> {
    if (this.playground === undefined || this.#inFlight) return;
    this.#inFlight = true;
    try {
      this.snapshot = await pageEngine().xray(this.playground, this.selected);
    } finally {
      this.#inFlight = false;
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#timer = setInterval(() => {
      if (document.visibilityState === "visible") void this.refresh();
    }, POLL_MS);
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#timer);
  }

  protected override render() {
    const snapshot = this.snapshot;
    if (!snapshot) return html`<p class="empty">Reading the engine…</p>`;
    const selection = snapshot.selected;
    return html`
      <h3>Containers</h3>
      ${snapshot.containers.length === 0
        ? html`<p class="empty">No containers yet. Try <code>docker run -d --name web alpine sleep 1000</code>.</p>`
        : html`<ul class="containers">
            ${snapshot.containers.map((c) => this.#containerRow(c, c.id === selection?.container.id))}
          </ul>`}
      ${selection
        ? html`
            <h3>Layers of ${selection.container.name}</h3>
            <div class="stack" aria-label="layer stack, top first">
              <div class="layer writable">
                <strong>writable layer</strong><span>${selection.changes.length} change${selection.changes.length === 1 ? "" : "s"}</span>
                ${selection.changes.length
                  ? html`<div class="by mono">
                      ${selection.changes.slice(0, CHANGES_SHOWN).map((ch) => html`<div class="change-${ch.kind}">${ch.kind} ${ch.path}</div>`)}
                      ${selection.changes.length > CHANGES_SHOWN ? html`<div>… ${selection.changes.length - CHANGES_SHOWN} more</div>` : nothing}
                    </div>`
                  : html`<span class="by">nothing written yet (docker diff is empty)</span>`}
              </div>
              ${[...selection.layers].reverse().map((layer) => this.#layer(layer, "image layer"))}
            </div>
            <h3>Processes</h3>
            ${selection.processes.length
              ? html`<table class="mono" aria-label="container processes">
                  <thead>
                    <tr><th>PID</th><th>host PID</th><th>PPID</th><th>command</th></tr>
                  </thead>
                  <tbody>
                    ${selection.processes.map(
                      (p) => html`<tr><td>${p.pid}</td><td>${p.hostPid}</td><td>${p.ppid}</td><td>${p.command}</td></tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p class="empty">none: the container is not running</p>`}
            <h3>cgroup: limits and use</h3>
            <dl aria-label="cgroup">
              <dt>memory</dt>
              <dd class="mono">
                ${mebibytes(selection.cgroup.memoryUsed)} in use${selection.cgroup.memoryLimit ? `, at most ${mebibytes(selection.cgroup.memoryLimit)} per process` : ", no limit"}
              </dd>
              <dt>pids</dt>
              <dd class="mono">${selection.cgroup.pids}${selection.cgroup.pidsLimit ? ` of at most ${selection.cgroup.pidsLimit}` : ", no limit"}</dd>
              <dt>CPU time</dt>
              <dd class="mono">
                ${selection.cgroup.cpuTime === null
                  ? selection.container.status === "running" ? "not measurable in a browser tab" : "—"
                  : `${(selection.cgroup.cpuTime / 1e9).toFixed(2)} s`}${selection.cgroup.nanoCpus ? ` (--cpus ${selection.cgroup.nanoCpus / 1e9}: recorded, not enforced)` : ""}
              </dd>
            </dl>
            <h3>Namespaces</h3>
            <dl>
              <dt>hostname (UTS)</dt>
              <dd class="mono">${selection.container.hostname}</dd>
              <dt>PID 1</dt>
              <dd class="mono">${selection.container.command.join(" ")}</dd>
              <dt>mounts (MNT)</dt>
              <dd class="mono">
                / ← image layers + writable layer
                ${selection.container.mounts.map(
                  (m) => html`<br />${m.destination} ← ${m.type === "volume" ? `volume ${shortName(m.source)}` : `host ${m.source}`}${m.readOnly ? " (ro)" : ""}`,
                )}
              </dd>
              <dt>host PID</dt>
              <dd class="mono">${selection.container.pid || "—"}</dd>
              <dt>state</dt>
              <dd>${selection.container.status}${selection.container.status === "exited" ? ` (${selection.container.exitCode})` : ""}</dd>
            </dl>
          `
        : nothing}
      <h3>The host's view: every process on the kernel</h3>
      <table class="mono" aria-label="host processes">
        <thead>
          <tr><th>host PID</th><th>PPID</th><th>in</th><th>command</th></tr>
        </thead>
        <tbody>
          ${snapshot.hostProcesses.map(
            (p) => html`<tr>
              <td>${p.hostPid}</td>
              <td>${p.ppid}</td>
              <td>${p.container ? html`${p.container} <span class="dim">(PID ${p.namespacePid})</span>` : "host"}</td>
              <td>${p.command}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <h3>Images</h3>
      ${snapshot.images.length === 0
        ? html`<p class="empty">No images yet. <code>docker pull alpine</code> fetches one.</p>`
        : html`<ul>
            ${snapshot.images.map((image) => this.#imageRow(image))}
          </ul>`}
    `;
  }

  #containerRow(c: XrayContainer, pressed: boolean) {
    return html`<li>
      <button aria-pressed=${pressed ? "true" : "false"} @click=${() => this.#select(c.id)}>
        <span class="status ${c.status}">${c.status}</span>
        <span class="mono">${c.name}</span>
        <span>${c.image}</span>
      </button>
    </li>`;
  }

  #layer(layer: XrayLayer, label: string) {
    return html`<div class="layer">
      <span class="mono">${label} ${layer.diffId.slice(7, 19)}</span><span>${humanSize(layer.size)}</span>
      <span class="by mono" title=${layer.createdBy}>${layer.createdBy || "—"}</span>
    </div>`;
  }

  #imageRow(image: XrayImage) {
    const size = image.layers.reduce((sum, l) => sum + l.size, 0);
    return html`<li>
      <span class="mono">${image.names.join(", ")}</span> · ${image.layers.length} layer${image.layers.length === 1 ? "" : "s"} ·
      ${humanSize(size)} · <span class="mono">${image.id.slice(7, 19)}</span>
    </li>`;
  }

  #select(id: string): void {
    this.selected = id;
    void this.refresh();
  }
}

customElements.define("berth-xray", BerthXray);

declare global {
  interface HTMLElementTagNameMap {
    "berth-xray": BerthXray;
  }
}

/** Anonymous volumes have 64-hex names; show them as Docker shows IDs. */
function shortName(name: string): string {
  return /^[0-9a-f]{64}$/.test(name) ? name.slice(0, 12) : name;
}

/** Bytes as MiB with one decimal, as the page shows memory. */
function mebibytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
