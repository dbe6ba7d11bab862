/**
 * Typed IPC mocks for component tests. Handlers are keyed by the generated `commands` object's
 * names (camelCase, as the UI calls them) and take that command's own arguments, in order;
 * each must return the command's success data (or throw a `CommandError`, see `fail`). A
 * misspelt command, a wrong argument or a wrong return shape is a type error in
 * `npm run check`, so the mocks cannot drift from the Rust commands.
 */
import { vi } from "vitest";
import { commands, type CommandError } from "../src/bindings";

type Commands = typeof commands;
export type CommandName = keyof Commands;
type OkData<R> = R extends { status: "ok"; data: infer D } ? D : never;
/** A command's arguments, as the UI passes them. */
export type CommandArgs<K extends CommandName> = Parameters<Commands[K]>;
/** What a command answers on success. */
export type CommandData<K extends CommandName> = OkData<Awaited<ReturnType<Commands[K]>>>;
export type IpcHandlers = {
  [K in CommandName]?: (...args: CommandArgs<K>) => CommandData<K> | Promise<CommandData<K>>;
};

/** The name `invoke` sees: bindings.ts turns `set_line_quantity` into `setLineQuantity`. */
export function invokeName(name: CommandName): string {
  return name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

/** The `commands` name for an `invoke` name. */
export function commandName(cmd: string): string {
  return cmd.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A command failing with the backend's error (what Tauri rejects `invoke` with). */
export function fail(error: CommandError): never {
  throw error;
}

/**
 * Routes mocked `invoke(cmd, args)` calls to `handlers`. bindings.ts passes the arguments as
 * `{ a, b }` in the function's parameter order, so the handler gets them back positionally.
 * A command without a handler fails with an `internal` error, as an unknown command would.
 */
export function routeIpc(invoke: unknown, handlers: IpcHandlers): void {
  for (const name of Object.keys(handlers)) {
    if (!(name in commands)) throw new Error(`no command ${name} in bindings.ts`);
  }
  const table = handlers as Record<string, (...args: unknown[]) => unknown>;
  vi.mocked(invoke as (cmd: string, args?: Record<string, unknown>) => Promise<unknown>).mockImplementation(
    async (cmd: string, args?: Record<string, unknown>) => {
      const h = table[commandName(cmd)];
      if (!h) throw { kind: "internal", data: { message: `no mock for ${cmd}` } } satisfies CommandError;
      return h(...Object.values(args ?? {}));
    },
  );
}
