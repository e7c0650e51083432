/**
 * `<berth-terminal>`: an xterm.js terminal that fits its box, opens links,
 * copies and pastes, follows the page's light or dark scheme and can switch to
 * xterm's screen-reader mode. It knows nothing of the engine: keystrokes leave
 * as `terminal-input` events, output comes in through `write()`.
 *
 * It also reads the shell's OSC 133 marks (see wasm/sh): `terminal-prompt` when
 * a prompt is up and waiting for input, `terminal-command-start` when a line
 * was entered, `terminal-command-end` with the exit status and the text the
 * command printed, as it stands on the screen.
 */
import { FitAddon } from "@xterm/addon-fit";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { Terminal, type ITheme } from "@xterm/xterm";
import xtermCss from "@xterm/xterm/css/xterm.css";
import { css, html, LitElement, unsafeCSS, type PropertyValues } from "lit";

export type TerminalTheme = "auto" | "light" | "dark";

const THEMES: Record<"light" | "dark", ITheme> = {
  dark: {
    background: "#0f1720",
    foreground: "#d8dee9",
    cursor: "#7dd3fc",
    selectionBackground: "#34506b",
    black: "#1f2937",
    blue: "#60a5fa",
    cyan: "#22d3ee",
    green: "#4ade80",
    magenta: "#e879f9",
    red: "#f87171",
    white: "#e5e7eb",
    yellow: "#facc15",
  },
  light: {
    background: "#fbfbfd",
    foreground: "#1f2937",
    cursor: "#0369a1",
    selectionBackground: "#bfdbfe",
    black: "#111827",
    blue: "#1d4ed8",
    cyan: "#0e7490",
    green: "#15803d",
    magenta: "#a21caf",
    red: "#b91c1c",
    white: "#6b7280",
    yellow: "#a16207",
  },
};

/** A place on the screen: an absolute buffer line and a column. */
interface ScreenMark {
  readonly line: number;
  readonly column: number;
}

export interface CommandEndDetail {
  /** The command line as typed after the prompt. */
  readonly command: string;
  readonly exitCode: number;
  readonly output: string;
}

export class BerthTerminal extends LitElement {
  static override properties = {
    theme: { type: String, reflect: true },
    screenReader: { type: Boolean, attribute: "screen-reader", reflect: true },
  };

  static override styles = [
    unsafeCSS(xtermCss),
    css`
      :host {
        display: block;
        position: relative;
        min-height: 8rem;
        border-radius: 8px;
        overflow: hidden;
        background: var(--berth-terminal-background, #0f1720);
      }
      :host([data-scheme="light"]) {
        background: var(--berth-terminal-background-light, #fbfbfd);
      }
      .screen {
        position: absolute;
        inset: 8px 4px 4px 10px;
      }
    `,
  ];

  declare theme: TerminalTheme;
  declare screenReader: boolean;

