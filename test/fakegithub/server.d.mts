// Types for server.mjs (plain JS so that scripts/demo.mjs can run it without a TS step).

export declare const repoRoot: string;
export declare const fixturesDir: string;
export declare const corpusDir: string;
export declare const HOSTS: string[];
export declare const SESSION_COOKIE: { name: string; value: string };
export declare const GIST_ID: string;
export declare const GIST_REV: string;
export declare const PRIVATE_TOKEN: string;

export interface FakeGitHubOptions {
  port?: number;
  canaryPort?: number;
  fixturesDir?: string;
  corpusDir?: string;
}

export interface CanaryHit {
  id: string;
  via: string;
  at: number;
  referer: string;
}

export interface FakeGitHub {
  /** HTTPS port for every GitHub host name. */
  port: number;
  /** Plain-HTTP port of the canary recorder and positive-control pages. */
  canaryPort: number;
  /** HTTP CONNECT proxy to the HTTPS server (for Firefox, which cannot map names to ports). */
  proxyPort: number;
  /** Value for Chromium's --host-resolver-rules. */
  hostResolverRules: string;
  blobUrl(repo: string, path: string, ref?: string): string;
  rawUrl(repo: string, path: string, ref?: string): string;
  treeUrl(repo: string): string;
  gistUrl(): string;
  gistRawUrl(name: string): string;
  /** The notebook's payloads in a page with no defence: the positive control. */
  controlUrl(repo: string, path: string): string;
  blankUrl(): string;
  canaryJs(id: string): string;
  canaryUrl(id: string): string;
  /**
   * The next response for `url` (host and path) goes out in part (up to `<body`, or half of it)
   * and is finished on `release()`; `sent` resolves once the first part went out.
   */
  hold(url: string): { release: () => void; sent: Promise<void> };
  /** Serve `text` at repo/path (placeholders substituted when served). */
  setFile(repo: string, path: string, text: string, opts?: { private?: boolean }): void;
  setGistFile(name: string, text: string): void;
  deleteFile(repo: string, path: string): void;
  /** The exact text served for repo/path (after canary substitution), or null. */
  readServed(repo: string, path: string): string | null;
  files(repo: string): string[];
  hits(): CanaryHit[];
  clearHits(): void;
  requests(): Array<{ host: string; path: string; method?: string; at: number }>;
  clearRequests(): void;
  close(): Promise<void>;
}

export declare function startFakeGitHub(opts?: FakeGitHubOptions): Promise<FakeGitHub>;
export declare function canaryJs(id: string, canaryPort: number): string;
export declare function canaryUrl(id: string, canaryPort: number): string;
export declare function substituteCanaries(text: string, stem: string, canaryPort: number): string;
export declare function controlPage(text: string): string;
