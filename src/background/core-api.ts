// What the background needs from src/core, as one small interface. The real wiring lives in
// core-real.ts; unit tests pass a fake so the background's own logic is tested on its own.

export interface TrustKey {
  id: string;
  name: string;
  bytes: Uint8Array;
}

export interface CoreVerdict {
  trusted: boolean;
  reason: string;
  keyId?: string;
  message: string;
}

export interface BgCore {
  /** `previousRecordDigest`: the record trusted at this URL, so the verdict can say "changed". */
  decide(
    text: string,
    keys: TrustKey[],
    isRecorded: (digest: string) => boolean | Promise<boolean>,
    previousRecordDigest?: string,
  ): Promise<CoreVerdict>;
  /** What one-click trust stores. Throws an Error with a readable message on a bad notebook. */
  recordDigest(text: string, key: TrustKey): Promise<string>;
  randomKeyBytes(): Uint8Array;
  fingerprint(bytes: Uint8Array): Promise<string>;
  /** Passphrase-protected export string of one key. */
  exportKey(key: TrustKey, passphrase: string): Promise<string>;
  /** Inverse of exportKey; throws an Error with a readable message (wrong passphrase, damaged). */
  importKey(exported: string, passphrase: string): Promise<{ name?: string; bytes: Uint8Array }>;
  /** Jupyter's notebook_secret: the HMAC key is the file's bytes exactly as stored. */
  keyFromJupyterSecret(fileText: string): Uint8Array;
}