  readonly #terminal = new Terminal({
    allowProposedApi: true,
    cursorBlink: true,
    fontFamily: 'ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
    fontSize: 14,
    scrollback: 5000,
  });
  readonly #fit = new FitAddon();
  readonly #scheme = matchMedia("(prefers-color-scheme: dark)");
  #resizeObserver?: ResizeObserver;
  #promptEnd: ScreenMark | undefined;
  #command: { readonly text: string; readonly output: ScreenMark } | undefined;

  constructor() {
    super();
    this.theme = "auto";
    this.screenReader = false;
    this.#terminal.loadAddon(this.#fit);
    this.#terminal.loadAddon(new WebLinksAddon());
    this.#terminal.onData((data) => this.#emit("terminal-input", data));
    this.#terminal.onResize(({ cols, rows }) => this.#emit("terminal-resize", { columns: cols, rows }));
    this.#terminal.attachCustomKeyEventHandler((event) => this.#clipboardKey(event));
    this.#terminal.parser.registerOscHandler(133, (data) => this.#shellMark(data));
  }

  /** Columns and rows the terminal has now. */
  get size(): { columns: number; rows: number } {
    return { columns: this.#terminal.cols, rows: this.#terminal.rows };
  }

  /** Writes guest output; resolves once xterm has parsed it. */
  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => this.#terminal.write(data, resolve));
  }

  /** Everything in the buffer (scrollback included) as text, wrapped lines joined. */
  text(): string {
    return this.#lines(0, this.#terminal.buffer.active.length);
  }

  override focus(): void {
    this.#terminal.focus();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#scheme.addEventListener("change", this.#applyTheme);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#scheme.removeEventListener("change", this.#applyTheme);
    this.#resizeObserver?.disconnect();
  }

  protected override firstUpdated(): void {
    const screen = this.renderRoot.querySelector(".screen") as HTMLElement;
    // Themed before it opens: each theme xterm is given rebuilds its stylesheet.
    this.#applyTheme();
    this.#terminal.open(screen);
    this.#fit.fit();
    // Fit on every size change of our box; xterm then reports the new grid.
    this.#resizeObserver = new ResizeObserver(() => {
      if (this.isConnected && screen.clientWidth > 0) this.#fit.fit();
    });
    this.#resizeObserver.observe(this);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("theme")) this.#applyTheme();
    if (changed.has("screenReader")) this.#terminal.options.screenReaderMode = this.screenReader;
  }

  protected override render() {
    return html`<div class="screen" part="screen"></div>`;
  }

  #applyTheme = (): void => {
    const scheme = this.theme === "auto" ? (this.#scheme.matches ? "dark" : "light") : this.theme;
    this.dataset.scheme = scheme;
    this.#terminal.options.theme = THEMES[scheme];
  };

  /** Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes (Ctrl+C stays the interrupt key). */
  #clipboardKey(event: KeyboardEvent): boolean {
    if (event.type !== "keydown" || !event.ctrlKey || !event.shiftKey) return true;
    const key = event.key.toLowerCase();
    if (key === "c" && this.#terminal.hasSelection()) {
      void navigator.clipboard?.writeText(this.#terminal.getSelection());
      return false;
    }
    if (key === "v") {
      void navigator.clipboard?.readText().then((text) => this.#terminal.paste(text));
      return false;
    }
    return true;
  }

  /** OSC 133: A prompt starts, B prompt ends, C command output begins, D;STATUS command done. */
  #shellMark(data: string): boolean {
    const [kind, status] = data.split(";");
    const here = this.#cursor();
    if (kind === "A") {
      this.#promptEnd = undefined;
    } else if (kind === "B") {
      // The line editor redraws the prompt (and B) as the line changes; the
      // first B is when the prompt is up and input is read in raw mode.
      const first = !this.#promptEnd;
      this.#promptEnd ??= here;
      if (first) this.#emit("terminal-prompt", null);
    } else if (kind === "C") {
      const typed = this.#promptEnd ? this.#lines(this.#promptEnd.line, here.line, this.#promptEnd.column) : "";
      this.#command = { text: typed.trim(), output: here };
      this.#promptEnd = undefined;
      this.#emit("terminal-command-start", this.#command.text);
    } else if (kind === "D" && this.#command) {
      const { text, output: start } = this.#command;
      this.#command = undefined;
      // Output ends where the cursor is; a last line without a newline counts.
      const output = this.#lines(start.line, here.column > 0 ? here.line + 1 : here.line);
      this.#emit("terminal-command-end", { command: text, exitCode: Number(status ?? 0), output } satisfies CommandEndDetail);
    }
    return true;
  }

  #cursor(): ScreenMark {
    const buffer = this.#terminal.buffer.active;
    return { line: buffer.baseY + buffer.cursorY, column: buffer.cursorX };
  }

  /** Buffer lines [from, to) as text (the first from `column`): wrapped rows joined, trailing blanks trimmed. */
  #lines(from: number, to: number, column = 0): string {
    const buffer = this.#terminal.buffer.active;
    let text = "";
    for (let y = Math.max(0, from); y < Math.min(to, buffer.length); y++) {
      const line = buffer.getLine(y);
      if (!line) continue;
      if (y > from && !line.isWrapped) text += "\n";
      text += line.translateToString(true, y === from ? column : 0);
    }
    return text.replace(/\s+$/, "") + (text.trim() ? "\n" : "");
  }

  #emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

customElements.define("berth-terminal", BerthTerminal);

declare global {
  interface HTMLElementTagNameMap {
    "berth-terminal": BerthTerminal;
  }
}
