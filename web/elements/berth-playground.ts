/**
 * `<berth-playground>`: a host shell on the page's WebAssembly kernel, with the
 * X-ray view beside it. The element documentation pages embed:
 *
 *   <script type="module" src="…/berth.js"></script>
 *   <berth-playground image="alpine" script="docker run --rm alpine uname -a"></berth-playground>
 *
 * Attributes: `image` (pulled before the prompt), `script` (commands run on
 * start, one per line, typed into the terminal), `height`, `theme`
 * (auto | light | dark), `xray` (show the X-ray view), `screen-reader` (xterm's
 * screen-reader mode: output is also kept as text for assistive technology).
 *
 * For demos and tests: `ready` (a promise), `run(command)` → `{output,
 * exitCode}`, `type(text)`, `waitForText(text)`; events `berth-ready` and
 * `berth-command-exit`.
 */
import { proxy } from "comlink";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";

import { onEngineStopped, pageEngine, pageProblem } from "../engine/client.ts";
import type { CommandEndDetail, TerminalTheme } from "./berth-terminal.ts";
import "./berth-terminal.ts";
import "./berth-xray.ts";

export interface CommandResult {
  readonly output: string;
  readonly exitCode: number;
}

/** A Docker Engine API response, its body as text (JSON for most routes). */
export interface EngineApiResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

type Phase = "booting" | "ready" | "exited" | "stopped" | "failed";

