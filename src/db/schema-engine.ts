import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import type { TrackedFactory } from './adapters.ts';

/**
 * Prisma's schema engine (migrations) compiled to WebAssembly, from the npm package
 * `@prisma/schema-engine-wasm`. The Prisma CLI would download a native binary for the same job;
 * this needs nothing outside node_modules. The module is instantiated by hand (rather than
 * imported as a WASM ES module) so it works on Node 20 without experimental flags, under tsx and
 * under vitest.
 */

type EngineModule = typeof import('@prisma/schema-engine-wasm');

let loading: Promise<EngineModule> | undefined;

// @types/node does not declare the WebAssembly global; this is the one call used.
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
    };
  }
).WebAssembly;

declare global {
  // Read by the WASM module when Rust panics; without it a panic surfaces as a TypeError.
  var PRISMA_WASM_PANIC_REGISTRY: { set_message(message: string): void } | undefined;
}

let lastPanic: string | undefined;

function loadModule(): Promise<EngineModule> {
  loading ??= (async () => {
    globalThis.PRISMA_WASM_PANIC_REGISTRY = {
      set_message(message: string) {
        lastPanic = message;
      },
    };
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as EngineModule & {
      __wbg_set_wasm(exports: Record<string, unknown>): void;
    };
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('@prisma/schema-engine-wasm').replace(/schema_engine\.js$/, 'schema_engine_bg.wasm');
    const bytes = await readFile(wasmPath);
    const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return loading;
}

export interface EngineHandle {
  engine: SchemaEngine;
  /** Frees the engine and closes every connection its adapter factory opened. */
  close(): Promise<void>;
}

/** Starts a schema engine bound to `factory` with the given Prisma schema text. */
export async function openSchemaEngine(
  factory: TrackedFactory,
  schema: { path: string; content: string },
  log: (message: string) => void = () => undefined,
): Promise<EngineHandle> {
  const mod = await loadModule();
  const engine = await mod.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    (message: string) => log(message),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  let closed = false;
  return {
    engine,
    async close() {
      if (closed) return;
      closed = true;
      try {
        engine.free();
      } finally {
        await factory.disposeAll();
      }
    },
  };
}

/** Turns what the engine throws into a readable message (it throws plain objects or panics). */
export function engineErrorMessage(error: unknown): string {
  if (lastPanic) {
    const panic = lastPanic;
    lastPanic = undefined;
    return `schema engine panicked: ${panic}`;
  }
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object') {
    const e = error as { message?: unknown; error?: unknown; meta?: unknown };
    if (typeof e.message === 'string') return e.message;
    if (typeof e.error === 'string') return e.error;
    return JSON.stringify(error);
  }
  return String(error);
}
