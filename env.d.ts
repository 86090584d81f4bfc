/// <reference types="vite/client" />
/// <reference types="@remix-run/node" />

// html-to-text 10 ships no type definitions; the one function we use.
declare module "html-to-text" {
  export function compile(options?: Record<string, unknown>): (html: string) => string;
}