export class BerthPlayground extends LitElement {
  static override properties = {
    image: { type: String },
    script: { type: String },
    height: { type: String },
    theme: { type: String },
    xray: { type: Boolean, reflect: true },
    screenReader: { type: Boolean, attribute: "screen-reader", reflect: true },
    phase: { state: true },
    problem: { state: true },
    session: { state: true },
    playground: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      font-family: system-ui, sans-serif;
      color: var(--berth-text, inherit);
    }
    .frame {
      display: flex;
      gap: 12px;
      height: var(--berth-height, 420px);
    }
    berth-terminal {
      flex: 1 1 60%;
      min-width: 0;
    }
    berth-xray {
      flex: 1 1 40%;
      min-width: 0;
      overflow: auto;
    }
    @media (max-width: 760px) {
      .frame {
        flex-direction: column;
        height: auto;
      }
      berth-terminal {
        height: var(--berth-height, 420px);
      }
    }
    .status {
      font-size: 0.85rem;
      margin: 0 0 6px;
      min-height: 1.2em;
      opacity: 0.8;
    }
    .problem {
      padding: 12px 14px;
      border-radius: 8px;
      background: #fef2f2;
      color: #7f1d1d;
      border: 1px solid #fecaca;
    }
    button {
      font: inherit;
      margin-left: 8px;
    }
  `;

  declare image: string;
  declare script: string;
  declare height: string;
  declare theme: TerminalTheme;
  declare xray: boolean;
  declare screenReader: boolean;
  declare phase: Phase;
  declare problem: string;
  declare session: number | undefined;
  declare playground: number | undefined;

  /** Resolves once the first prompt is on the screen. */
  readonly ready: Promise<void>;
  #resolveReady!: () => void;
  #rejectReady!: (error: Error) => void;
  /** Commands wait their turn: one runs at a time, each after a prompt. */
  #queue: Promise<unknown> = Promise.resolve();
  #atPrompt = false;
  #promptWaiters: (() => void)[] = [];
  #commandWaiters: ((detail: CommandEndDetail) => void)[] = [];
  #textWaiters = new Set<() => void>();

  constructor() {
    super();
    this.image = "";
    this.script = "";
    this.height = "";
    this.theme = "auto";
    this.xray = false;
    this.screenReader = false;
    this.phase = "booting";
    this.problem = "";
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // A page that never awaits `ready` should not see an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** Types a command and Enter into the terminal and waits for it to finish. */
  run(command: string): Promise<CommandResult> {
    const turn = this.#queue.then(async () => {
      await this.ready;
      await this.#prompt();
      const done = new Promise<CommandEndDetail>((resolve) => this.#commandWaiters.push(resolve));
      this.#atPrompt = false;
      await this.#send(`${command}\r`);
      const { output, exitCode } = await done;
      return { output, exitCode };
    });
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * A request to this playground's Docker Engine API: the routes `berth
   * daemon` serves, on the engine the terminal's `docker` uses (so a demo can
   * `engineRequest("POST", "/containers/create?name=web", {Image: "alpine"})`
   * and see it in `docker ps`). `body` goes as JSON. A stream is read to its
   * end: ask for one reading (`stream=0`, no `follow`).
   */
  async engineRequest(method: string, url: string, body?: unknown): Promise<EngineApiResult> {
    await this.ready;
    const json = body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(body));
    const response = await pageEngine().engineRequest(this.playground!, { method, url, body: json });
    return { status: response.status, headers: response.headers, text: new TextDecoder().decode(response.body) };
  }

  /** Sends text as keystrokes (control characters included, e.g. "\x03" for Ctrl-C). */
  async type(text: string): Promise<void> {
    await this.ready;
    await this.#send(text);
  }

  /** Resolves when `text` appears anywhere in the terminal (scrollback included). */
  waitForText(text: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!this.#terminal?.text().includes(text)) return;
        this.#textWaiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#textWaiters.delete(check);
        reject(new Error(`waitForText: "${text}" did not appear within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#textWaiters.add(check);
      check();
    });
  }

  #unsubscribe: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#unsubscribe = onEngineStopped((reason) => this.#engineStopped(reason));
    void this.#start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("height")) this.style.setProperty("--berth-height", this.height || null);
  }

  protected override render() {
    if (this.phase === "failed") {
      return html`<div class="problem" role="alert">${this.problem}</div>`;
    }
    return html`
      <p class="status" aria-live="polite">
        ${this.phase === "booting" ? "Starting the WebAssembly kernel…" : nothing}
        ${this.phase === "exited"
          ? html`The shell has exited.<button @click=${() => this.#openShell()}>Start a new shell</button>`
          : nothing}
        ${this.phase === "stopped"
          ? html`<span role="alert">The kernel stopped: ${this.problem}</span><button @click=${() => this.#restart()}>Restart</button>`
          : nothing}
      </p>
      <div class="frame">
        <berth-terminal
          .theme=${this.theme}
          .screenReader=${this.screenReader}
          @terminal-input=${(e: CustomEvent<string>) => void this.#send(e.detail)}
          @terminal-resize=${(e: CustomEvent<{ columns: number; rows: number }>) => this.#resized(e.detail)}
          @terminal-prompt=${() => this.#prompted()}
          @terminal-command-start=${() => (this.#atPrompt = false)}
          @terminal-command-end=${(e: CustomEvent<CommandEndDetail>) => this.#commandEnded(e.detail)}
        ></berth-terminal>
        ${this.#showsXray
          ? html`<berth-xray .playground=${this.playground}></berth-xray>`
          : nothing}
      </div>
    `;
  }

  /**
   * The X-ray shows once the host's prompt is up (its snapshots slowed the
   * shell's start) and while the kernel runs (polling a stopped one would
   * start a new Worker before anyone asked for one).
   */
  get #showsXray(): boolean {
    return this.xray && this.playground !== undefined && (this.phase === "ready" || this.phase === "exited");
  }

  get #terminal() {
    return this.renderRoot.querySelector("berth-terminal");
  }

  async #start(): Promise<void> {
    const problem = pageProblem();
    if (problem) return this.#fail(problem);
    try {
      const engine = pageEngine();
      this.playground = await engine.createPlayground();
      if (this.image) await engine.pull(this.playground, this.image);
      await this.updateComplete;
      await this.#openShell();
      await this.#prompt();
      this.#resolveReady();
      this.dispatchEvent(new CustomEvent("berth-ready", { bubbles: true, composed: true }));
      for (const line of this.script.split("\n").map((l) => l.trim()).filter(Boolean)) await this.run(line);
    } catch (error) {
      this.#fail(`The playground could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The Worker died: nothing typed can reach a guest any more. */
  #engineStopped(reason: string): void {
    this.problem = reason;
    this.phase = "stopped";
    this.session = undefined;
    this.#atPrompt = false;
  }

  /** A fresh kernel and host (the old containers are gone with the old Worker). */
  #restart(): void {
    this.phase = "booting";
    this.problem = "";
    this.playground = undefined;
    void this.#start();
  }

  #fail(problem: string): void {
    this.problem = problem;
    this.phase = "failed";
    this.#rejectReady(new Error(problem));
  }

  async #openShell(): Promise<void> {
    const terminal = this.#terminal;
    if (!terminal || this.playground === undefined) return;
    const engine = pageEngine();
    this.phase = this.phase === "exited" ? "ready" : this.phase;
    const size = terminal.size;
    this.session = await engine.openShell(
      this.playground,
      size,
      proxy((data: Uint8Array) => terminal.write(data).then(() => this.#textChanged())),
      proxy(() => {
        this.session = undefined;
        this.#atPrompt = false;
        this.phase = "exited";
      }),
    );
    // The terminal may have been fitted to its box while the shell started.
    if (terminal.size.columns !== size.columns || terminal.size.rows !== size.rows) this.#resized(terminal.size);
    terminal.focus();
  }

  #send(data: string): Promise<void> {
    if (this.session === undefined) return Promise.resolve();
    return pageEngine().write(this.session, data);
  }

  #resized(size: { columns: number; rows: number }): void {
    if (this.session !== undefined) void pageEngine().resize(this.session, size);
  }

  #prompted(): void {
    if (this.phase === "booting") this.phase = "ready";
    this.#atPrompt = true;
    for (const waiter of this.#promptWaiters.splice(0)) waiter();
  }

  #prompt(): Promise<void> {
    if (this.#atPrompt) return Promise.resolve();
    return new Promise((resolve) => this.#promptWaiters.push(resolve));
  }

  /** Every command's end, typed by a person or by `run()`. */
  #commandEnded(detail: CommandEndDetail): void {
    this.#commandWaiters.shift()?.(detail);
    this.dispatchEvent(new CustomEvent("berth-command-exit", { detail, bubbles: true, composed: true }));
    this.renderRoot.querySelector("berth-xray")?.refresh();
  }

  #textChanged(): void {
    for (const check of [...this.#textWaiters]) check();
  }
}

customElements.define("berth-playground", BerthPlayground);

declare global {
  interface HTMLElementTagNameMap {
    "berth-playground": BerthPlayground;
  }
}
