// TestBed for every Angular spec: the JIT compiler (components in specs are compiled at run time)
// and the browser testing platform. No zone.js: Angular 21's TestBed is zoneless by default.
import { TextDecoder, TextEncoder } from 'node:util';
import '@angular/compiler';
import { getTestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';

getTestBed().initTestEnvironment(BrowserTestingModule, platformBrowserTesting(), { teardown: { destroyAfterEach: true } });

// jsdom's window lacks these; Angular's and the client's code run in it may use them.
Object.assign(globalThis, { TextEncoder: globalThis.TextEncoder ?? TextEncoder, TextDecoder: globalThis.TextDecoder ?? TextDecoder });
// jsdom's window has its own Uint8Array, so Node's Buffers (node:http bodies) fail `instanceof
// Uint8Array` in code run in it; a page has one realm, so give it Node's.
Object.assign(globalThis, { Uint8Array: Object.getPrototypeOf(Buffer.prototype).constructor as Uint8ArrayConstructor });
