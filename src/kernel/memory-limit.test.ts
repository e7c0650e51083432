import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { limitModuleMemory, PAGE_BYTES } from "./memory-limit.ts";

/** The part of WebAssembly's JS API used here (src/ is typed without the DOM library). */
interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number }) => Memory;
  LinkError: new () => Error;
  validate(bytes: Uint8Array): boolean;
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WasmApi };

/** The maximum in force, as WebAssembly itself enforces it: growing to it works, one page more does not. */
function assertMaximum(module: Uint8Array, pages: number): void {
  const memory = new WebAssembly.Instance(new WebAssembly.Module(module)).exports.memory as Memory;
  memory.grow(pages - memory.buffer.byteLength / PAGE_BYTES);
  assert.throws(() => memory.grow(1), RangeError);
}

// (module (memory (export "memory") 1)) and (module (memory (export "memory") 1 8))
const DEFINED = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x0a, 0x01, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00];
const WITH_MAX = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x04, 0x01, 0x01, 0x01, 0x08, 0x07, 0x0a, 0x01, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00];
// (module (import "env" "memory" (memory 1)))
const IMPORTED = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01];

describe("memory limit", () => {
  it("caps a defined memory that has no maximum", () => {
    assertMaximum(limitModuleMemory(Uint8Array.from(DEFINED), 4), 4);
  });

  it("keeps a lower maximum the module declares", () => {
    assertMaximum(limitModuleMemory(Uint8Array.from(WITH_MAX), 200), 8);
    assertMaximum(limitModuleMemory(Uint8Array.from(WITH_MAX), 2), 2);
  });

  it("caps an imported memory's declared maximum", () => {
    const limited = new WebAssembly.Module(limitModuleMemory(Uint8Array.from(IMPORTED), 2));
    const offered = (maximum: number) => ({ env: { memory: new WebAssembly.Memory({ initial: 1, maximum }) } });
    // A memory may be imported only where its maximum is within the one declared.
    assert.ok(new WebAssembly.Instance(limited, offered(2)));
    assert.throws(() => new WebAssembly.Instance(limited, offered(3)), WebAssembly.LinkError);
  });

  it("refuses a module that needs more than the limit to start, and bytes that are no module", () => {
    assert.throws(() => limitModuleMemory(Uint8Array.from(WITH_MAX), 0), /needs 65536 bytes of memory to start/);
    assert.throws(() => limitModuleMemory(new TextEncoder().encode("#!/bin/sh\n"), 4), /not a WebAssembly module/);
  });

  it("leaves the userland's programs valid", async () => {
    const { loadUserland } = await import("./userland-node.ts");
    const userland = await loadUserland();
    for (const [name, bytes] of Object.entries(userland.modules)) {
      assert.ok(WebAssembly.validate(limitModuleMemory(bytes, 256)), name);
    }
  });
});
