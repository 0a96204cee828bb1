// Message router: every request is parsed by the protocol's strict validators, and the sender is
// judged only from browser-filled fields (sender.id, sender.url, sender.origin, sender.tab), never
// from anything in the message.

import {
  EXTENSION_PAGE_ONLY,
  parseRequest,
  type Request,
  type Response,
  type ResponseMap,
} from '../core/protocol';
import type { Service } from './service';
import { errorMessage } from './util';

/** The browser-filled fields of runtime.MessageSender we rely on. */
export interface SenderLike {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { id?: number; url?: string };
  frameId?: number;
}

export interface ExtensionIdentity {
  /** browser.runtime.id */
  id: string;
  /** browser.runtime.getURL(''), e.g. `chrome-extension://abc/` */
  baseUrl: string;
}

export type SenderKind = 'extension-page' | 'content-script' | 'foreign';

export function classifySender(sender: SenderLike, me: ExtensionIdentity): SenderKind {
  if (sender.id !== me.id) return 'foreign';
  let base: URL;
  let url: URL | null = null;
  try {
    base = new URL(me.baseUrl);
    if (sender.url) url = new URL(sender.url);
  } catch {
    return 'foreign';
  }
  // URL.origin is "null" for non-special schemes in some engines: build it from the parts.
  const originOf = (u: URL) => `${u.protocol}//${u.host}`;
  if (url && url.protocol === base.protocol) {
    // Our own pages: the extension's origin, or (Chromium, web-accessible resources with
    // use_dynamic_url) a per-session dynamic id on the same scheme. Only our extension's documents
    // can have that scheme and carry our sender.id, which the browser fills in.
    const own = url.host === base.host || url.protocol === 'chrome-extension:';
    if (!own) return 'foreign';
    // Chromium also fills sender.origin; when present it must be that same extension origin.
    if (sender.origin !== undefined && sender.origin !== originOf(url)) return 'foreign';
    return 'extension-page';
  }
  // From our extension, not an extension page: a content script in a tab.
  if (sender.tab?.id !== undefined && sender.tab.id >= 0) return 'content-script';
  return 'foreign';
}

function ok<T>(value: T): Response<T> {
  return { ok: true, value };
}
function fail(error: string): Response<never> {
  return { ok: false, error };
}

function sameDocument(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    x.hash = '';
    y.hash = '';
    return x.href === y.href;
  } catch {
    return false;
  }
}

export class Router {
  constructor(
    private readonly service: () => Service,
    private readonly me: ExtensionIdentity,
  ) {}

  async handle(message: unknown, sender: SenderLike): Promise<Response> {
    const req = parseRequest(message);
    if (!req) return fail('Malformed or unknown request');
    const kind = classifySender(sender, this.me);
    if (kind === 'foreign') return fail('Request refused: unknown sender');
    if (EXTENSION_PAGE_ONLY.has(req.type) && kind !== 'extension-page') {
      return fail('Request refused: only extension pages may do this');
    }
    try {
      return await this.dispatch(req, sender, kind);
    } catch (e) {
      return fail(errorMessage(e));
    }
  }

  private async dispatch(req: Request, sender: SenderLike, kind: SenderKind): Promise<Response> {
    const s = this.service();
    switch (req.type) {
      case 'nb/open': {
        // Views are opened by the content script of the tab that shows the notebook.
        if (kind !== 'content-script' || sender.tab?.id === undefined) {
          return fail('Request refused: notebooks are opened from a page');
        }
        if (req.url.startsWith('file:')) {
          // The text of a local file must come from that very page.
          if (!sender.url || !sameDocument(sender.url, req.url)) {
            return fail('Request refused: a local notebook can only be opened from its own page');
          }
        } else if (req.text !== undefined) {
          return fail('Request refused: only local notebooks come with their text');
        }
        if (req.uploaded === true && req.text === undefined) {
          return fail('Request refused: the last part of the notebook is missing');
        }
        const r: ResponseMap['nb/open'] = await s.open(
          req.url,
          req.text,
          { tabId: sender.tab.id, frameId: sender.frameId ?? 0 },
          req.uploaded === true,
        );
        return ok(r);
      }
      case 'nb/upload': {
        // Parts of a local notebook, only from that very file page (as nb/open's text).
        if (kind !== 'content-script' || sender.tab?.id === undefined) {
          return fail('Request refused: notebooks are opened from a page');
        }
        if (!req.url.startsWith('file:') || !sender.url || !sameDocument(sender.url, req.url)) {
          return fail('Request refused: a local notebook can only be opened from its own page');
        }
        return ok(
          s.upload(req.url, req.offset, req.text, {
            tabId: sender.tab.id,
            frameId: sender.frameId ?? 0,
          }),
        );
      }
      case 'nb/progress':
        // Only the content script of the tab whose nb/open is pending learns about that fetch.
        if (kind !== 'content-script' || sender.tab?.id === undefined) {
          return fail('Request refused: notebooks are opened from a page');
        }
        return ok(s.progressOf(sender.tab.id, req.url));
      case 'view/get': {
        const tab = await s.viewTab(req.viewId);
        if (tab === null) return fail('This notebook view has expired; reload the page');
        // The viewer frame sits in the tab of its view; the popup uses tab/views instead.
        if (sender.tab?.id !== tab) return fail('Request refused: not the tab of this view');
        return ok(await s.getView(req.viewId));
      }
      case 'view/text': {
        const tab = await s.viewTab(req.viewId);
        if (tab === null) return fail('This notebook view has expired; reload the page');
        if (sender.tab?.id !== tab) return fail('Request refused: not the tab of this view');
        return ok(await s.viewText(req.viewId, req.offset));
      }
      case 'view/trust':
      case 'view/untrust': {
        const tab = await s.viewTab(req.viewId);
        if (tab === null) return fail('This notebook view has expired; reload the page');
        // A framed extension page (the viewer, embedded in a web page) acts only on views of its
        // own tab; a top-level extension page (popup, options, popup opened as a tab) cannot be
        // embedded or overlaid by a page and may act on any view.
        const framed = sender.tab !== undefined && (sender.frameId ?? 0) > 0;
        if (framed && sender.tab?.id !== tab) {
          return fail('Request refused: not the tab of this view');
        }
        return ok(
          req.type === 'view/trust' ? await s.trust(req.viewId) : await s.untrust(req.viewId),
        );
      }
      case 'tab/views':
        return ok(await s.tabViews(req.tabId));
      case 'keys/list':
        return ok(await s.listKeys());
      case 'keys/import': {
        const { format, data, name, passphrase } = req;
        return ok(
          await s.importKey({
            format,
            data,
            name,
            ...(passphrase !== undefined ? { passphrase } : {}),
          }),
        );
      }
      case 'keys/export':
        return ok(await s.exportKey(req.keyId, req.passphrase));
      case 'keys/rotate':
        return ok(await s.rotateKey(req.keyId));
      case 'keys/remove':
        return ok(await s.removeKey(req.keyId));
      case 'keys/rename':
        return ok(await s.renameKey(req.keyId, req.name));
      case 'records/list':
        return ok(await s.listRecords(req.query));
      case 'records/revoke':
        return ok(await s.revokeRecord(req.id));
      case 'settings/get':
        return ok(await s.settings());
      case 'settings/set':
        return ok(await s.setSettings(req.settings));
      case 'sync/status':
        return ok(await s.syncStatus());
      case 'sync/enable':
      case 'sync/unlock':
        return ok(await s.syncEnable(req.passphrase));
      case 'sync/disable':
        return ok(await s.syncDisable());
    }
  }
}
